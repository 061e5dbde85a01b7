"""The control surface under ``/_sandbox/``: identity, clock, faults, people, realism,
request log, reset.

Only the sandbox has this; tests and the demo use it to move time, inject
failures, add people and count calls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.runtime.site_identity import IDENTITY, IDENTITY_PATH
from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.faults import FaultConfigError
from agent.sandbox.json_body import json_body
from agent.sandbox.realism import register_control as register_realism
from agent.sandbox.seed import apply_seed
from agent.sandbox.user_directory import UserDirectory, email_visible, valid_zone


def _public_user(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": doc["accountId"],
        "email": doc["emailAddress"],
        "name": doc["displayName"],
        "slackId": doc.get("slackId"),
        "email_visible": email_visible(doc),
        "timezone": doc.get("timeZone", "UTC"),
    }


_USER_HELP = (
    'Send {"name": ..., "email": ..., "slack": true, "email_visible": true, '
    '"timezone": "Europe/Berlin"}.'
)


def _profile(data: dict[str, Any]) -> tuple[bool | None, str | None]:
    """``email_visible`` and ``timezone`` from a users request, checked (None: not given)."""
    visible = data.get("email_visible")
    if visible is not None and not isinstance(visible, bool):
        raise ApiError(400, f"email_visible must be true or false. {_USER_HELP}")
    zone = data.get("timezone")
    if zone is not None:
        try:
            zone = valid_zone(str(zone))
        except ValueError as exc:
            raise ApiError(400, f"timezone: {exc}") from exc
    return visible, zone


def register(app: Flask, ctx: SandboxContext) -> None:
    register_realism(app, ctx.realism)

    @app.route(IDENTITY_PATH, methods=["GET"])
    def identity() -> ResponseReturnValue:
        """What ``agent.runtime.site_identity`` asks before it lets the example packs run."""
        return jsonify(IDENTITY)

    @app.route("/_sandbox/clock", methods=["GET", "POST"])
    def clock() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict):
                raise ApiError(400, 'Send {"now": ISO-8601, "frozen": true|false}.')
            now = None
            if data.get("now") is not None:
                try:
                    now = datetime.fromisoformat(str(data["now"]).replace("Z", "+00:00"))
                except ValueError as exc:
                    raise ApiError(400, f"now is not an ISO-8601 time: {data['now']!r}") from exc
            frozen = data.get("frozen")
            if frozen is not None and not isinstance(frozen, bool):
                raise ApiError(400, "frozen must be true or false")
            ctx.clock.set(now, frozen)
        return jsonify(ctx.clock.state())

    @app.route("/_sandbox/faults", methods=["GET", "POST", "DELETE"])
    def faults() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict):
                raise ApiError(400, "Send a JSON object with rate, statuses, retry_after, ...")
            try:
                ctx.faults.configure(data)
            except FaultConfigError as exc:
                raise ApiError(400, str(exc)) from exc
        elif request.method == "DELETE":
            ctx.faults.clear()
        return jsonify({**ctx.faults.plan.as_dict(), "injected": ctx.faults.injected})

    @app.route("/_sandbox/users", methods=["GET", "POST"])
    def users() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict) or not data.get("email") or not data.get("name"):
                raise ApiError(400, _USER_HELP)
            visible, zone = _profile(data)
            doc = ctx.users.create(
                str(data["name"]), str(data["email"]), slack=bool(data.get("slack", True))
            )
            doc = ctx.users.set_profile(doc, email_visible=visible, timezone=zone)
            return jsonify(_public_user(doc)), 201
        return jsonify([_public_user(doc) for doc in ctx.users.all()])

    @app.route("/_sandbox/users/<account_id>", methods=["DELETE"])
    def delete_user(account_id: str) -> ResponseReturnValue:
        doc = ctx.users.by_account_id(account_id)
        if doc is None:
            raise ApiError(404, f"No user {account_id}")
        doc["deleted"] = True
        doc["active"] = False
        ctx.store.put("user", account_id, doc)
        return "", 204

    @app.route("/_sandbox/requests", methods=["GET", "DELETE"])
    def requests_log() -> ResponseReturnValue:
        if request.method == "DELETE":
            ctx.requests.clear()
            return "", 204
        return jsonify(ctx.requests.entries())

    @app.route("/_sandbox/reset", methods=["POST"])
    def reset() -> ResponseReturnValue:
        data = json_body(required=False) or {}
        ctx.store.reset()
        ctx.users = UserDirectory(ctx.store)
        ctx.faults.clear()
        ctx.requests.clear()
        ctx.realism.reset()
        ctx.jira_limits.clear()
        seed_name = data.get("seed", "empty") if isinstance(data, dict) else "empty"
        apply_seed(ctx, str(seed_name))
        return jsonify({"reset": True, "seed": seed_name})
