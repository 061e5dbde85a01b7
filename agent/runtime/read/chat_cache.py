"""Escalation-channel messages kept between cycles, so quiet channels are not re-read.

Messages only ever count as updates, and more updates can only make a clock
rule less overdue. So planning with an older copy of a channel can only plan
MORE nudges, never fewer: the cycle re-reads exactly the channels of tickets
that would get an action or have an open obligation, and plans again (see
``agent.runtime.fresh_plan``). Policies with a rule that reads the content of
the latest update (``update_next_missing``) always read fresh.

When a ticket's channel is archived nobody can read it again, so its messages
are carried over to the ticket's next channel: updates given there still count.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from agent.core.model import ChatMessage
from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

MESSAGES_NAMESPACE = "channel-messages"


def _message_to_json(message: ChatMessage) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "ts": message.ts,
        "user": message.user_slack_id,
        "text": message.text,
        "at": message.at.isoformat(),
        "email": message.user_email,
    }


def _message_from_json(data: dict[str, Any]) -> ChatMessage:
    at = datetime.fromisoformat(str(data["at"]))
    if at.tzinfo is None:
        raise ValueError("message time lacks a time zone")
    return ChatMessage(
        channel=str(data["channel"]),
        ts=str(data["ts"]),
        user_slack_id=data.get("user"),
        text=str(data.get("text", "")),
        at=at,
        user_email=data.get("email"),
    )


class ChatCache:
    """Per-issue copies of its escalation channel's messages (kv ``channel-messages``)."""

    def __init__(self, store: StateStore, *, writable: bool) -> None:
        self.store = store
        self.writable = writable
        self._loaded: dict[str, Any] | None = None

    def _all(self) -> dict[str, Any]:
        if self._loaded is None:
            self._loaded = self.store.kv_all(MESSAGES_NAMESPACE)
        return self._loaded

    def get(self, issue: str, channel_id: str) -> list[ChatMessage] | None:
        """The kept messages (with those carried over), or None when there is no usable
        copy for this channel."""
        raw = self._all().get(issue)
        if not isinstance(raw, dict) or raw.get("channel_id") != channel_id:
            return None
        try:
            return [_message_from_json(m) for m in [*raw.get("carried", []), *raw["messages"]]]
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("kept messages of %s are unusable (%s); reading again", issue, exc)
            return None

    def carried(self, issue: str, archived: tuple[str, ...]) -> list[ChatMessage]:
        """What was kept from the ticket's archived channels, to count in its next one."""
        raw = self._all().get(issue)
        if not isinstance(raw, dict) or raw.get("channel_id") not in archived:
            return []
        try:
            return [_message_from_json(m) for m in [*raw.get("carried", []), *raw["messages"]]]
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("kept messages of %s's archived channel are unusable (%s)", issue, exc)
            return []

    def put(
        self,
        issue: str,
        channel_id: str,
        messages: list[ChatMessage],
        carried: list[ChatMessage] | None = None,
    ) -> None:
        """Keep the channel's messages (and those carried from archived channels)."""
        doc: dict[str, Any] = {
            "channel_id": channel_id,
            "messages": [_message_to_json(m) for m in messages],
        }
        if carried:
            doc["carried"] = [_message_to_json(m) for m in carried]
        self._all()[issue] = doc
        if not self.writable:
            return
        try:
            self.store.kv_put(MESSAGES_NAMESPACE, issue, doc)
        except StoreError as exc:
            log.warning("could not keep the messages of %s: %s", issue, exc)

    def forget(self, issue: str) -> None:
        self._all().pop(issue, None)
        if self.writable:
            self.store.kv_delete(MESSAGES_NAMESPACE, issue)
