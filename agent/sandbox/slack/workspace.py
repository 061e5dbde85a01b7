"""The sandbox's Slack workspace: channels, DMs, messages, threads, pins, user groups.

These plain functions are the seeding API (the demo seed, the viewer and tests
use them directly) and the layer the Web API handlers call after checking a
request. They do not check permissions; handlers do.

Storage: channels under ``slack.channel``; each conversation's messages under
their own kind ``slack.message.<channel id>`` keyed by ``ts``, so reading one
channel never scans another; user groups under ``slack.usergroup``.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import shapes
from agent.sandbox.slack.naming import validate_channel_name
from agent.sandbox.store import Doc

CHANNEL_KIND = "slack.channel"
USERGROUP_KIND = "slack.usergroup"
EPHEMERAL_KIND = "slack.ephemeral"


def message_kind(channel_id: str) -> str:
    return f"slack.message.{channel_id}"


def epoch(ctx: SandboxContext) -> int:
    return int(ctx.clock.now().timestamp())


def bot_slack_id(ctx: SandboxContext) -> str:
    slack_id = ctx.users.bot()["slackId"]
    assert isinstance(slack_id, str)
    return slack_id


# -- channels --------------------------------------------------------------
def get_channel(ctx: SandboxContext, channel_id: str) -> Doc | None:
    return ctx.store.get(CHANNEL_KIND, channel_id)


def all_channels(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(CHANNEL_KIND)


def find_channel(ctx: SandboxContext, name: str) -> Doc | None:
    """A channel (archived too) by name, with or without a leading ``#``."""
    wanted = name.removeprefix("#")
    for doc in all_channels(ctx):
        if not doc.get("is_im") and doc.get("name") == wanted:
            return doc
    return None


def create_channel(
    ctx: SandboxContext,
    name: str,
    creator_slack_id: str | None = None,
    is_private: bool = False,
) -> Doc:
    """A new channel with its creator as the only member; Slack's name rules apply.

    Raises SlackError (``invalid_name_*``, ``name_taken``) like the Web API.
    """
    validate_channel_name(name)
    creator = creator_slack_id or bot_slack_id(ctx)
    with ctx.store.lock:
        if find_channel(ctx, name) is not None:
            raise SlackError("name_taken")
        channel_id = f"C{ctx.store.next_id('slack-channel', 1000):08d}"
        empty = {"value": "", "creator": "", "last_set": 0}
        doc: Doc = {
            "id": channel_id,
            "name": name,
            "is_private": is_private,
            "is_im": False,
            "created": epoch(ctx),
            "creator": creator,
            "is_archived": False,
            "topic": dict(empty),
            "purpose": dict(empty),
            "members": [creator],
            "pins": [],
            "previous_names": [],
        }
        ctx.store.put(CHANNEL_KIND, channel_id, doc)
        post_system_message(
            ctx, channel_id, creator, "channel_join", f"<@{creator}> has joined the channel"
        )
    return doc


def add_members(
    ctx: SandboxContext, channel: Doc, user_ids: list[str], inviter: str | None = None
) -> None:
    """Add people to a channel, each announced with Slack's ``channel_join`` message."""
    with ctx.store.lock:
        for user_id in user_ids:
            if user_id in channel["members"]:
                continue
            channel["members"].append(user_id)
            ctx.store.put(CHANNEL_KIND, channel["id"], channel)
            extra = {"inviter": inviter} if inviter and inviter != user_id else {}
            post_system_message(
                ctx,
                channel["id"],
                user_id,
                "channel_join",
                f"<@{user_id}> has joined the channel",
                **extra,
            )


def set_archived(ctx: SandboxContext, channel: Doc, archived: bool, by: str) -> None:
    """Archive (every member leaves) or unarchive (whoever does it is the one member).

    Slack removes everyone from an archived channel, the bot too, which is why
    a bot cannot read, post, join or unarchive it afterwards; unarchiving adds
    the caller back ("The calling user is added to the conversation",
    https://docs.slack.dev/reference/methods/conversations.unarchive).
    """
    with ctx.store.lock:
        channel["is_archived"] = archived
        if archived:
            post_system_message(ctx, channel["id"], by, "channel_archive", "archived the channel")
            channel["members"] = []
        else:
            channel["members"] = [by]
            post_system_message(
                ctx, channel["id"], by, "channel_unarchive", "un-archived the channel"
            )
        ctx.store.put(CHANNEL_KIND, channel["id"], channel)


def set_topic_or_purpose(
    ctx: SandboxContext, channel: Doc, field_name: str, value: str, by: str
) -> None:
    """Set ``topic`` or ``purpose``, with the system message Slack posts for it."""
    with ctx.store.lock:
        channel[field_name] = {"value": value, "creator": by, "last_set": epoch(ctx)}
        ctx.store.put(CHANNEL_KIND, channel["id"], channel)
        if not channel.get("is_im"):
            post_system_message(
                ctx,
                channel["id"],
                by,
                f"channel_{field_name}",
                f"set the channel {field_name}: {value}",
                **{field_name: value},
            )


def open_dm(ctx: SandboxContext, user_slack_id: str) -> tuple[Doc, bool]:
    """The bot's direct-message conversation with a person (``D...``), and whether it existed."""
    bot = bot_slack_id(ctx)
    with ctx.store.lock:
        for doc in all_channels(ctx):
            if doc.get("is_im") and doc.get("user") == user_slack_id:
                return doc, True
        channel_id = f"D{ctx.store.next_id('slack-dm', 1000):08d}"
        empty = {"value": "", "creator": "", "last_set": 0}
        doc = {
            "id": channel_id,
            "name": channel_id,
            "is_im": True,
            "is_private": True,
            "user": user_slack_id,
            "created": epoch(ctx),
            "creator": bot,
            "is_archived": False,
            "topic": dict(empty),
            "purpose": dict(empty),
            "members": list(dict.fromkeys([bot, user_slack_id])),
            "pins": [],
        }
        ctx.store.put(CHANNEL_KIND, channel_id, doc)
        return doc, False


# -- messages --------------------------------------------------------------
def get_message(ctx: SandboxContext, channel_id: str, ts: str) -> Doc | None:
    return ctx.store.get(message_kind(channel_id), ts)


def new_ts(ctx: SandboxContext, channel_id: str) -> str:
    """A fresh ``ts`` for a message in this channel, never one already used there.

    ``SandboxClock.slack_ts`` adds a microsecond in float arithmetic, which at
    today's epoch can round back onto the previous value; a repeated ``ts``
    would overwrite a message, so bump it here. Call with the store lock held.
    """
    seconds, _, micros = ctx.clock.slack_ts().partition(".")
    value = int(seconds) * 1_000_000 + int(micros or 0)
    kind = message_kind(channel_id)
    while ctx.store.get(kind, f"{value // 1_000_000}.{value % 1_000_000:06d}") is not None:
        value += 1
    return f"{value // 1_000_000}.{value % 1_000_000:06d}"


def post_message(  # noqa: PLR0917 - the seeding API's documented signature
    ctx: SandboxContext,
    channel_id: str,
    text: str,
    user_slack_id: str | None = None,
    thread_ts: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    *,
    reply_broadcast: bool = False,
) -> Doc:
    """Store a message as ``user_slack_id`` (the bot by default) and return the stored doc.

    A ``thread_ts`` naming a reply attaches to that reply's parent, as Slack
    does; an unknown one raises ``SlackError("thread_not_found")``.
    """
    if get_channel(ctx, channel_id) is None:
        raise SlackError("channel_not_found")
    user_id = user_slack_id or bot_slack_id(ctx)
    with ctx.store.lock:
        parent: Doc | None = None
        if thread_ts:
            parent = get_message(ctx, channel_id, thread_ts)
            if parent is not None and parent.get("thread_ts") not in (None, parent["ts"]):
                parent = get_message(ctx, channel_id, parent["thread_ts"])
            if parent is None:
                raise SlackError("thread_not_found")
        doc: Doc = {"type": "message", "text": text, "user": user_id}
        if user_id == bot_slack_id(ctx):
            doc["bot_id"] = shapes.BOT_ID
            doc["bot_profile"] = shapes.bot_profile()
        doc["ts"] = new_ts(ctx, channel_id)
        doc["team"] = shapes.TEAM_ID
        if blocks is not None:
            doc["blocks"] = blocks
        if metadata is not None:
            doc["metadata"] = metadata
        if parent is not None:
            doc["thread_ts"] = parent["ts"]
            doc["parent_user_id"] = parent.get("user", "")
            if reply_broadcast:
                doc["subtype"] = "thread_broadcast"
            parent["thread_ts"] = parent["ts"]
            parent.setdefault("replies", []).append([doc["ts"], user_id])
            ctx.store.put(message_kind(channel_id), parent["ts"], parent)
        doc["channel"] = channel_id
        ctx.store.put(message_kind(channel_id), doc["ts"], doc)
    return doc


def post_system_message(
    ctx: SandboxContext, channel_id: str, user_id: str, subtype: str, text: str, **extra: Any
) -> Doc:
    """A message Slack itself posts on a channel event (join, topic, archive...)."""
    with ctx.store.lock:
        doc: Doc = {
            "type": "message",
            "subtype": subtype,
            "ts": new_ts(ctx, channel_id),
            "user": user_id,
            "text": text,
            **extra,
            "channel": channel_id,
        }
        ctx.store.put(message_kind(channel_id), doc["ts"], doc)
    return doc


def update_message(
    ctx: SandboxContext,
    message: Doc,
    *,
    text: str | None,
    blocks: list[dict[str, Any]] | None,
    metadata: dict[str, Any] | None,
    by: str,
) -> Doc:
    with ctx.store.lock:
        if text is not None:
            message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks
        if metadata is not None:
            message["metadata"] = metadata
        message["edited"] = {"user": by, "ts": ctx.clock.slack_ts()}
        ctx.store.put(message_kind(message["channel"]), message["ts"], message)
    return message


def stored_messages(ctx: SandboxContext, channel_id: str) -> list[Doc]:
    """Every stored message of a conversation (replies too), oldest first."""
    return sorted(ctx.store.all(message_kind(channel_id)), key=lambda doc: float(doc["ts"]))


def channel_messages(ctx: SandboxContext, channel_id: str) -> list[Doc]:
    """A conversation's messages and thread replies as Slack shows them (with metadata)."""
    return [
        {**shapes.message(doc, with_metadata=True), "channel": channel_id}
        for doc in stored_messages(ctx, channel_id)
    ]


def in_history(doc: Doc) -> bool:
    """Whether a message shows in the channel (thread replies do not, unless broadcast)."""
    thread_ts = doc.get("thread_ts")
    return thread_ts is None or thread_ts == doc["ts"] or doc.get("subtype") == "thread_broadcast"


# -- pins ------------------------------------------------------------------
def pin(ctx: SandboxContext, channel: Doc, message: Doc, by: str) -> None:
    with ctx.store.lock:
        channel.setdefault("pins", []).append(
            {"ts": message["ts"], "created": epoch(ctx), "created_by": by}
        )
        ctx.store.put(CHANNEL_KIND, channel["id"], channel)
        message["pinned_by"] = by
        ctx.store.put(message_kind(channel["id"]), message["ts"], message)
        post_system_message(
            ctx,
            channel["id"],
            by,
            "pinned_item",
            f"<@{by}> pinned a message to this channel.",
        )


def unpin(ctx: SandboxContext, channel: Doc, message: Doc) -> None:
    with ctx.store.lock:
        channel["pins"] = [entry for entry in channel["pins"] if entry["ts"] != message["ts"]]
        ctx.store.put(CHANNEL_KIND, channel["id"], channel)
        message.pop("pinned_by", None)
        ctx.store.put(message_kind(channel["id"]), message["ts"], message)


# -- user groups -----------------------------------------------------------
def create_usergroup(
    ctx: SandboxContext,
    handle: str,
    name: str,
    user_ids: list[str],
    description: str = "",
) -> Doc:
    """A user group such as ``@sre-oncall`` (``S...``) with the given members."""
    with ctx.store.lock:
        for existing in ctx.store.all(USERGROUP_KIND):
            if existing["handle"] == handle.removeprefix("@"):
                raise ValueError(f"a user group with handle {handle!r} already exists")
        group_id = f"S{ctx.store.next_id('slack-usergroup', 1000):08d}"
        now = epoch(ctx)
        doc: Doc = {
            "id": group_id,
            "handle": handle.removeprefix("@"),
            "name": name,
            "description": description,
            "users": list(user_ids),
            "date_create": now,
            "date_update": now,
            "created_by": bot_slack_id(ctx),
        }
        ctx.store.put(USERGROUP_KIND, group_id, doc)
    return doc


def all_usergroups(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(USERGROUP_KIND)
