"""Escalation channels: create or find the ticket's channel, describe it, invite people.

A channel is the agent's when its topic or purpose holds the issue key: after
a crash (or a rerun) the agent finds it by name and reuses it instead of
creating ``-2``. A channel the bot created but never described (it died in
between) is the agent's too. A name taken by someone else's channel moves on
to ``name-2``, ``name-3``...

An archived channel of the ticket cannot come back: archiving removes every
member, the bot included, and a bot token can neither unarchive it
(https://api.slack.com/methods/conversations.unarchive, "Bug alert") nor join
it (``is_archived``, https://docs.slack.dev/reference/methods/conversations.join).
So it is passed over, and its successor is made under the next free suffix
(the policy's ``archived: unarchive`` first asks Slack to unarchive, which only
a user token can do). The result names the channels passed over.

Names resolved to ids (``#ops``) are kept in a :class:`ChannelDirectory` (the
state store, in the agent) so a process start needs no ``conversations.list``;
the full listing is read only for a name the directory does not know.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from agent.adapters.service_errors import ChannelNotFound
from agent.adapters.slack_api import SlackApi
from agent.adapters.slack_blocks import MAX_TOPIC, safe_cut
from agent.adapters.slack_names import is_usable, with_suffix
from agent.adapters.slack_port import (
    ChannelDirectory,
    ChannelRef,
    InviteResult,
    MemoryChannelDirectory,
)

log = logging.getLogger(__name__)

MAX_NAME_SUFFIX = 20
CHANNEL_TYPES = "public_channel,private_channel"
ALREADY_IN_CHANNEL = "already_in_channel"
# Per-person invite errors: the others can still be invited.
INVITE_PERSON_ERRORS = frozenset(
    {
        ALREADY_IN_CHANNEL,
        "user_not_found",
        "cant_invite",
        "cant_invite_self",
        "user_is_restricted",
        "user_is_ultra_restricted",
        "ura_max_channels",
        "user_team_not_in_channel",
        "failed_for_some_users",
    }
)
# What conversations.unarchive answers a bot token (not a member since the archiving).
UNARCHIVE_REFUSALS = frozenset({"not_in_channel", "restricted_action", "cant_unarchive"})


class ChannelNamesExhausted(RuntimeError):
    """``name``, ``name-2`` ... ``name-20`` all belong to other channels."""


def holds_key(text: str, issue_key: str) -> bool:
    """Whether ``text`` names ``issue_key`` as a whole key (``DS-12`` is not in ``DS-123``)."""
    pattern = rf"(?<![A-Za-z0-9]){re.escape(issue_key)}(?![0-9])"
    return re.search(pattern, text, flags=re.IGNORECASE) is not None


def is_ours(channel: dict[str, Any], issue_key: str) -> bool:
    """The agent marks its channels with the issue key in the topic or purpose."""
    for field_name in ("topic", "purpose"):
        value = channel.get(field_name)
        text = value.get("value") if isinstance(value, dict) else None
        if isinstance(text, str) and holds_key(text, issue_key):
            return True
    return False


def fit_description(text: str, issue_key: str, limit: int = MAX_TOPIC) -> str:
    """A topic or purpose within Slack's 250 characters that still holds the issue key."""
    if len(text) > limit:
        text = safe_cut(text, limit - 1) + "…"
    if not holds_key(text, issue_key):
        text = f"{issue_key} | {text}"
        if len(text) > limit:
            text = safe_cut(text, limit - 1) + "…"
    return text


class ChannelManager:
    """Channel operations of the Slack adapter; ``bot_id`` gives the agent's own user id."""

    def __init__(
        self,
        api: SlackApi,
        bot_id: Callable[[], str],
        directory: ChannelDirectory | None = None,
    ) -> None:
        self._api = api
        self._bot_id = bot_id
        self._directory = directory or MemoryChannelDirectory()
        self._by_name: dict[str, dict[str, Any]] | None = None
        # Lanes resolve names at the same time: one of them lists, the others wait for it.
        self._resolving = threading.Lock()

    # -- finding ---------------------------------------------------------------------
    def listing(self, *, refresh: bool = False) -> dict[str, dict[str, Any]]:
        """Every channel the bot can see (archived too), by name; cached until refreshed."""
        if self._by_name is None or refresh:
            self._by_name = {
                str(channel["name"]): channel
                for channel in self._api.paged(
                    "conversations.list", "channels", types=CHANNEL_TYPES, exclude_archived=False
                )
                if channel.get("name")
            }
        return self._by_name

    def channel_id(self, name: str) -> str:
        """The id of ``#name`` (or ``name``); ChannelNotFound when the bot cannot see it.

        The directory answers first; otherwise the listing (read once, read again
        only if it was read before this name was asked for).
        """
        wanted = name.removeprefix("#")
        with self._resolving:
            known = self._directory.get(wanted)
            if known is not None:
                return known
            fresh = self._by_name is None
            channel = self.listing().get(wanted)
            if channel is None and not fresh:
                channel = self.listing(refresh=True).get(wanted)
            if channel is not None:
                self._directory.put(wanted, str(channel["id"]))
                return str(channel["id"])
        raise ChannelNotFound(
            "slack",
            "resolve_channel",
            f"no channel #{wanted} that the bot can see: check the name in the policy, "
            "or invite the bot if it is private",
            reason="channel_not_found",
        )

    def forget(self, name: str) -> None:
        """Drop what is known about ``#name`` (its id answered ``channel_not_found``)."""
        wanted = name.removeprefix("#")
        self._directory.forget(wanted)
        if self._by_name is not None:
            self._by_name.pop(wanted, None)

    def _remember(self, channel: dict[str, Any]) -> None:
        if self._by_name is not None:
            self._by_name[str(channel["name"])] = channel
        self._directory.put(str(channel["name"]), str(channel["id"]))

    # -- ensure_channel --------------------------------------------------------------
    def ensure(
        self,
        name: str,
        *,
        issue_key: str,
        topic: str,
        purpose: str,
        private: bool = False,
        replace_archived: bool = True,
    ) -> ChannelRef:
        """The ticket's channel: created, or the agent's earlier one reused (see module doc).

        An archived channel of the ticket is passed over for the next free suffix;
        without ``replace_archived`` Slack is first asked to unarchive it.
        """
        if not is_usable(name):
            raise ValueError(
                f"{name!r} is not a valid Slack channel name: build it with channel_name()"
            )
        topic = fit_description(topic, issue_key)
        purpose = fit_description(purpose, issue_key)
        listing: dict[str, dict[str, Any]] | None = None
        replaced: list[str] = []
        for number in range(1, MAX_NAME_SUFFIX + 1):
            candidate = name if number == 1 else with_suffix(name, number)
            existing = listing.get(candidate) if listing is not None else None
            if existing is None:
                answer = self._api.call(
                    "conversations.create",
                    tolerate=frozenset({"name_taken"}),
                    name=candidate,
                    is_private=private,
                )
                if answer.get("ok"):
                    channel = answer["channel"]
                    self._remember(channel)
                    self._describe(channel, topic, purpose)
                    log.info("created Slack channel #%s for %s", candidate, issue_key)
                    return ChannelRef(
                        str(channel["id"]), str(channel["name"]), True, tuple(replaced)
                    )
                listing = self.listing(refresh=True)
                existing = listing.get(candidate)
                if existing is None:
                    continue  # taken by a private channel the bot cannot see
            if is_ours(existing, issue_key) or self._left_undescribed(existing):
                if existing.get("is_archived") and (
                    replace_archived or not self._unarchived(existing)
                ):
                    log.info(
                        "#%s of %s is archived: a new channel replaces it", candidate, issue_key
                    )
                    replaced.append(str(existing["id"]))
                    continue
                self._reuse(existing)
                self._describe(existing, topic, purpose)
                log.info("reusing Slack channel #%s for %s", candidate, issue_key)
                return ChannelRef(
                    str(existing["id"]), str(existing["name"]), False, tuple(replaced)
                )
        raise ChannelNamesExhausted(
            f"#{name} and its suffixes up to -{MAX_NAME_SUFFIX} belong to other channels; "
            f"archive or rename one, or change the channel template, for {issue_key}"
        )

    def _left_undescribed(self, channel: dict[str, Any]) -> bool:
        """The bot created it but died before setting topic and purpose (a crash): ours."""
        if channel.get("creator") != self._bot_id():
            return False
        return not any(
            isinstance(channel.get(part), dict) and channel[part].get("value")
            for part in ("topic", "purpose")
        )

    def _unarchived(self, channel: dict[str, Any]) -> bool:
        """Ask Slack to unarchive ``channel``; False when it refuses (it does, to a bot token)."""
        answer = self._api.call(
            "conversations.unarchive",
            tolerate=UNARCHIVE_REFUSALS | {"not_archived"},
            channel=channel["id"],
        )
        if answer.get("ok") or answer.get("error") == "not_archived":
            channel["is_archived"] = False
            return True
        log.info("Slack would not unarchive #%s (%s)", channel.get("name"), answer.get("error"))
        return False

    def _reuse(self, channel: dict[str, Any]) -> None:
        if not channel.get("is_member") and not channel.get("is_private"):
            self._api.call("conversations.join", channel=channel["id"])
            channel["is_member"] = True

    def _describe(self, channel: dict[str, Any], topic: str, purpose: str) -> None:
        """Set topic and purpose, only where they differ (each change posts a system message)."""
        for field_name, method, value in (
            ("topic", "conversations.setTopic", topic),
            ("purpose", "conversations.setPurpose", purpose),
        ):
            current = channel.get(field_name)
            if isinstance(current, dict) and current.get("value") == value:
                continue
            args: dict[str, Any] = {"channel": channel["id"], field_name: value}
            self._api.call(method, **args)
            channel[field_name] = {**(current if isinstance(current, dict) else {}), "value": value}

    # -- invite ----------------------------------------------------------------------
    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteResult:
        """Invite everyone in one ``conversations.invite`` (up to 1000 users) with ``force``,
        so the valid ones are invited even when some id is not; being in the channel
        already counts as success."""
        bot = self._bot_id()
        wanted = [user for user in dict.fromkeys(user_ids) if user]
        already = [user for user in wanted if user == bot]
        pending = [user for user in wanted if user != bot]
        if not pending:
            return InviteResult((), tuple(already), {})
        answer = self._api.call(
            "conversations.invite",
            tolerate=INVITE_PERSON_ERRORS,
            channel=channel_id,
            users=pending,
            force=True,
        )
        errors = _person_errors(answer, pending)
        failed = {user: error for user, error in errors.items() if error != ALREADY_IN_CHANNEL}
        already += [user for user, error in errors.items() if error == ALREADY_IN_CHANNEL]
        invited = [user for user in pending if user not in errors]
        if failed:
            log.warning("could not invite %s to %s", failed, channel_id)
        return InviteResult(tuple(invited), tuple(already), failed)


def _person_errors(answer: dict[str, Any], pending: list[str]) -> dict[str, str]:
    """``{user: error}`` from an invite's answer.

    Slack lists each refused person in ``errors``; a refusal that names no one
    (nobody could be invited) holds for everyone asked.
    """
    found: dict[str, str] = {}
    for entry in answer.get("errors") or []:
        if isinstance(entry, dict) and entry.get("user") in pending:
            found[str(entry["user"])] = str(entry.get("error") or "unknown_error")
    if not found and not answer.get("ok"):
        error = str(answer.get("error") or "unknown_error")
        found = dict.fromkeys(pending, error)
    return found
