"""Confluence REST v2 routes (``/wiki/api/v2``): spaces, pages, children, labels, properties.

Same data as v1 (``content.py``); only the shapes, paging and errors differ.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from agent.sandbox.confluence.v2_views import (
    base_url,
    child_v2,
    cursor_page,
    error_v2,
    label_v2,
    page_v2,
    property_v2,
    space_v2,
)
from agent.sandbox.confluence.web import require_object
from agent.sandbox.context import SandboxContext
from agent.sandbox.json_body import json_body
from agent.sandbox.store import Doc

PAGE_STATUSES = ("current", "trashed", "draft", "archived", "historical", "deleted", "any")


def _csv(name: str) -> list[str]:
    return [v for raw in request.args.getlist(name) for v in raw.split(",") if v]


def _body_value(body: dict[str, Any]) -> str | None:
    """The storage value of a v2 ``body`` (flat or nested under ``storage``)."""
    content = body.get("body")
    if content is None:
        return None
    content = require_object(content, "body")
    if "storage" in content:
        content = require_object(content["storage"], "body.storage")
    representation = content.get("representation", "storage")
    if representation != "storage":
        raise ApiError(400, f"Unsupported representation '{representation}'; use 'storage'.")
    value = content.get("value")
    if not isinstance(value, str):
        raise ApiError(400, "body.value is required and must be a string.")
    return value


def _with_base(payload: dict[str, Any]) -> dict[str, Any]:
    payload["_links"] = {**payload.get("_links", {}), "base": base_url()}
    return payload


def _space_of(ctx: SandboxContext, space_id: Any) -> Doc:
    space = wiki_pages.space_by_id(ctx, space_id) if space_id not in (None, "") else None
    if space is None:
        raise ApiError(404, f"Space {space_id} was not found.")
    return space


def _page(ctx: SandboxContext, page_id: str, statuses: tuple[str, ...] = ("current",)) -> Doc:
    """The page, or v2's own 404 wording."""
    try:
        return wiki_pages.require_page(ctx, page_id, statuses)
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise ApiError(404, f"Cannot find [page] entity with id [{page_id}]") from exc


def blueprint(ctx: SandboxContext) -> Blueprint:
    bp = Blueprint("confluence_v2", __name__)

    @bp.errorhandler(ApiError)
    def _error(error: ApiError) -> ResponseReturnValue:
        body, status = error_v2(error)
        return jsonify(body), status

    # -- spaces -------------------------------------------------------------------
    @bp.get("/spaces")
    def list_spaces() -> ResponseReturnValue:
        keys, ids = set(_csv("keys")), set(_csv("ids"))
        found = [
            s
            for s in wiki_pages.all_spaces(ctx)
            if (not keys or s["key"] in keys) and (not ids or str(s["id"]) in ids)
        ]
        return cursor_page(found, "spaces", space_v2)

    @bp.get("/spaces/<space_id>")
    def get_space(space_id: str) -> ResponseReturnValue:
        return jsonify(_with_base(space_v2(_space_of(ctx, space_id))))

    @bp.get("/spaces/<space_id>/pages")
    def space_pages(space_id: str) -> ResponseReturnValue:
        space = _space_of(ctx, space_id)
        fmt = request.args.get("body-format")
        found = [
            p
            for p in wiki_pages.pages(ctx)
            if p["spaceKey"] == space["key"] and p["type"] == "page"
        ]
        return cursor_page(found, f"spaces/{space_id}/pages", lambda p: page_v2(ctx, p, fmt))

    # -- pages --------------------------------------------------------------------
    @bp.get("/pages")
    def list_pages() -> ResponseReturnValue:
        space_ids, ids = set(_csv("space-id")), set(_csv("id"))
        title = request.args.get("title")
        statuses = tuple(_csv("status")) or ("current",)
        for status in statuses:
            if status not in PAGE_STATUSES:
                raise ApiError(400, f"Status '{status}' is not a valid page status.")
        fmt = request.args.get("body-format")
        spaces = [wiki_pages.space_by_id(ctx, sid) for sid in space_ids]
        keys = {space["key"] for space in spaces if space is not None}
        found = [
            p
            for p in wiki_pages.pages(ctx, statuses=statuses)
            if p["type"] == "page"
            and (not space_ids or p["spaceKey"] in keys)
            and (not ids or p["id"] in ids)
            and (title is None or p["title"] == title)
        ]
        return cursor_page(found, "pages", lambda p: page_v2(ctx, p, fmt))

    @bp.post("/pages")
    def create_page() -> ResponseReturnValue:
        body = require_object(json_body())
        space = _space_of(ctx, body.get("spaceId"))
        if body.get("status", "current") != "current":
            raise ApiError(400, "The sandbox creates pages with status 'current' only.")
        title = body.get("title")
        if not isinstance(title, str):
            raise ApiError(400, "A title is required for a page that is not a draft.")
        parent = body.get("parentId")
        if parent in (None, "") and request.args.get("root-level") != "true":
            parent = space.get("homepageId")  # v2 puts pages under the homepage by default
        page = wiki_pages.create_page(
            ctx, space["key"], title, _body_value(body) or "", parent, author=g.user
        )
        return jsonify(_with_base(page_v2(ctx, page, "storage")))

    @bp.get("/pages/<page_id>")
    def get_page(page_id: str) -> ResponseReturnValue:
        statuses = tuple(_csv("status")) or ("current", "archived", "draft")
        page = _page(ctx, page_id, statuses)
        version = request.args.get("version")
        if version:
            old = wiki_pages.historical_version(page, int(version)) if version.isdigit() else None
            if old is None:
                raise ApiError(404, f"Version {version} of page {page_id} was not found.")
            page = old
        return jsonify(_with_base(page_v2(ctx, page, request.args.get("body-format"))))

    @bp.put("/pages/<page_id>")
    def update_page(page_id: str) -> ResponseReturnValue:
        body = require_object(json_body())
        missing = [k for k in ("id", "status", "title", "version") if k not in body]
        if missing:
            raise ApiError(400, f"Missing required fields: {', '.join(missing)}.")
        if str(body["id"]) != page_id:
            raise ApiError(400, "The id in the body does not match the page in the URL.")
        version = require_object(body["version"], "version")
        existing = _page(ctx, page_id, ("current", "trashed"))
        page = wiki_pages.update_page(
            ctx,
            page_id,
            version.get("number"),
            title=body["title"],
            storage_body=_body_value(body),
            parent_id=body.get("parentId"),
            author=g.user,
            message=str(version.get("message") or ""),
            restore=existing["status"] == "trashed" and body["status"] == "current",
        )
        return jsonify(_with_base(page_v2(ctx, page, "storage")))

    @bp.delete("/pages/<page_id>")
    def delete_page(page_id: str) -> ResponseReturnValue:
        if request.args.get("purge") == "true":
            wiki_pages.purge_page(ctx, page_id)
        else:
            wiki_pages.trash_page(ctx, page_id)
        return Response(status=204)

    @bp.get("/pages/<page_id>/children")
    def page_children(page_id: str) -> ResponseReturnValue:
        _page(ctx, page_id)
        kids = wiki_pages.children(ctx, page_id)
        return cursor_page(kids, f"pages/{page_id}/children", lambda p: child_v2(ctx, p))

    @bp.get("/pages/<page_id>/labels")
    def page_labels(page_id: str) -> ResponseReturnValue:
        page = _page(ctx, page_id)
        prefix = request.args.get("prefix")
        labels = [lb for lb in page["labels"] if prefix in (None, lb["prefix"])]
        return cursor_page(labels, f"pages/{page_id}/labels", label_v2)

    # -- properties -------------------------------------------------------------
    @bp.get("/pages/<page_id>/properties")
    def list_properties(page_id: str) -> ResponseReturnValue:
        page = _page(ctx, page_id)
        key = request.args.get("key")
        props = [p for p in page["properties"] if key in (None, p["key"])]
        return cursor_page(props, f"pages/{page_id}/properties", property_v2)

    @bp.post("/pages/<page_id>/properties")
    def create_property(page_id: str) -> ResponseReturnValue:
        body = require_object(json_body())
        prop = metadata.create_property(
            ctx, page_id, body.get("key"), body.get("value"), author=g.user
        )
        return jsonify(property_v2(prop))

    def _property(page_id: str, property_id: str) -> Doc:
        prop = metadata.property_by_id(ctx, page_id, property_id)
        if prop is None:
            raise ApiError(404, f"Property {property_id} was not found on page {page_id}.")
        return prop

    @bp.get("/pages/<page_id>/properties/<property_id>")
    def get_property(page_id: str, property_id: str) -> ResponseReturnValue:
        return jsonify(property_v2(_property(page_id, property_id)))

    @bp.put("/pages/<page_id>/properties/<property_id>")
    def update_property(page_id: str, property_id: str) -> ResponseReturnValue:
        body = require_object(json_body())
        prop = _property(page_id, property_id)
        if body.get("key", prop["key"]) != prop["key"]:
            raise ApiError(400, "A property's key cannot be changed.")
        version = body.get("version")
        if not isinstance(version, dict) or "number" not in version:
            raise ApiError(400, "version.number is required to update a property.")
        updated = metadata.update_property(
            ctx,
            page_id,
            prop["key"],
            body.get("value"),
            version["number"],
            author=g.user,
            message=str(version.get("message") or ""),
        )
        return jsonify(property_v2(updated))

    @bp.delete("/pages/<page_id>/properties/<property_id>")
    def delete_property(page_id: str, property_id: str) -> ResponseReturnValue:
        metadata.delete_property(ctx, page_id, _property(page_id, property_id)["key"])
        return Response(status=204)

    return bp
