"""Comment routes: list/add/read/edit/delete, and comment properties."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import comments
from agent.sandbox.jira.documents import require_issue
from agent.sandbox.jira.route_helpers import (
    actor,
    base_url,
    body_object,
    created,
    int_arg,
    list_arg,
    no_content,
    router,
)
from agent.sandbox.json_body import json_body

PROPERTY_NOT_FOUND = "The property with key '{0}' does not exist."


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    @route("/issue/<ref>/comment", methods=("GET", "POST"))
    def comment_list(version: str, ref: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        with_properties = "properties" in list_arg("expand")
        if request.method == "POST":
            data = body_object()
            body = comments.check_body(data.get("body"), version)
            properties = comments.check_properties(data.get("properties"))
            with ctx.store.lock:
                comment = comments.add(
                    ctx,
                    issue,
                    body,
                    actor(),
                    properties=properties,
                    visibility=data.get("visibility"),
                )
            return created(
                comments.comment_json(
                    ctx, issue, comment, base_url(), version, with_properties=with_properties
                )
            )
        order = request.args.get("orderBy", "created")
        if order.lstrip("+-") != "created":
            raise ApiError(
                400, f"The orderBy value '{order}' is not supported; use created or -created."
            )
        ordered = list(issue["comments"])
        if order.startswith("-"):
            ordered.reverse()
        start = int_arg("startAt", 0)
        limit = int_arg("maxResults", 5000, minimum=0)
        page = ordered[start : start + limit]
        return jsonify(
            {
                "startAt": start,
                "maxResults": limit,
                "total": len(ordered),
                "comments": [
                    comments.comment_json(
                        ctx, issue, c, base_url(), version, with_properties=with_properties
                    )
                    for c in page
                ],
            }
        )

    @route("/issue/<ref>/comment/<comment_id>", methods=("GET", "PUT", "DELETE"))
    def comment(version: str, ref: str, comment_id: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        with_properties = "properties" in list_arg("expand")
        if request.method == "GET":
            found = comments.find(issue, comment_id)
            return jsonify(
                comments.comment_json(
                    ctx, issue, found, base_url(), version, with_properties=with_properties
                )
            )
        if request.method == "DELETE":
            with ctx.store.lock:
                comments.remove(ctx, issue, comment_id)
            return no_content()
        data = body_object()
        comments.find(issue, comment_id)  # 404 before 400, as Jira
        body = comments.check_body(data.get("body"), version)
        with ctx.store.lock:
            updated = comments.update(ctx, issue, comment_id, body, actor())
            for key, value in comments.check_properties(data.get("properties")).items():
                comments.set_property(ctx, issue, comment_id, key, value)
        return jsonify(
            comments.comment_json(
                ctx, issue, updated, base_url(), version, with_properties=with_properties
            )
        )

    @route("/comment/<comment_id>/properties")
    def comment_property_keys(version: str, comment_id: str) -> ResponseReturnValue:
        _issue, found = comments.find_anywhere(ctx, comment_id)
        prefix = f"{base_url()}rest/api/{version}/comment/{comment_id}/properties/"
        return jsonify(
            {
                "keys": [
                    {
                        "self": f"{prefix}{key}",
                        "key": key,
                    }
                    for key in found["properties"]
                ]
            }
        )

    @route("/comment/<comment_id>/properties/<key>", methods=("GET", "PUT", "DELETE"))
    def comment_property(version: str, comment_id: str, key: str) -> ResponseReturnValue:
        issue, found = comments.find_anywhere(ctx, comment_id)
        if request.method == "GET":
            if key not in found["properties"]:
                raise ApiError(404, PROPERTY_NOT_FOUND.format(key))
            return jsonify({"key": key, "value": found["properties"][key]})
        if request.method == "DELETE":
            if key not in found["properties"]:
                raise ApiError(404, PROPERTY_NOT_FOUND.format(key))
            with ctx.store.lock:
                del found["properties"][key]
                ctx.store.put("jira.issue", issue["id"], issue)
            return no_content()
        value = json_body()
        if len(key) > 255:
            raise ApiError(400, "The property key can not be longer than 255 characters.")
        with ctx.store.lock:
            was_new = comments.set_property(ctx, issue, comment_id, key, value)
        return jsonify({}), (201 if was_new else 200)
