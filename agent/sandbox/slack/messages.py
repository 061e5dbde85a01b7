"""``chat.postMessage``, ``chat.update`` and ``chat.postEphemeral``.

Posting resolves the channel like Slack (an id, ``#name``, or a user id that
means "DM this person"), applies the per-channel rate limit, then checks
membership, archive state, text, blocks, metadata and thread.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import shapes, workspace
from agent.sandbox.slack.call import Call, Handler
from agent.sandbox.slack.validation import check_text, parse_blocks, parse_metadata
from agent.sandbox.store import Doc


def _target(call: Call) -> Doc:
    """The conversation to post in; a user id opens (or reuses) the bot's DM with them."""
    value = call.args.required("channel")
    if value[:1] in ("U", "W"):
        person = call.slack_user(value)
        if person is None or person.get("deleted"):
            raise SlackError("channel_not_found")
        doc, _ = workspace.open_dm(call.ctx, value)
        return doc
    return call.channel(by_name=True)


def post_message(call: Call) -> dict[str, Any]:
    channel = _target(call)
    call.limits.posts.check(channel["id"])
    call.require_active(channel)
    call.require_member(channel)
    blocks = parse_blocks(call.args)
    metadata = parse_metadata(call.args)
    text = check_text(call.args.string("text"), blocks)
    doc = workspace.post_message(
        call.ctx,
        channel["id"],
        text,
        call.actor_id,
        thread_ts=call.args.string("thread_ts") or None,
        blocks=blocks,
        metadata=metadata,
        reply_broadcast=call.args.boolean("reply_broadcast"),
    )
    return {
        "channel": channel["id"],
        "ts": doc["ts"],
        "message": shapes.message(doc, with_metadata=True),
    }


def update(call: Call) -> dict[str, Any]:
    channel = call.channel()
    message = call.message(channel)
    if message.get("user") != call.actor_id or message.get("subtype"):
        raise SlackError("cant_update_message")
    call.require_active(channel)
    blocks = parse_blocks(call.args)
    metadata = parse_metadata(call.args)
    text = call.args.string("text")
    if text is None and blocks is None:
        raise SlackError("no_text")
    if text is not None:
        check_text(text, blocks)
    workspace.update_message(
        call.ctx, message, text=text, blocks=blocks, metadata=metadata, by=call.actor_id
    )
    shape = shapes.message(message, with_metadata=True)
    return {
        "channel": channel["id"],
        "ts": message["ts"],
        "text": message["text"],
        "message": shape,
    }


def post_ephemeral(call: Call) -> dict[str, Any]:
    channel = call.channel(by_name=True)
    user_id = call.args.required("user")
    call.require_active(channel)
    call.require_member(channel)
    if call.slack_user(user_id) is None or user_id not in channel["members"]:
        raise SlackError("user_not_in_channel")
    blocks = parse_blocks(call.args)
    text = check_text(call.args.string("text"), blocks)
    ts = call.ctx.clock.slack_ts()
    doc: Doc = {"channel": channel["id"], "user": user_id, "ts": ts, "text": text}
    if blocks is not None:
        doc["blocks"] = blocks
    call.ctx.store.put(workspace.EPHEMERAL_KIND, f"{channel['id']}:{ts}", doc)
    return {"message_ts": ts}


METHODS: dict[str, Handler] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
}
