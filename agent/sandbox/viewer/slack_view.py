"""Slack channels and messages as the viewer shows them: newest message first, each
thread's replies under their parent in the order they were written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import workspace
from agent.sandbox.store import Doc
from agent.sandbox.viewer.mrkdwn import mrkdwn_to_html
from agent.sandbox.viewer.timefmt import from_slack_ts


@dataclass(frozen=True)
class ChannelRow:
    id: str
    name: str
    is_private: bool
    is_archived: bool
    members: int
    messages: int
    purpose: str


@dataclass
class MessageView:
    ts: str
    author: str
    when: str
    html: Markup
    system: bool
    by_bot: bool
    pinned: bool
    replies: list[MessageView] = field(default_factory=list)


@dataclass(frozen=True)
class ChannelView:
    row: ChannelRow
    topic: str
    member_names: list[str]
    messages: list[MessageView]


def user_name(ctx: SandboxContext, slack_id: str) -> str:
    user = ctx.users.by_slack_id(slack_id)
    if user is None:
        return slack_id
    name = str(user["displayName"])
    return f"{name} (deactivated)" if user.get("deleted") else name


def _title(ctx: SandboxContext, channel: Doc) -> str:
    if channel.get("is_im"):
        return f"DM with {user_name(ctx, str(channel.get('user', '')))}"
    return f"#{channel['name']}"


def _row(ctx: SandboxContext, channel: Doc) -> ChannelRow:
    return ChannelRow(
        id=channel["id"],
        name=_title(ctx, channel),
        is_private=bool(channel.get("is_private")) and not channel.get("is_im"),
        is_archived=bool(channel.get("is_archived")),
        members=len(channel.get("members", [])),
        messages=ctx.store.count(workspace.message_kind(channel["id"])),
        purpose=str((channel.get("purpose") or {}).get("value", "")),
    )


def channels(ctx: SandboxContext) -> list[ChannelRow]:
    """Channels by name, direct messages after them."""
    docs = sorted(workspace.all_channels(ctx), key=lambda c: (bool(c.get("is_im")), c["name"]))
    return [_row(ctx, doc) for doc in docs]


def group_name(ctx: SandboxContext, group_id: str) -> str | None:
    group = ctx.store.get(workspace.USERGROUP_KIND, group_id)
    return str(group["handle"]) if group is not None and group.get("handle") else None


def _blocks_html(blocks: list[Any], mrkdwn: Callable[[str], Markup]) -> Markup:
    """Block Kit as Slack lays it out: sections, fields two abreast, a small context line."""
    out: list[Markup] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "header":
            text = str((block.get("text") or {}).get("text", ""))
            out.append(Markup('<div class="bk-header">{0}</div>').format(text))
        elif kind == "section":
            if isinstance(block.get("text"), dict):
                html = mrkdwn(str(block["text"].get("text", "")))
                out.append(Markup('<div class="bk-section">{0}</div>').format(html))
            fields = [mrkdwn(str(f.get("text", ""))) for f in block.get("fields", [])]
            if fields:
                cells = Markup("").join(
                    Markup('<div class="bk-field">{0}</div>').format(f) for f in fields
                )
                out.append(Markup('<div class="bk-fields">{0}</div>').format(cells))
        elif kind == "context":
            items = [mrkdwn(str(e.get("text", ""))) for e in block.get("elements", [])]
            line = Markup(" ").join(items)
            out.append(Markup('<div class="bk-context">{0}</div>').format(line))
        elif kind == "divider":
            out.append(Markup('<hr class="bk-divider">'))
    return Markup("").join(out)


def _message(ctx: SandboxContext, doc: Doc) -> MessageView:
    by_bot = bool(doc.get("bot_id"))
    author = "escalation-agent (bot)" if by_bot else user_name(ctx, str(doc.get("user", "")))

    def mrkdwn(text: str) -> Markup:
        return mrkdwn_to_html(
            text, lambda uid: user_name(ctx, uid), lambda gid: group_name(ctx, gid)
        )

    blocks = doc.get("blocks")
    return MessageView(
        ts=doc["ts"],
        author=author,
        when=from_slack_ts(doc["ts"]),
        html=_blocks_html(blocks, mrkdwn)
        if isinstance(blocks, list) and blocks
        else mrkdwn(str(doc.get("text", ""))),
        system=doc.get("subtype") not in (None, "thread_broadcast", "bot_message"),
        by_bot=by_bot,
        pinned=bool(doc.get("pinned_by")),
    )


def channel(ctx: SandboxContext, channel_id: str) -> ChannelView | None:
    doc = workspace.get_channel(ctx, channel_id)
    if doc is None:
        return None
    stored = workspace.stored_messages(ctx, channel_id)
    views = {m["ts"]: _message(ctx, m) for m in stored}
    top: list[MessageView] = []
    for message in stored:
        view = views[message["ts"]]
        parent_ts = message.get("thread_ts")
        if parent_ts and parent_ts != message["ts"] and parent_ts in views:
            views[parent_ts].replies.append(view)
            if message.get("subtype") != "thread_broadcast":
                continue
        top.append(view)
    top.reverse()
    return ChannelView(
        row=_row(ctx, doc),
        topic=str((doc.get("topic") or {}).get("value", "")),
        member_names=sorted(user_name(ctx, m) for m in doc.get("members", [])),
        messages=top,
    )
