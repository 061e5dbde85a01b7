"""v1 ``space`` routes: list, read, create."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content, views
from agent.sandbox.confluence.web import Links, page_of, paging, parse_expand, require_object
from agent.sandbox.context import SandboxContext
from agent.sandbox.json_body import json_body


def _description(body: dict[str, object]) -> str:
    """``description.plain.value`` of a SpaceCreate body (empty when absent)."""
    description = body.get("description")
    if description is None:
        return ""
    plain = require_object(description, "description").get("plain")
    value = require_object(plain, "description.plain").get("value", "")
    if not isinstance(value, str):
        raise ApiError(400, "description.plain.value must be a string.")
    return value


def add_routes(bp: Blueprint, ctx: SandboxContext) -> None:
    @bp.get("/space")
    def list_spaces() -> ResponseReturnValue:
        keys = {k for raw in request.args.getlist("spaceKey") for k in raw.split(",") if k}
        space_type = request.args.get("type")
        status = request.args.get("status")
        start, limit = paging(25, 500)
        expand = parse_expand(request.args.get("expand"))
        found = [
            s
            for s in content.all_spaces(ctx)
            if (not keys or s["key"] in keys)
            and (space_type is None or s["type"] == space_type)
            and (status is None or s["status"] == status)
        ]
        links = Links.current()
        return jsonify(
            page_of(
                found,
                start,
                limit,
                links,
                "space",
                render=lambda s: views.space_json(ctx, s, links, expand),
            )
        )

    @bp.get("/space/<space_key>")
    def get_space(space_key: str) -> ResponseReturnValue:
        space = content.require_space(ctx, space_key)
        expand = parse_expand(request.args.get("expand"))
        return jsonify(views.space_json(ctx, space, Links.current(), expand))

    @bp.post("/space")
    def create_space() -> ResponseReturnValue:
        body = require_object(json_body())
        key, name = body.get("key"), body.get("name")
        if not isinstance(key, str) or not isinstance(name, str):
            raise ApiError(400, "A space needs a 'key' and a 'name'.")
        space = content.create_space(ctx, key, name, _description(body), author=g.user)
        links = Links.current()
        return jsonify(views.space_json(ctx, space, links, {"description": {}}))
