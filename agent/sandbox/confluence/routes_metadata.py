"""v1 routes for a page's labels and content properties."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata, views
from agent.sandbox.confluence.web import Links, page_of, paging, require_object
from agent.sandbox.context import SandboxContext
from agent.sandbox.json_body import json_body


def _label_requests(body: Any) -> tuple[list[str], str]:
    """Names and prefix from a LabelCreate body: one object or a list of them."""
    items = body if isinstance(body, list) else [body]
    names: list[str] = []
    prefixes: set[str] = set()
    for item in items:
        label = require_object(item, "label")
        name = label.get("name")
        if not isinstance(name, str):
            raise ApiError(400, "Each label needs a 'name'.")
        names.append(name)
        prefixes.add(str(label.get("prefix", "global")))
    if len(prefixes) > 1:
        raise ApiError(400, "Labels added together must share one prefix.")
    return names, prefixes.pop() if prefixes else "global"


def _property_value(body: dict[str, Any]) -> Any:
    """The ``value`` of a v1 property write: text, a boolean, an object or a list of text."""
    if "value" not in body:
        raise ApiError(400, "A content property needs a 'value'.")
    value = body["value"]
    if isinstance(value, str | bool | dict) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        return value
    raise ApiError(
        400, "A content property value must be a string, a boolean, an object or a list of strings."
    )


def _version_number(body: dict[str, Any]) -> Any:
    version = body.get("version")
    if not isinstance(version, dict) or "number" not in version:
        raise ApiError(400, "version.number is required to update a content property.")
    return version["number"]


def add_routes(bp: Blueprint, ctx: SandboxContext) -> None:
    # -- labels ---------------------------------------------------------------
    @bp.get("/content/<page_id>/label")
    def get_labels(page_id: str) -> ResponseReturnValue:
        page = wiki_pages.require_page(ctx, page_id)
        start, limit = paging(200, 200)
        prefix = request.args.get("prefix")
        shown = [lb for lb in page["labels"] if prefix in (None, lb["prefix"])]
        links = Links.current()
        path = f"content/{page_id}/label"
        return jsonify(page_of(shown, start, limit, links, path, render=views.label_json))

    @bp.post("/content/<page_id>/label")
    def add_labels(page_id: str) -> ResponseReturnValue:
        names, prefix = _label_requests(json_body())
        metadata.add_labels(ctx, page_id, names, prefix)
        page = wiki_pages.require_page(ctx, page_id)
        return jsonify(views.labels_json(page, Links.current()))

    @bp.delete("/content/<page_id>/label")
    def remove_label_by_query(page_id: str) -> ResponseReturnValue:
        name = request.args.get("name")
        if not name:
            raise ApiError(400, "The 'name' parameter is required.")
        metadata.remove_label(ctx, page_id, name)
        return Response(status=204)

    @bp.delete("/content/<page_id>/label/<name>")
    def remove_label(page_id: str, name: str) -> ResponseReturnValue:
        metadata.remove_label(ctx, page_id, name)
        return Response(status=204)

    # -- properties -----------------------------------------------------------
    @bp.get("/content/<page_id>/property")
    def list_properties(page_id: str) -> ResponseReturnValue:
        page = wiki_pages.require_page(ctx, page_id)
        key = request.args.get("key")
        start, limit = paging(10, 100)
        props = [p for p in page["properties"] if key in (None, p["key"])]
        links = Links.current()
        return jsonify(
            page_of(
                props,
                start,
                limit,
                links,
                f"content/{page_id}/property",
                render=lambda p: views.property_json(ctx, page, p, links),
            )
        )

    @bp.post("/content/<page_id>/property")
    def create_property(page_id: str) -> ResponseReturnValue:
        body = require_object(json_body())
        prop = metadata.create_property(
            ctx, page_id, body.get("key"), _property_value(body), author=g.user
        )
        page = wiki_pages.require_page(ctx, page_id)
        return jsonify(views.property_json(ctx, page, prop, Links.current()))

    @bp.post("/content/<page_id>/property/<key>")
    def create_property_at_key(page_id: str, key: str) -> ResponseReturnValue:
        body = require_object(json_body())
        prop = metadata.create_property(ctx, page_id, key, _property_value(body), author=g.user)
        page = wiki_pages.require_page(ctx, page_id)
        return jsonify(views.property_json(ctx, page, prop, Links.current()))

    @bp.get("/content/<page_id>/property/<key>")
    def get_property(page_id: str, key: str) -> ResponseReturnValue:
        page = wiki_pages.require_page(ctx, page_id)
        prop = metadata.get_property(ctx, page_id, key)
        if prop is None:
            raise ApiError(404, f"Cannot find content property with key '{key}' on {page_id}.")
        return jsonify(views.property_json(ctx, page, prop, Links.current()))

    @bp.put("/content/<page_id>/property/<key>")
    def update_property(page_id: str, key: str) -> ResponseReturnValue:
        body = require_object(json_body())
        if body.get("key", key) != key:
            raise ApiError(400, "The property key in the body does not match the URL.")
        number = _version_number(body)
        if metadata.get_property(ctx, page_id, key) is None and number == 1:
            # Confluence creates the property when it is missing and the version is 1
            prop = metadata.create_property(ctx, page_id, key, _property_value(body), author=g.user)
        else:
            message = str(body["version"].get("message") or "")
            prop = metadata.update_property(
                ctx, page_id, key, _property_value(body), number, author=g.user, message=message
            )
        page = wiki_pages.require_page(ctx, page_id)
        return jsonify(views.property_json(ctx, page, prop, Links.current()))

    @bp.delete("/content/<page_id>/property/<key>")
    def delete_property(page_id: str, key: str) -> ResponseReturnValue:
        metadata.delete_property(ctx, page_id, key)
        return Response(status=204)

    # -- people -----------------------------------------------------------------
    @bp.get("/user")
    def user() -> ResponseReturnValue:
        """One person (``GET /rest/api/user``): by ``accountId`` on Cloud; by ``key`` (the
        ``ri:userkey`` of a mention) or ``username`` on Data Center
        (https://docs.atlassian.com/ConfluenceServer/rest/8.5.0/#api/user-getUser);
        404 when nobody has it."""
        links = Links.current()
        wanted = {k: request.args.get(k) for k in ("accountId", "key", "username")}
        for doc in ctx.users.all():
            account = str(doc["accountId"])
            found = (
                (wanted["accountId"] and links.context and wanted["accountId"] == account)
                or (
                    wanted["key"] and not links.context and wanted["key"] == views.user_key(account)
                )
                or (wanted["username"] and not links.context and wanted["username"] == doc["name"])
            )
            if found:
                return jsonify(views.user_json(ctx, account, links))
        if not any(wanted.values()):
            raise ApiError(400, "One of accountId, key or username is required.")
        raise ApiError(404, "No user found with the given identifier.")

    @bp.get("/user/current")
    def current_user() -> ResponseReturnValue:
        """The user the request acts as (``GET /wiki/rest/api/user/current``)."""
        return jsonify(views.user_json(ctx, g.user["accountId"], Links.current()))
