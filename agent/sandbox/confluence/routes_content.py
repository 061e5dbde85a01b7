"""v1 ``content`` routes: list, create, read, update, trash/purge, history, children."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content as wiki
from agent.sandbox.confluence import views
from agent.sandbox.confluence.web import (
    Links,
    int_arg,
    page_of,
    paging,
    parse_expand,
    require_object,
    statuses_arg,
)
from agent.sandbox.context import SandboxContext
from agent.sandbox.json_body import json_body

DEFAULT_GET_EXPAND = "space,history,version"
WRITE_EXPAND = "space,history,version,ancestors,body.storage"


def storage_value(body: dict[str, Any]) -> str | None:
    """The storage markup of a v1 write's ``body``, or None when no body was sent."""
    content_body = body.get("body")
    if content_body is None:
        return None
    content_body = require_object(content_body, "body")
    storage = content_body.get("storage")
    if storage is None:
        others = sorted(content_body)
        raise ApiError(
            400,
            f"Unsupported body representation {others}: the sandbox accepts 'storage' only.",
        )
    storage = require_object(storage, "body.storage")
    representation = storage.get("representation", "storage")
    if representation != "storage":
        raise ApiError(400, f"Unsupported representation '{representation}'; use 'storage'.")
    value = storage.get("value")
    if not isinstance(value, str):
        raise ApiError(400, "body.storage.value is required and must be a string.")
    return value


def parent_from_ancestors(body: dict[str, Any]) -> str | None:
    ancestors = body.get("ancestors")
    if ancestors in (None, []):
        return None
    if not isinstance(ancestors, list) or not all(
        isinstance(a, dict) and a.get("id") not in (None, "") for a in ancestors
    ):
        raise ApiError(400, "ancestors must be a list of objects with an 'id'.")
    return str(ancestors[-1]["id"])


def add_routes(bp: Blueprint, ctx: SandboxContext) -> None:
    @bp.get("/content")
    def list_content() -> ResponseReturnValue:
        content_type = request.args.get("type", "page")
        space_key = request.args.get("spaceKey")
        title = request.args.get("title")
        statuses = statuses_arg()
        start, limit = paging()
        expand = parse_expand(request.args.get("expand"))
        found = [
            p
            for p in wiki.pages(ctx, statuses=statuses)
            if p["type"] == content_type
            and (space_key is None or p["spaceKey"] == space_key)
            and (title is None or p["title"] == title)
        ]
        links = Links.current()
        return jsonify(
            page_of(
                found, start, limit, links, "content", render=lambda p: _render(p, links, expand)
            )
        )

    def _render(page: dict[str, Any], links: Links, expand: Any) -> dict[str, Any]:
        return views.content_json(ctx, page, links, expand)

    @bp.post("/content")
    def create_content() -> ResponseReturnValue:
        body = require_object(json_body())
        content_type = body.get("type")
        if content_type is None:
            raise ApiError(400, "Content type is required.")
        status = body.get("status", request.args.get("status", "current"))
        if status != "current":
            raise ApiError(400, f"Creating content with status '{status}' is not supported.")
        space = body.get("space")
        key = space.get("key") if isinstance(space, dict) else None
        if not isinstance(key, str) or not key:
            raise ApiError(400, "space.key is required to create content.")
        title = body.get("title")
        if not isinstance(title, str):
            raise ApiError(400, "A title is required to create content.")
        page = wiki.create_page(
            ctx,
            key,
            title,
            storage_value(body) or "",
            parent_from_ancestors(body),
            author=g.user,
            content_type=str(content_type),
            message=str((body.get("version") or {}).get("message") or ""),
        )
        links = Links.current()
        return jsonify(views.content_json(ctx, page, links, parse_expand(WRITE_EXPAND)))

    @bp.get("/content/<page_id>")
    def get_content(page_id: str) -> ResponseReturnValue:
        page = wiki.require_page(ctx, page_id, statuses_arg())
        version = int_arg("version", 0)
        if version:
            old = wiki.historical_version(page, version)
            if old is None:
                raise ApiError(404, f"No version {version} of content {page_id}.")
            page = old
        expand = parse_expand(request.args.get("expand", DEFAULT_GET_EXPAND))
        return jsonify(views.content_json(ctx, page, Links.current(), expand))

    @bp.put("/content/<page_id>")
    def update_content(page_id: str) -> ResponseReturnValue:
        body = require_object(json_body())
        version = body.get("version")
        number = version.get("number") if isinstance(version, dict) else None
        if number is None:
            raise ApiError(400, "version.number is required to update content.")
        existing = wiki.require_page(ctx, page_id, ("current", "trashed"))
        content_type = body.get("type", existing["type"])
        if content_type != existing["type"]:
            raise ApiError(400, "Changing the type of content is not supported.")
        if "title" not in body:
            raise ApiError(400, "A title is required to update content.")
        space = body.get("space")
        if isinstance(space, dict) and space.get("key") not in (None, existing["spaceKey"]):
            raise ApiError(400, "You can't change an existing page's space.")
        restore = existing["status"] == "trashed" and body.get("status") == "current"
        page = wiki.update_page(
            ctx,
            page_id,
            number,
            title=body["title"],
            storage_body=storage_value(body),
            parent_id=parent_from_ancestors(body),
            author=g.user,
            message=str(version.get("message") or "") if isinstance(version, dict) else "",
            minor_edit=bool(version.get("minorEdit", False))
            if isinstance(version, dict)
            else False,
            restore=restore,
        )
        links = Links.current()
        return jsonify(views.content_json(ctx, page, links, parse_expand(WRITE_EXPAND)))

    @bp.delete("/content/<page_id>")
    def delete_content(page_id: str) -> ResponseReturnValue:
        if request.args.get("status") == "trashed":
            wiki.purge_page(ctx, page_id)
        else:
            wiki.trash_page(ctx, page_id)
        return Response(status=204)

    @bp.get("/content/<page_id>/history")
    def content_history(page_id: str) -> ResponseReturnValue:
        page = wiki.require_page(ctx, page_id, ("current", "trashed"))
        expand = parse_expand(request.args.get("expand"))
        expand.setdefault("lastUpdated", {})
        if page["versions"]:
            expand.setdefault("previousVersion", {})
        return jsonify(views.history_json(ctx, page, Links.current(), expand))

    @bp.get("/content/<page_id>/version")
    def content_versions(page_id: str) -> ResponseReturnValue:
        """Every version, newest first (metadata only; fetch a body with ``?version=N``)."""
        page = wiki.require_page(ctx, page_id, ("current", "trashed"))
        start, limit = paging(200, 200)
        versions = [page["version"], *reversed(page["versions"])]
        links = Links.current()
        return jsonify(
            page_of(
                versions,
                start,
                limit,
                links,
                f"content/{page_id}/version",
                render=lambda v: views.version_json(ctx, page, v, links),
            )
        )

    @bp.get("/content/<page_id>/version/<int:number>")
    def content_version(page_id: str, number: int) -> ResponseReturnValue:
        page = wiki.require_page(ctx, page_id, ("current", "trashed"))
        old = wiki.historical_version(page, number)
        if old is None:
            raise ApiError(404, f"No version {number} of content {page_id}.")
        return jsonify(views.version_json(ctx, page, old["version"], Links.current()))

    @bp.get("/content/<page_id>/child")
    def content_children(page_id: str) -> ResponseReturnValue:
        page = wiki.require_page(ctx, page_id)
        expand = parse_expand(request.args.get("expand"))
        return jsonify(views.children_json(ctx, page, Links.current(), expand))

    @bp.get("/content/<page_id>/descendant")
    def content_descendants(page_id: str) -> ResponseReturnValue:
        page = wiki.require_page(ctx, page_id)
        expand = parse_expand(request.args.get("expand"))
        return jsonify(views.children_json(ctx, page, Links.current(), expand, all_levels=True))

    @bp.get("/content/<page_id>/child/<child_type>")
    def content_children_of_type(page_id: str, child_type: str) -> ResponseReturnValue:
        return _typed_children(page_id, child_type, "child", all_levels=False)

    @bp.get("/content/<page_id>/descendant/<child_type>")
    def content_descendants_of_type(page_id: str, child_type: str) -> ResponseReturnValue:
        return _typed_children(page_id, child_type, "descendant", all_levels=True)

    def _typed_children(
        page_id: str, child_type: str, segment: str, *, all_levels: bool
    ) -> ResponseReturnValue:
        if child_type not in ("page", "comment", "attachment"):
            raise ApiError(400, f"Content type '{child_type}' cannot be a child.")
        wiki.require_page(ctx, page_id)
        start, limit = paging()
        expand = parse_expand(request.args.get("expand"))
        kids: list[dict[str, Any]] = []
        if child_type == "page":
            kids = wiki.descendants(ctx, page_id) if all_levels else wiki.children(ctx, page_id)
        links = Links.current()
        path = f"content/{page_id}/{segment}/{child_type}"
        return jsonify(
            page_of(kids, start, limit, links, path, render=lambda p: _render(p, links, expand))
        )
