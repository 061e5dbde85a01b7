"""Issue routes: create (single and bulk), read, edit, delete, changelog and
transitions.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import comments, issues, workflow
from agent.sandbox.jira.documents import require_issue
from agent.sandbox.jira.fieldinput import FieldInput
from agent.sandbox.jira.route_helpers import (
    actor,
    base_url,
    body_object,
    bool_arg,
    cloud_only,
    created,
    int_arg,
    list_arg,
    no_content,
    router,
)
from agent.sandbox.jira.serializers import IssueRenderer, select_fields, transition_json
from agent.sandbox.store import Doc


def create_one(ctx: SandboxContext, data: Any, version: str) -> Doc:
    """Validate and store one issue from a create request's body."""
    if not isinstance(data, dict):
        raise ApiError(400, "Can not deserialize the issue: send an object with 'fields'.")
    with ctx.store.lock:
        doc, extra_comments = issues.build_issue(
            ctx, data.get("fields"), data.get("update"), actor(), version=version
        )
        bodies = [comments.check_body(body, version) for body in extra_comments]
        doc["properties"] = issues.check_properties(data.get("properties"))
        issues.save_new(ctx, [doc])
        for body in bodies:
            comments.add(ctx, doc, body, actor())
    return doc


def _reference(doc: Doc, version: str) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "key": doc["key"],
        "self": f"{base_url()}rest/api/{version}/issue/{doc['id']}",
    }


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    @route("/issue", methods=("POST",))
    def create_issue(version: str) -> ResponseReturnValue:
        doc = create_one(ctx, body_object(), version)
        return created(_reference(doc, version))

    @route("/issue/bulk", methods=("POST",))
    def create_bulk(version: str) -> ResponseReturnValue:
        data = body_object()
        updates = data.get("issueUpdates")
        if not isinstance(updates, list):
            problem = {
                "status": 400,
                "elementErrors": {
                    "errorMessages": ["Field 'issueUpdates' must be a list of issues to create."],
                    "errors": {},
                },
                "failedElementNumber": 0,
            }
            return jsonify({"issues": [], "errors": [problem]}), 400
        made: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for number, item in enumerate(updates):
            try:
                made.append(_reference(create_one(ctx, item, version), version))
            except ApiError as exc:
                failed.append(
                    {
                        "status": exc.status,
                        "elementErrors": {
                            "errorMessages": [exc.message] if exc.message else [],
                            "errors": exc.errors,
                        },
                        "failedElementNumber": number,
                    }
                )
        body = {"issues": made, "errors": failed}
        return jsonify(body), (201 if made or not failed else 400)

    @route("/issue/<ref>", methods=("GET", "PUT", "DELETE"))
    def issue(version: str, ref: str) -> ResponseReturnValue:
        doc = require_issue(ctx, ref)
        if request.method == "GET":
            renderer = IssueRenderer(
                ctx,
                base_url(),
                version,
                select_fields(ctx, request.args.getlist("fields"), "*all"),
                viewer=actor()["accountId"],
            )
            with ctx.store.lock:  # a consistent view while other requests write
                body = renderer.issue(doc, list_arg("expand"), list_arg("properties"))
            return jsonify(body)
        if request.method == "DELETE":
            issues.delete(ctx, doc, bool_arg("deleteSubtasks"))
            return no_content()
        data = body_object()
        with ctx.store.lock:
            extra_comments = issues.edit(
                ctx, doc, data.get("fields"), data.get("update"), actor(), version=version
            )
            for body in extra_comments:
                comments.add(ctx, doc, comments.check_body(body, version), actor())
        if bool_arg("returnIssue"):
            renderer = IssueRenderer(
                ctx, base_url(), version, select_fields(ctx, [], "*all"), actor()["accountId"]
            )
            return jsonify(renderer.issue(doc))
        return no_content()

    @route("/issue/<ref>/assignee", methods=("PUT",))
    def assign(version: str, ref: str) -> ResponseReturnValue:
        doc = require_issue(ctx, ref)
        data = body_object()
        who: Any = None
        if data.get("accountId") is not None or data.get("name") is not None:
            who = data
        with ctx.store.lock:
            issues.edit(ctx, doc, {"assignee": who}, None, actor(), version=version)
        return no_content()

    @route("/issue/<ref>/changelog")
    def changelog(version: str, ref: str) -> ResponseReturnValue:
        cloud_only(app)  # Data Center reads history through expand=changelog only
        doc = require_issue(ctx, ref)
        start = int_arg("startAt", 0)
        limit = int_arg("maxResults", 100, minimum=1)
        renderer = IssueRenderer(ctx, base_url(), version, [])
        histories = doc["changelog"]
        page = histories[start : start + limit]
        return jsonify(
            {
                "self": request.url,
                "maxResults": limit,
                "startAt": start,
                "total": len(histories),
                "isLast": start + len(page) >= len(histories),
                "values": [renderer.history(h) for h in page],
            }
        )

    @route("/issue/<ref>/transitions", methods=("GET", "POST"))
    def transitions(version: str, ref: str) -> ResponseReturnValue:
        doc = require_issue(ctx, ref)
        if request.method == "GET":
            wanted = request.args.get("transitionId")
            found = [
                transition_json(t, base_url(), version)
                for t in workflow.available_transitions(doc)
                if wanted is None or t.id == wanted
            ]
            return jsonify({"expand": "transitions", "transitions": found})
        data = body_object()
        chosen = data.get("transition")
        transition_id = chosen.get("id") if isinstance(chosen, dict) else None
        if isinstance(transition_id, bool) or not isinstance(transition_id, str | int):
            raise ApiError(400, "Missing 'transition' identifier")
        with ctx.store.lock:
            form = FieldInput(ctx, version, doc)
            form.set_fields(data.get("fields"))
            form.apply_update(data.get("update"))
            form.raise_if_errors()
            bodies = [comments.check_body(body, version) for body in form.comments]
            workflow.transition(ctx, doc, str(transition_id), actor(), extra_values=form.values)
            for body in bodies:
                comments.add(ctx, doc, body, actor())
        return no_content()
