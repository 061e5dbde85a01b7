"""Which Slack user groups a message's author is in, so a role named ``group:@handle`` counts.

A policy may give a role as a user group (``support: group:@gamnify-support``);
its members are known to Slack only, and change with on-call rotations. The
core cannot ask Slack, so the reader resolves the groups the policies name once
per read (``usergroups.users.list``, Tier 2: one call per group per cycle;
https://docs.slack.dev/reference/methods/usergroups.users.list) and tells each
message which of them its author is in (``ChatMessage.author_groups``). Groups
are read only when some message needs telling, so a quiet cycle costs nothing.

A group whose members cannot be read leaves the tickets of the policies naming
it out of the cycle: without it, a member's acknowledgement would look missing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_port import SlackPort
from agent.core.model import ChatMessage
from agent.core.roles import group_handle
from agent.policy import Policy

log = logging.getLogger(__name__)


def named_groups(policy: Policy) -> frozenset[str]:
    """The user-group handles the policy's roles name (``group:@handle``)."""
    return frozenset(
        group_handle(source.removeprefix("group:"))
        for role in policy.roles
        for source in policy.role_sources(role)
        if source.startswith("group:")
    )


class GroupMembership:
    """The members of the groups ``policies`` name, read at most once per instance."""

    def __init__(self, slack: SlackPort, policies: Sequence[Policy]) -> None:
        self._slack = slack
        self._handles = sorted(
            set().union(
                *(named_groups(p) for p in policies if "channel_message" in p.updates.sources)
            )
        )
        self._members: dict[str, frozenset[str]] | None = None
        # Groups whose members could not be read this time, with why.
        self.unreadable: dict[str, str] = {}

    def _read(self) -> dict[str, frozenset[str]]:
        if self._members is None:
            self._members = {}
            for handle in self._handles:
                try:
                    found = self._slack.usergroup_members(handle)
                except ServiceError as exc:
                    self.unreadable[handle] = str(exc)
                    continue
                if found is None:
                    # preflight (`check`) and the DMs to the group report the missing group
                    log.warning("no Slack user group has the handle @%s", handle)
                self._members[handle] = frozenset(found or ())
        return self._members

    def take_unreadable(self) -> dict[str, str]:
        """The groups whose members could not be read (handle -> why), each given once."""
        taken, self.unreadable = self.unreadable, {}
        return taken

    def tell(self, messages: list[ChatMessage]) -> list[ChatMessage]:
        """The messages, each with the named groups its author is in."""
        if not self._handles or not any(m.user_slack_id for m in messages):
            return messages
        members = self._read()
        told: list[ChatMessage] = []
        for message in messages:
            user = message.user_slack_id
            groups = frozenset(h for h, ids in members.items() if user and user in ids)
            told.append(replace(message, author_groups=groups) if groups else message)
        return told
