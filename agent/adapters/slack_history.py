"""Reading a channel back: the agent's own messages by key, and people's messages as updates.

``conversations.history`` lists top-level messages (newest first) and leaves
thread replies out, so threads with replies are read with
``conversations.replies``. Metadata is returned only with
``include_all_metadata``. ``oldest`` bounds the top-level messages: a reply
is found when its thread's parent is inside the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.adapters.slack_api import SlackApi
from agent.adapters.slack_port import PostedMessage, metadata_key
from agent.core.model import ChatMessage

# Message subtypes that are people talking (others are joins, topic changes, pins...).
PEOPLE_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
RECENT_WINDOW = 100  # messages checked when looking for a just-posted message


def slack_ts(moment: datetime | str | None) -> str | None:
    """A Slack ``ts`` (``"1700000000.000100"``) for a datetime; strings pass through."""
    if moment is None or isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        raise ValueError("a naive datetime is ambiguous as a Slack timestamp: give it a zone")
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    micros = delta // timedelta(microseconds=1)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def ts_datetime(ts: str) -> datetime:
    """The UTC moment of a Slack ``ts``, to the microsecond (no float rounding)."""
    seconds, _, fraction = ts.partition(".")
    micros = int((fraction + "000000")[:6])
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds), microseconds=micros)


class ChannelReader:
    """Reads messages of conversations the bot is in; ``bot_id`` gives its own user id."""

    def __init__(
        self, api: SlackApi, bot_id: Callable[[], str], email_of: Callable[[str], str | None]
    ) -> None:
        self._api = api
        self._bot_id = bot_id
        self._email_of = email_of

    def _history(
        self, channel_id: str, oldest: str | None, *, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {"channel": channel_id, "include_all_metadata": True}
        if oldest is not None:
            args["oldest"] = oldest
        if limit is not None:  # one page of the newest messages only
            answer = self._api.call("conversations.history", **args, limit=limit)
            yield from answer.get("messages") or []
            return
        yield from self._api.paged("conversations.history", "messages", **args)

    def _replies(self, channel_id: str, parent: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The replies of ``parent``'s thread (the parent itself left out)."""
        for reply in self._api.paged(
            "conversations.replies",
            "messages",
            channel=channel_id,
            ts=parent["ts"],
            include_all_metadata=True,
        ):
            if reply.get("ts") != parent["ts"]:
                yield reply

    def _bot_replied(self, parent: dict[str, Any]) -> bool:
        """Whether the bot may have replied in this thread (Slack lists at most 5 repliers)."""
        if not parent.get("reply_count"):
            return False
        users = parent.get("reply_users")
        if not isinstance(users, list):
            return True
        count = parent.get("reply_users_count")
        return self._bot_id() in users or (isinstance(count, int) and count > len(users))

    def find_by_key(
        self, channel_id: str, key: str, *, oldest: str | None = None, recent_only: bool = False
    ) -> PostedMessage | None:
        """The agent's message whose metadata holds ``key``, in the channel or its threads."""
        limit = RECENT_WINDOW if recent_only else None
        for message in self._history(channel_id, oldest, limit=limit):
            if metadata_key(message) == key:
                return PostedMessage(channel_id, str(message["ts"]))
            if self._bot_replied(message):
                for reply in self._replies(channel_id, message):
                    if metadata_key(reply) == key:
                        return PostedMessage(channel_id, str(reply["ts"]))
        return None

    def marked(self, channel_id: str, oldest: str | None = None) -> dict[str, PostedMessage]:
        """Every message of the agent's in the channel and its threads, by metadata key."""
        found: dict[str, PostedMessage] = {}
        for message in self._history(channel_id, oldest):
            key = metadata_key(message)
            if key is not None:
                found.setdefault(key, PostedMessage(channel_id, str(message["ts"])))
            if self._bot_replied(message):
                for reply in self._replies(channel_id, message):
                    reply_key = metadata_key(reply)
                    if reply_key is not None:
                        found.setdefault(reply_key, PostedMessage(channel_id, str(reply["ts"])))
        return found

    def find_in_thread(self, channel_id: str, thread_ts: str, key: str) -> PostedMessage | None:
        """The agent's reply with ``key`` in one thread."""
        for reply in self._replies(channel_id, {"ts": thread_ts}):
            if metadata_key(reply) == key:
                return PostedMessage(channel_id, str(reply["ts"]))
        return None

    def people_messages(self, channel_id: str, oldest: str | None) -> list[ChatMessage]:
        """Messages people wrote (thread replies included), oldest first; bots left out."""
        found: dict[str, ChatMessage] = {}
        for message in self._history(channel_id, oldest):
            self._keep(channel_id, message, found)
            if message.get("reply_count"):
                for reply in self._replies(channel_id, message):
                    self._keep(channel_id, reply, found)
        return sorted(found.values(), key=lambda m: (m.at, m.ts))

    def top_level(self, channel_id: str, oldest: str | None) -> list[ChatMessage]:
        """People's top-level messages since ``oldest``, and the agent's own (``by_agent``:
        the threads it opened), oldest first, without reading any thread (one
        ``conversations.history`` call a page); each parent's ``latest_reply`` tells
        whether its thread has anything to read."""
        found: dict[str, ChatMessage] = {}
        for message in self._history(channel_id, oldest):
            self._keep(channel_id, message, found)
            self._keep_own(channel_id, message, found)
        return sorted(found.values(), key=lambda m: (m.at, m.ts))

    def _keep_own(
        self, channel_id: str, message: dict[str, Any], found: dict[str, ChatMessage]
    ) -> None:
        """The agent's own top-level message (its user, its metadata), as ``by_agent``."""
        ts = message.get("ts")
        if not isinstance(ts, str) or ts in found or metadata_key(message) is None:
            return
        if message.get("user") != self._bot_id():
            return
        latest = message.get("latest_reply")
        found[ts] = ChatMessage(
            channel=channel_id,
            ts=ts,
            user_slack_id=str(message["user"]),
            text=str(message.get("text") or ""),
            at=ts_datetime(ts),
            latest_reply=latest if isinstance(latest, str) else None,
            by_agent=True,
        )

    def thread(self, channel_id: str, thread_ts: str) -> list[ChatMessage]:
        """People's replies in one thread (the parent left out), oldest first."""
        found: dict[str, ChatMessage] = {}
        for reply in self._replies(channel_id, {"ts": thread_ts}):
            self._keep(channel_id, reply, found)
        return sorted(found.values(), key=lambda m: (m.at, m.ts))

    def _keep(
        self, channel_id: str, message: dict[str, Any], found: dict[str, ChatMessage]
    ) -> None:
        ts = message.get("ts")
        if not isinstance(ts, str) or ts in found:
            return
        if message.get("subtype") not in PEOPLE_SUBTYPES or message.get("bot_id"):
            return
        user = message.get("user")
        user_id = user if isinstance(user, str) and user else None
        thread_ts = message.get("thread_ts")
        latest = message.get("latest_reply")
        found[ts] = ChatMessage(
            channel=channel_id,
            ts=ts,
            user_slack_id=user_id,
            text=str(message.get("text") or ""),
            at=ts_datetime(ts),
            user_email=self._email_of(user_id) if user_id else None,
            thread_ts=thread_ts if isinstance(thread_ts, str) else None,
            has_files=bool(message.get("files")),
            latest_reply=latest if isinstance(latest, str) else None,
        )
