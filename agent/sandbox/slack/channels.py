"""``conversations.*`` methods that manage conversations (not their messages).

Create, list, look up, invite, join, list members, set topic and purpose,
archive and unarchive channels, and open direct messages, with Slack's error
names for each way a call can go wrong.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import paging, shapes, workspace
from agent.sandbox.slack.args import invalid_arguments
from agent.sandbox.slack.call import Call, Handler
from agent.sandbox.store import Doc

MAX_TOPIC_CHARS = 250
MAX_INVITES = 1000
CHANNEL_TYPES = frozenset({"public_channel", "private_channel", "im", "mpim"})


def _not_for_dms(channel: Doc) -> None:
    if channel.get("is_im"):
        raise SlackError("method_not_supported_for_channel_type")


def _type_of(channel: Doc) -> str:
    if channel.get("is_im"):
        return "im"
    if channel.get("is_mpim"):
        return "mpim"
    return "private_channel" if channel.get("is_private") else "public_channel"


def create(call: Call) -> dict[str, Any]:
    name = call.args.string("name")
    if name is None:
        raise invalid_arguments("[ERROR] missing required field: name")
    doc = workspace.create_channel(
        call.ctx, name, call.actor_id, is_private=call.args.boolean("is_private")
    )
    return {"channel": shapes.conversation(doc, viewer=call.actor_id, num_members=False)}


def list_conversations(call: Call) -> dict[str, Any]:
    types = call.args.string_list("types") or ["public_channel"]
    if not set(types) <= CHANNEL_TYPES:
        raise SlackError("invalid_types")
    exclude_archived = call.args.boolean("exclude_archived")
    limit = call.args.integer("limit", 100, minimum=0, maximum=1000) or 100
    visible = [
        doc
        for doc in workspace.all_channels(call.ctx)
        if _type_of(doc) in types
        and call.can_see(doc)
        and not (exclude_archived and doc.get("is_archived"))
    ]
    chunk, next_cursor = paging.page(visible, call.args.string("cursor"), limit, "channel")
    return {
        "channels": [shapes.conversation(doc, viewer=call.actor_id) for doc in chunk],
        **paging.metadata(next_cursor),
    }


def info(call: Call) -> dict[str, Any]:
    channel = call.channel()
    return {
        "channel": shapes.conversation(
            channel,
            viewer=call.actor_id,
            num_members=call.args.boolean("include_num_members"),
        )
    }


def _invite_error(call: Call, channel: Doc, user_id: str) -> str | None:
    if user_id == call.actor_id:
        return "cant_invite_self"
    person = call.slack_user(user_id)
    if person is None:
        return "user_not_found"
    if person.get("deleted"):
        return "cant_invite"
    if user_id in channel["members"]:
        return "already_in_channel"
    return None


def invite(call: Call) -> dict[str, Any]:
    channel = call.channel()
    _not_for_dms(channel)
    user_ids = list(dict.fromkeys(call.args.string_list("users")))
    if not user_ids:
        raise SlackError("no_user")
    if len(user_ids) > MAX_INVITES:
        raise SlackError("too_many_users")
    call.require_active(channel)
    call.require_member(channel)
    errors: list[dict[str, Any]] = []
    valid: list[str] = []
    for user_id in user_ids:
        problem = _invite_error(call, channel, user_id)
        if problem is None:
            valid.append(user_id)
        else:
            errors.append({"user": user_id, "ok": False, "error": problem})
    if errors and (not valid or not call.args.boolean("force")):
        raise SlackError(str(errors[0]["error"]), errors=errors)
    workspace.add_members(call.ctx, channel, valid, inviter=call.actor_id)
    return {"channel": shapes.conversation(channel, viewer=call.actor_id)}


def join(call: Call) -> dict[str, Any]:
    channel = call.channel()
    if channel.get("is_im") or channel.get("is_private"):
        raise SlackError("method_not_supported_for_channel_type")
    call.require_active(channel)
    body: dict[str, Any] = {}
    if call.is_member(channel):
        body = {
            "warning": "already_in_channel",
            "response_metadata": {"warnings": ["already_in_channel"]},
        }
    else:
        workspace.add_members(call.ctx, channel, [call.actor_id])
    return {"channel": shapes.conversation(channel, viewer=call.actor_id), **body}


def members(call: Call) -> dict[str, Any]:
    channel = call.channel()
    limit = call.args.integer("limit", 100, minimum=0, maximum=1000) or 100
    chunk, next_cursor = paging.page(
        channel["members"], call.args.string("cursor"), limit, "member"
    )
    return {"members": chunk, **paging.metadata(next_cursor)}


def _set_text_field(call: Call, field_name: str) -> dict[str, Any]:
    channel = call.channel()
    _not_for_dms(channel)
    value = call.args.string(field_name) or ""
    call.require_active(channel)
    call.require_member(channel)
    if len(value) > MAX_TOPIC_CHARS:
        raise SlackError("too_long")
    workspace.set_topic_or_purpose(call.ctx, channel, field_name, value, call.actor_id)
    return {"channel": shapes.conversation(channel, viewer=call.actor_id)}


def set_topic(call: Call) -> dict[str, Any]:
    return _set_text_field(call, "topic")


def set_purpose(call: Call) -> dict[str, Any]:
    return _set_text_field(call, "purpose")


def archive(call: Call) -> dict[str, Any]:
    channel = call.channel()
    _not_for_dms(channel)
    if channel.get("is_archived"):
        raise SlackError("already_archived")
    call.require_member(channel)
    workspace.set_archived(call.ctx, channel, True, call.actor_id)
    return {}


def unarchive(call: Call) -> dict[str, Any]:
    """Never for the bot: "Bot tokens (xoxb-...) cannot currently be used to unarchive
    conversations" (https://api.slack.com/methods/conversations.unarchive, "Bug alert"),
    and archiving removed it from the channel, so Slack answers ``not_in_channel``."""
    channel = call.channel()
    _not_for_dms(channel)
    if not channel.get("is_archived"):
        raise SlackError("not_archived")
    raise SlackError("not_in_channel")


def open_conversation(call: Call) -> dict[str, Any]:
    if call.args.has("channel"):
        channel = call.channel()
        doc, existed = channel, True
    else:
        user_ids = list(dict.fromkeys(call.args.string_list("users")))
        if not user_ids:
            raise SlackError("users_list_not_supplied")
        if len(user_ids) > 1:
            # group DMs (mpim) are not modelled by the sandbox
            raise SlackError(
                "too_many_users",
                response_metadata={"messages": ["[ERROR] the sandbox opens one-to-one DMs only"]},
            )
        person = call.slack_user(user_ids[0])
        if person is None:
            raise SlackError("user_not_found")
        if person.get("deleted"):
            raise SlackError("user_disabled")
        doc, existed = workspace.open_dm(call.ctx, user_ids[0])
    if call.args.boolean("return_im"):
        channel_shape = shapes.conversation(doc, viewer=call.actor_id)
    else:
        channel_shape = {"id": doc["id"]}
    body: dict[str, Any] = {"channel": channel_shape}
    if existed:
        body.update({"no_op": True, "already_open": True})
    return body


METHODS: dict[str, Handler] = {
    "conversations.create": create,
    "conversations.list": list_conversations,
    "conversations.info": info,
    "conversations.invite": invite,
    "conversations.join": join,
    "conversations.members": members,
    "conversations.setTopic": set_topic,
    "conversations.setPurpose": set_purpose,
    "conversations.archive": archive,
    "conversations.unarchive": unarchive,
    "conversations.open": open_conversation,
}
