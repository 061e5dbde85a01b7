"""What the agent needs from Slack, as a Protocol, plus the adapter's own small types.

The executor depends on :class:`SlackPort` only, so tests can hand it a fake,
and nothing outside ``agent/adapters`` ever sees a ``slack_sdk`` object.
Every message the agent posts carries Slack message metadata
``{"event_type": "escalation_agent_<rule>", "event_payload": {"issue", "rule", "key"}}``
so that after a crash the agent can find what it already posted (by ``key``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from agent.core.model import ChatMessage

T = TypeVar("T")

EVENT_TYPE_PREFIX = "escalation_agent_"
# Slack's rule for metadata event types (letters, digits, "_", "." and "-").
_EVENT_TYPE = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")
_RULE_CHARS = re.compile(r"[^a-z0-9_]+")


class Caller(Protocol):
    """The service's call point (``agent.adapters.calls.ServiceCaller``): retries, typed errors."""

    def call(self, operation: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...


@dataclass(frozen=True)
class BotIdentity:
    """Who the agent is in the workspace (``auth.test``)."""

    user_id: str
    bot_id: str | None
    team_id: str
    team: str
    url: str


@dataclass(frozen=True)
class ChannelRef:
    """A channel the agent uses; ``created`` is False when an existing one was reused.

    ``replaced`` names the ticket's own channels that were found archived and passed
    over for this one (oldest first): a bot can neither unarchive nor rejoin them.
    """

    id: str
    name: str
    created: bool
    replaced: tuple[str, ...] = ()


class ChannelDirectory(Protocol):
    """Channel ids found by name, kept between runs (the state store) so that ``#name``
    needs no ``conversations.list`` at every start."""

    def get(self, name: str) -> str | None: ...

    def put(self, name: str, channel_id: str) -> None: ...

    def forget(self, name: str) -> None: ...


class MemoryChannelDirectory:
    """A :class:`ChannelDirectory` for one process (tests, and adapters built without a store)."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self._ids.get(name)

    def put(self, name: str, channel_id: str) -> None:
        self._ids[name] = channel_id

    def forget(self, name: str) -> None:
        self._ids.pop(name, None)


@dataclass(frozen=True)
class InviteResult:
    """Per person: newly ``invited``, ``already`` a member, or ``failed`` (with Slack's error)."""

    invited: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    failed: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class PostedMessage:
    """A message in a conversation (channel id, not name) and its ``ts``."""

    channel: str
    ts: str


def event_type_for(rule: str) -> str:
    """``escalation_agent_<rule>``, with the rule name reduced to Slack's allowed characters."""
    cleaned = _RULE_CHARS.sub("_", rule.lower()).strip("_")
    if not cleaned:
        raise ValueError(f"rule name {rule!r} has no letters or digits for an event type")
    return EVENT_TYPE_PREFIX + cleaned


def message_metadata(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Slack's ``metadata`` argument; checks what Slack would otherwise reject later."""
    if not _EVENT_TYPE.match(event_type) or not event_type.startswith(EVENT_TYPE_PREFIX):
        raise ValueError(f"event type {event_type!r} must look like {EVENT_TYPE_PREFIX}<rule>")
    key = payload.get("key")
    if not isinstance(key, str) or not key:
        raise ValueError("the metadata payload needs a non-empty 'key' (the action's key)")
    return {"event_type": event_type, "event_payload": dict(payload)}


def metadata_key(message: Mapping[str, Any]) -> str | None:
    """The agent's action key in a message's metadata, or None for anyone else's message."""
    metadata = message.get("metadata")
    if not isinstance(metadata, Mapping):
        return None
    event_type = metadata.get("event_type")
    payload = metadata.get("event_payload")
    if not isinstance(event_type, str) or not event_type.startswith(EVENT_TYPE_PREFIX):
        return None
    if not isinstance(payload, Mapping):
        return None
    key = payload.get("key")
    return key if isinstance(key, str) else None


class SlackPort(Protocol):
    """Channels, invites and messages with metadata: all the agent does in Slack."""

    def auth_test(self) -> BotIdentity: ...

    def user_id_for_email(self, email: str) -> str | None: ...

    def usergroup_id(self, handle: str) -> str | None: ...

    def usergroup_members(self, handle: str) -> tuple[str, ...] | None: ...

    def resolve_channel(self, channel: str) -> str: ...

    def channel_url(self, channel_id: str) -> str: ...

    def ensure_channel(
        self,
        name: str,
        *,
        issue_key: str,
        topic: str,
        purpose: str,
        private: bool = False,
        replace_archived: bool = True,
    ) -> ChannelRef: ...

    def join(self, channel_id: str) -> None: ...

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteResult: ...

    def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        thread_ts: str | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage: ...

    def dm(
        self,
        user_id: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage: ...

    def dm_channel(self, user_id: str) -> str: ...

    def find_message_by_key(
        self, channel: str, key: str, *, oldest: datetime | str | None = None
    ) -> PostedMessage | None: ...

    def marked_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> Mapping[str, PostedMessage]: ...

    def pin(self, channel: str, ts: str) -> bool: ...

    def unpin(self, channel: str, ts: str) -> bool: ...

    def channel_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]: ...

    def top_level_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]: ...

    def thread_replies(self, channel: str, thread_ts: str) -> list[ChatMessage]: ...
