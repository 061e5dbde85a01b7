"""Dispatch of ``/api/<method>`` to the handler for each Slack Web API method.

Every method answers POST (form or JSON body) and GET (query string), like
Slack. Success is ``{"ok": true, ...}`` with HTTP 200; handlers raise
SlackError for failures, which the app renders as ``{"ok": false, "error"}``.
"""

from __future__ import annotations

import json

from flask import Flask, Response, g, request

from agent.sandbox.api_errors import SlackError
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import channels, message_history, messages, pins, users
from agent.sandbox.slack.args import Args
from agent.sandbox.slack.call import Call, Handler
from agent.sandbox.slack.ratelimit import SlackRateLimits, register_control

METHODS: dict[str, Handler] = {
    **users.METHODS,
    **channels.METHODS,
    **message_history.METHODS,
    **messages.METHODS,
    **pins.METHODS,
}


def register(app: Flask, ctx: SandboxContext) -> SlackRateLimits:
    """Add the Web API route and the rate-limit control route; returns the limits."""
    limits = SlackRateLimits.for_realism(ctx.realism)
    app.extensions["sandbox.slack.ratelimits"] = limits
    register_control(app, limits, ctx.realism)

    def web_api(method: str) -> Response:
        handler = METHODS.get(method)
        if handler is None:
            raise SlackError("unknown_method", status=404, req_method=method)
        limits.methods.check(method)  # each method's tier, before anything else
        call = Call(
            ctx=ctx,
            args=Args.from_request(request),
            actor=g.user,
            limits=limits,
            host_url=request.host_url,
        )
        body = {"ok": True, **handler(call)}
        return app.response_class(
            json.dumps(body), status=200, mimetype="application/json; charset=utf-8"
        )

    app.add_url_rule("/api/<method>", "slack_web_api", web_api, methods=["GET", "POST"])
    return limits
