"""``SlackAdapter``: the :class:`~agent.adapters.slack_port.SlackPort` over Slack's Web API.

Every call goes through the service's call point (retries, typed errors from
:mod:`agent.adapters.service_errors`). Posts carry metadata with the action's key, and a
post that is retried after an unclear failure (5xx, lost connection) first
looks for the message it may already have posted, so nothing is posted twice.
Look-ups (who is this email, which email has this user) are cached for the
adapter's lifetime; which id has ``#name`` is kept in the channel directory
(the state store, in the agent) and forgotten when Slack no longer knows the id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from agent.adapters import clients
from agent.adapters.service_errors import (
    ChannelArchived,
    ChannelNotFound,
    NotInChannel,
    ServiceError,
    UnexpectedAnswer,
)
from agent.adapters.slack_api import SlackApi, member
from agent.adapters.slack_blocks import MAX_BLOCKS, MAX_MESSAGE_TEXT, safe_cut
from agent.adapters.slack_channels import ChannelManager
from agent.adapters.slack_history import ChannelReader, slack_ts
from agent.adapters.slack_port import (
    BotIdentity,
    Caller,
    ChannelDirectory,
    ChannelRef,
    InviteResult,
    PostedMessage,
    message_metadata,
)
from agent.adapters.slack_usergroups import UserGroups
from agent.config import Settings
from agent.core.model import ChatMessage

log = logging.getLogger(__name__)

T = TypeVar("T")


class SlackAdapter:
    """Channels, invites, posts with metadata and reading back, for one bot token."""

    def __init__(
        self, client: Any, caller: Caller, directory: ChannelDirectory | None = None
    ) -> None:
        self._api = SlackApi(client, caller)
        self._identity: BotIdentity | None = None
        self._ids_by_email: dict[str, str | None] = {}
        self._emails_by_id: dict[str, str | None] = {}
        self._channels = ChannelManager(self._api, self._bot_user_id, directory)
        self._names_by_id: dict[str, str] = {}  # ids resolved from ``#name`` here
        self._reader = ChannelReader(self._api, self._bot_user_id, self._email_of)
        self._groups = UserGroups(self._api)
        self._dm_channels: dict[str, str] = {}

    # -- who is who ------------------------------------------------------------------
    def auth_test(self) -> BotIdentity:
        """The bot's identity (``auth.test``), asked once."""
        if self._identity is None:
            answer = self._api.call("auth.test")
            self._identity = BotIdentity(
                user_id=str(answer["user_id"]),
                bot_id=answer.get("bot_id"),
                team_id=str(answer.get("team_id") or ""),
                team=str(answer.get("team") or ""),
                url=str(answer.get("url") or ""),
            )
        return self._identity

    def _bot_user_id(self) -> str:
        return self.auth_test().user_id

    def user_id_for_email(self, email: str) -> str | None:
        """The Slack user id of an email, or None if nobody (active) has it in the workspace."""
        wanted = email.strip().lower()
        if wanted not in self._ids_by_email:
            answer = self._api.call(
                "users.lookupByEmail", tolerate=frozenset({"users_not_found"}), email=wanted
            )
            user = answer.get("user") if answer.get("ok") else None
            found = None
            if isinstance(user, dict) and not user.get("deleted"):
                found = str(member(user, "users.lookupByEmail", "id"))
                self._emails_by_id.setdefault(found, wanted)
            self._ids_by_email[wanted] = found
        return self._ids_by_email[wanted]

    def _email_of(self, user_id: str) -> str | None:
        """A user's profile email (``users.info``; needs ``users:read.email``), cached."""
        if user_id not in self._emails_by_id:
            answer = self._api.call(
                "users.info", tolerate=frozenset({"user_not_found"}), user=user_id
            )
            user = answer.get("user") if answer.get("ok") else None
            profile = user.get("profile") if isinstance(user, dict) else None
            email = profile.get("email") if isinstance(profile, dict) else None
            self._emails_by_id[user_id] = (
                email.lower() if isinstance(email, str) and email else None
            )
        return self._emails_by_id[user_id]

    def usergroup_id(self, handle: str) -> str | None:
        """The id (``S...``) of the user group ``@handle``, or None if there is none."""
        return self._groups.group_id(handle)

    def usergroup_members(self, handle: str) -> tuple[str, ...] | None:
        """The Slack ids of ``@handle``'s members, or None if there is no such group."""
        return self._groups.members(handle)

    # -- channels --------------------------------------------------------------------
    def channel_url(self, channel_id: str) -> str:
        """The channel's web link, ``https://<team>.slack.com/archives/<id>``.

        The workspace address is ``auth.test``'s ``url``, asked once per adapter.
        """
        base = self.auth_test().url
        if not base:
            raise UnexpectedAnswer(
                "slack", "auth.test", "the answer has no workspace url to link channels with"
            )
        return f"{base.rstrip('/')}/archives/{channel_id}"

    def resolve_channel(self, channel: str) -> str:
        """A conversation id for ``#name`` (looked up, kept) or an id (returned as is)."""
        if channel.startswith("#"):
            channel_id = self._channels.channel_id(channel)
            self._names_by_id[channel_id] = channel
            return channel_id
        return channel

    def visible_channels(self) -> dict[str, str]:
        """Every channel the bot can see, archived ones too, as name -> id (one paged
        ``conversations.list``, kept): a replay looks many channels up by name."""
        return {name: str(channel["id"]) for name, channel in self._channels.listing().items()}

    def _forget_if_named(self, channel_id: str) -> None:
        """Slack no longer knows an id found by name (renamed, deleted): look it up again."""
        name = self._names_by_id.pop(channel_id, None)
        if name is not None:
            log.info("%s is no longer %s; its id will be looked up again", name, channel_id)
            self._channels.forget(name)

    def ensure_channel(
        self,
        name: str,
        *,
        issue_key: str,
        topic: str,
        purpose: str,
        private: bool = False,
        replace_archived: bool = True,
    ) -> ChannelRef:
        return self._channels.ensure(
            name,
            issue_key=issue_key,
            topic=topic,
            purpose=purpose,
            private=private,
            replace_archived=replace_archived,
        )

    def join(self, channel_id: str) -> None:
        """Join a public channel (``#name`` or id); already being in it is fine."""
        self._api.call("conversations.join", channel=self.resolve_channel(channel_id))

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteResult:
        return self._channels.invite(self.resolve_channel(channel_id), user_ids)

    # -- posting ---------------------------------------------------------------------
    def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        thread_ts: str | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage:
        """Post ``text`` (already escaped mrkdwn: the fallback) with ``blocks`` and metadata.

        A public channel the bot is not in is joined, then the post is tried again.
        """
        metadata = message_metadata(event_type, payload)
        if blocks is not None and len(blocks) > MAX_BLOCKS:
            raise ValueError(f"{len(blocks)} blocks: Slack takes at most {MAX_BLOCKS}")
        channel_id = self.resolve_channel(channel)
        args: dict[str, Any] = {
            "channel": channel_id,
            "text": safe_cut(text, MAX_MESSAGE_TEXT),
            "metadata": metadata,
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if blocks is not None:
            args["blocks"] = [dict(block) for block in blocks]
        if thread_ts is not None:
            args["thread_ts"] = thread_ts
        key = str(metadata["event_payload"]["key"])
        try:
            return self._send(channel_id, key, thread_ts, args)
        except ChannelNotFound:
            self._forget_if_named(channel_id)
            raise
        except NotInChannel as not_in:
            try:
                self.join(channel_id)
            except ServiceError as join_failed:
                log.debug("could not join %s to post: %s", channel_id, join_failed)
                raise not_in from join_failed
            return self._send(channel_id, key, thread_ts, args)

    def _send(
        self, channel_id: str, key: str, thread_ts: str | None, args: dict[str, Any]
    ) -> PostedMessage:
        def already_posted() -> dict[str, Any] | None:
            if thread_ts is not None:
                found = self._reader.find_in_thread(channel_id, thread_ts, key)
            else:
                found = self._reader.find_by_key(channel_id, key, recent_only=True)
            if found is None:
                return None
            log.info("a retried post with key %s had been posted already: %s", key, found.ts)
            return {"ok": True, "channel": found.channel, "ts": found.ts}

        answer = self._api.call("chat.postMessage", before_retry=already_posted, **args)
        return PostedMessage(
            str(member(answer, "chat.postMessage", "channel")),
            str(member(answer, "chat.postMessage", "ts")),
        )

    def dm(
        self,
        user_id: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage:
        """A direct message from the bot (``conversations.open``, then post)."""
        channel_id = self.dm_channel(user_id)
        return self.post(channel_id, text, blocks=blocks, event_type=event_type, payload=payload)

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM with ``user_id``; ``conversations.open`` returns the same
        conversation every time, so it is asked once per person and cached."""
        if user_id not in self._dm_channels:
            answer = self._api.call("conversations.open", users=[user_id])
            self._dm_channels[user_id] = str(member(answer, "conversations.open", "channel", "id"))
        return self._dm_channels[user_id]

    def pin(self, channel: str, ts: str) -> bool:
        """Pin a message; True if pinned now, False if it was pinned already."""
        answer = self._api.call(
            "pins.add",
            tolerate=frozenset({"already_pinned"}),
            channel=self.resolve_channel(channel),
            timestamp=ts,
        )
        return bool(answer.get("ok"))

    def unpin(self, channel: str, ts: str) -> bool:
        """Unpin a message; True if unpinned now, False if it was not pinned."""
        answer = self._api.call(
            "pins.remove",
            tolerate=frozenset({"not_pinned"}),
            channel=self.resolve_channel(channel),
            timestamp=ts,
        )
        return bool(answer.get("ok"))

    # -- reading back ----------------------------------------------------------------
    def find_message_by_key(
        self, channel: str, key: str, *, oldest: datetime | str | None = None
    ) -> PostedMessage | None:
        """The agent's message (or threaded reply) whose metadata key is ``key``."""
        return self._reader.find_by_key(self.resolve_channel(channel), key, oldest=slack_ts(oldest))

    def marked_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> dict[str, PostedMessage]:
        """The agent's messages (and threaded replies) in a channel, by their metadata key:
        one read of the channel answers every "was this posted?" of a cycle."""
        channel_id = self.resolve_channel(channel)
        return self._reading(channel_id, lambda: self._reader.marked(channel_id, slack_ts(oldest)))

    def channel_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]:
        """People's messages since ``oldest`` (thread replies too), with their emails."""
        channel_id = self.resolve_channel(channel)
        return self._reading(
            channel_id, lambda: self._reader.people_messages(channel_id, slack_ts(oldest))
        )

    def top_level_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]:
        """People's top-level messages since ``oldest`` (no thread read), with their emails."""
        channel_id = self.resolve_channel(channel)
        return self._reading(
            channel_id, lambda: self._reader.top_level(channel_id, slack_ts(oldest))
        )

    def thread_replies(self, channel: str, thread_ts: str) -> list[ChatMessage]:
        """People's replies in the thread of ``thread_ts``, with their emails."""
        channel_id = self.resolve_channel(channel)
        return self._reading(channel_id, lambda: self._reader.thread(channel_id, thread_ts))

    def _reading(self, channel_id: str, read: Callable[[], T]) -> T:
        """``read()`` a channel. The bot reads only channels it is in; out of one, it asks
        why: an archived channel (archiving removed everyone) raises ChannelArchived; a
        public channel it was merely removed from is joined again and read."""
        try:
            return read()
        except NotInChannel:
            info = self._api.call("conversations.info", channel=channel_id)
            shown = info.get("channel")
            if not isinstance(shown, dict):
                raise
            if shown.get("is_archived"):
                raise ChannelArchived(
                    "slack",
                    "conversations.history",
                    f"the channel #{shown.get('name') or channel_id} is archived (which removed "
                    "everyone from it, the bot included): unarchive it or point the procedure "
                    "at another channel",
                    reason="is_archived",
                ) from None
            if shown.get("is_private"):
                raise
            self.join(channel_id)
            return read()


def build_slack_adapter(
    settings: Settings, caller: Caller, directory: ChannelDirectory | None = None
) -> SlackAdapter:
    """The adapter over the one ``WebClient`` built from the settings; ``directory`` keeps
    channel ids found by name (the agent gives it the state store's)."""
    return SlackAdapter(clients.slack_client(settings), caller, directory)
