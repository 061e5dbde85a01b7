"""Acting as a person in the sandbox's Slack: ``/_sandbox/slack/post`` and ``.../archive``.

The Web API answers only the bot's token, yet tests and people trying a policy
need the humans' side too: an engineer replying in the escalation channel (an
update the agent must see), a lead archiving a channel during a tidy-up. These
control endpoints do what that person would do in Slack's own client:

- ``POST /_sandbox/slack/post {"as": email, "channel": "#name" or id, "text": ...,
  "thread_ts": optional}`` posts as that person and answers ``{"ok": true,
  "channel": id, "ts": ...}``. In a public channel they are not in, they join
  first (as the client's "Join channel" does); a private channel needs them
  to be a member.
- ``POST /_sandbox/slack/archive {"as": email, "channel": "#name" or id}``
  archives the channel as that person (a member of it): every member leaves,
  the bot included.

Failures answer HTTP 400 with Slack's shape and error names
(``{"ok": false, "error": "is_archived"}``). No rate limit applies: the
person's client is not the agent's token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request

from agent.sandbox.api_errors import SlackError
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import workspace
from agent.sandbox.store import Doc


def _field(data: dict[str, Any], name: str, error: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise SlackError(error)
    return value


def _person(ctx: SandboxContext, data: dict[str, Any]) -> str:
    """The Slack id of the person named by ``as`` (an email)."""
    email = _field(data, "as", "users_not_found")
    person = ctx.users.by_email(email)
    if person is None or not person.get("slackId") or person.get("deleted"):
        raise SlackError("users_not_found")
    slack_id = person["slackId"]
    assert isinstance(slack_id, str)
    return slack_id


def _channel(ctx: SandboxContext, data: dict[str, Any], person: str) -> Doc:
    """The channel by ``#name`` or id, as the person sees it (not someone else's DM)."""
    value = _field(data, "channel", "channel_not_found")
    channel = (
        workspace.find_channel(ctx, value)
        if value.startswith("#")
        else workspace.get_channel(ctx, value)
    )
    if channel is None:
        raise SlackError("channel_not_found")
    private = channel.get("is_private") or channel.get("is_im")
    if private and person not in channel.get("members", []):
        raise SlackError("channel_not_found")  # invisible to non-members, as in Slack
    return channel


def post_as(ctx: SandboxContext, data: dict[str, Any]) -> dict[str, Any]:
    person = _person(ctx, data)
    channel = _channel(ctx, data, person)
    if channel.get("is_archived"):
        raise SlackError("is_archived")
    text = _field(data, "text", "no_text")
    thread_ts = data.get("thread_ts")
    if thread_ts is not None and not isinstance(thread_ts, str):
        raise SlackError("thread_not_found")
    if person not in channel.get("members", []):
        workspace.add_members(ctx, channel, [person])  # a public channel: the client joins first
    doc = workspace.post_message(ctx, channel["id"], text, person, thread_ts=thread_ts or None)
    return {"ok": True, "channel": channel["id"], "ts": doc["ts"]}


def archive_as(ctx: SandboxContext, data: dict[str, Any]) -> dict[str, Any]:
    person = _person(ctx, data)
    channel = _channel(ctx, data, person)
    if channel.get("is_im"):
        raise SlackError("method_not_supported_for_channel_type")
    if channel.get("is_archived"):
        raise SlackError("already_archived")
    if person not in channel.get("members", []):
        raise SlackError("not_in_channel")
    workspace.set_archived(ctx, channel, True, person)
    return {"ok": True}


Action = Callable[[SandboxContext, dict[str, Any]], dict[str, Any]]


def register(app: Flask, ctx: SandboxContext) -> None:
    """Add ``/_sandbox/slack/post`` and ``/_sandbox/slack/archive``."""

    def act(do: Action) -> Response:
        data = request.get_json(silent=True)
        try:
            if not isinstance(data, dict):
                raise SlackError("invalid_arguments")
            answer = jsonify(do(ctx, data))
        except SlackError as exc:
            answer = jsonify({"ok": False, "error": exc.error})
            answer.status_code = 400
        return answer

    app.add_url_rule(
        "/_sandbox/slack/post", "sandbox_slack_post", lambda: act(post_as), methods=["POST"]
    )
    app.add_url_rule(
        "/_sandbox/slack/archive",
        "sandbox_slack_archive",
        lambda: act(archive_as),
        methods=["POST"],
    )
