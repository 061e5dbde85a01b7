"""Read-only Slack look-ups for ``check`` and ``users``: channels, members, groups, people.

The cycle's adapter (``slack_adapter``) finds what it needs as it acts; before a
first run an operator wants the whole picture at once: does every channel a
policy names exist, is the bot in it, who is in it, does every user group
exist. Each answer is read once per command through the service's call point.
Scopes: ``channels:read`` and ``groups:read`` (channels, members),
``usergroups:read`` (groups), ``users:read.email`` (people by email).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.adapters.slack_api import MAX_PAGES, PAGE_SIZE, SlackApi, next_cursor
from agent.adapters.slack_channels import CHANNEL_TYPES
from agent.adapters.slack_port import Caller
from agent.adapters.slack_usergroups import UserGroups, handle_of


@dataclass(frozen=True)
class ChannelFacts:
    """What ``conversations.list`` says of a channel, as far as posting there goes."""

    id: str
    name: str
    private: bool
    archived: bool
    bot_is_member: bool


class SlackDirectory:
    """Channels by name, channel members, user-group members and people by email."""

    def __init__(self, client: Any, caller: Caller) -> None:
        self._api = SlackApi(client, caller)
        self._groups = UserGroups(self._api)
        self._channels: dict[str, ChannelFacts] | None = None
        self._members: dict[str, frozenset[str]] = {}
        self._by_email: dict[str, str | None] = {}

    def channel(self, name: str) -> ChannelFacts | None:
        """The channel named ``name`` (``#`` optional) that the bot can see, or None.

        Slack lists private channels only to their members, so a private channel
        the bot is not in reads as missing."""
        if self._channels is None:
            self._channels = {
                str(raw["name"]): ChannelFacts(
                    id=str(raw["id"]),
                    name=str(raw["name"]),
                    private=bool(raw.get("is_private")),
                    archived=bool(raw.get("is_archived")),
                    bot_is_member=bool(raw.get("is_member")),
                )
                for raw in self._api.paged(
                    "conversations.list", "channels", types=CHANNEL_TYPES, exclude_archived=False
                )
                if raw.get("name") and raw.get("id")
            }
        return self._channels.get(name.strip().removeprefix("#"))

    def members(self, channel_id: str) -> frozenset[str]:
        """The Slack user ids in a channel (``conversations.members``, page after page)."""
        if channel_id not in self._members:
            found: set[str] = set()
            cursor = ""
            for _ in range(MAX_PAGES):
                args: dict[str, Any] = {"channel": channel_id, "limit": PAGE_SIZE}
                if cursor:
                    args["cursor"] = cursor
                page = self._api.call("conversations.members", **args)
                found.update(user for user in page.get("members") or [] if isinstance(user, str))
                cursor = next_cursor(page)
                if not cursor:
                    break
            self._members[channel_id] = frozenset(found)
        return self._members[channel_id]

    def group_members(self, handle: str) -> tuple[str, ...] | None:
        """The Slack ids in the user group ``@handle``, or None when there is no such group."""
        return self._groups.members(handle_of(handle))

    def user_id_for_email(self, email: str) -> str | None:
        """The Slack user id with this email, or None (``users.lookupByEmail``)."""
        wanted = email.strip().lower()
        if wanted not in self._by_email:
            answer = self._api.call(
                "users.lookupByEmail", tolerate=frozenset({"users_not_found"}), email=wanted
            )
            user = answer.get("user") if answer.get("ok") else None
            found = None
            if isinstance(user, dict) and not user.get("deleted") and user.get("id"):
                found = str(user["id"])
            self._by_email[wanted] = found
        return self._by_email[wanted]
