"""``pins.add``, ``pins.list`` and ``pins.remove`` for messages."""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import shapes, workspace
from agent.sandbox.slack.call import Call, Handler
from agent.sandbox.store import Doc


def _pinned_message(call: Call) -> tuple[Doc, Doc]:
    channel = call.channel()
    if not call.args.has("timestamp"):
        raise SlackError("no_item_specified")
    call.require_member(channel)
    return channel, call.message(channel, "timestamp")


def add(call: Call) -> dict[str, Any]:
    channel, message = _pinned_message(call)
    if any(entry["ts"] == message["ts"] for entry in channel.get("pins", [])):
        raise SlackError("already_pinned")
    call.require_active(channel)
    workspace.pin(call.ctx, channel, message, call.actor_id)
    return {}


def remove(call: Call) -> dict[str, Any]:
    channel, message = _pinned_message(call)
    if not any(entry["ts"] == message["ts"] for entry in channel.get("pins", [])):
        raise SlackError("not_pinned")
    workspace.unpin(call.ctx, channel, message)
    return {}


def list_pins(call: Call) -> dict[str, Any]:
    channel = call.channel()
    items = []
    for entry in reversed(channel.get("pins", [])):
        message = workspace.get_message(call.ctx, channel["id"], entry["ts"])
        if message is None:
            continue  # the message was deleted; Slack drops its pin
        items.append(
            {
                "type": "message",
                "created": entry["created"],
                "created_by": entry["created_by"],
                "channel": channel["id"],
                "message": shapes.message(message),
            }
        )
    return {"items": items}


METHODS: dict[str, Handler] = {
    "pins.add": add,
    "pins.list": list_pins,
    "pins.remove": remove,
}
