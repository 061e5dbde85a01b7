"""Slack for the demo: a tiny script language (channels, posts, thread replies, pins)
replayed on the timeline through the Slack seeding API (not rate-limited).

Texts write mentions as ``@@handle``; they become ``<@U...>`` with the person's
Slack id when the message is posted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.organisation import slack_id
from agent.sandbox.demo.timeline import Timeline
from agent.sandbox.slack import workspace

_MENTION = re.compile(r"@@([a-z0-9-]+)")
_SLUG = re.compile(r"[^a-z0-9]+")
BOT = "bot"  # author handle for the agent's Slack bot


def escalation_channel(prefix: str, key: str, summary: str) -> str:
    """The name the packs give an escalation channel: ``ds-3-autopay-not-triggering``."""
    number = key.split("-", 1)[1]
    slug = _SLUG.sub("-", summary.lower()).strip("-")
    return f"{prefix}-{number}-{slug}"[:80].rstrip("-")


@dataclass
class SlackScript:
    """Schedules Slack events; posts can be labelled so replies and pins can find them."""

    ctx: SandboxContext
    timeline: Timeline
    _channels: dict[str, str] = field(default_factory=dict)  # name -> id
    _posts: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> (channel, ts)

    def _user(self, handle: str) -> str:
        return workspace.bot_slack_id(self.ctx) if handle == BOT else slack_id(self.ctx, handle)

    def _text(self, text: str) -> str:
        return _MENTION.sub(lambda m: f"<@{self._user(m.group(1))}>", text)

    def channel_id(self, name: str) -> str:
        return self._channels[name]

    def channel(
        self,
        ago: timedelta,
        name: str,
        creator: str,
        members: tuple[str, ...],
        purpose: str = "",
    ) -> None:
        def create() -> None:
            creator_id = self._user(creator)
            doc = workspace.create_channel(self.ctx, name, creator_id)
            self._channels[name] = doc["id"]
            if purpose:
                workspace.set_topic_or_purpose(self.ctx, doc, "purpose", purpose, creator_id)
            workspace.add_members(self.ctx, doc, [self._user(m) for m in members], creator_id)

        self.timeline.at(ago, create)

    def post(
        self,
        ago: timedelta,
        channel: str,
        who: str,
        text: str,
        *,
        label: str | None = None,
        reply_to: str | None = None,
    ) -> None:
        def send() -> None:
            channel_id = self._channels[channel]
            thread_ts = self._posts[reply_to][1] if reply_to else None
            doc = workspace.post_message(
                self.ctx, channel_id, self._text(text), self._user(who), thread_ts
            )
            if label:
                self._posts[label] = (channel_id, doc["ts"])

        self.timeline.at(ago, send)

    def pin(self, ago: timedelta, label: str, by: str) -> None:
        def pin_it() -> None:
            channel_id, ts = self._posts[label]
            channel = workspace.get_channel(self.ctx, channel_id)
            message = workspace.get_message(self.ctx, channel_id, ts)
            if channel is None or message is None:
                raise KeyError(f"nothing to pin for {label!r}")
            workspace.pin(self.ctx, channel, message, self._user(by))

        self.timeline.at(ago, pin_it)

    def archive(self, ago: timedelta, channel: str, by: str) -> None:
        def archive_it() -> None:
            doc = workspace.get_channel(self.ctx, self._channels[channel])
            if doc is None:
                raise KeyError(f"no channel {channel!r} to archive")
            workspace.set_archived(self.ctx, doc, True, self._user(by))

        self.timeline.at(ago, archive_it)
