"""What several rules ask about one ticket, worked out once per ``plan()`` pass.

At 10,000 tickets rule evaluation must stay well under a second, and most of it
was the same questions asked again by each rule of a ticket: who plays these
roles (with the same roles asked twice by ``clerical_channel``), which updates
count, the ticket's template context and its channel name. A ``TicketMemo`` is
made by the planner for each ticket of a policy and handed to every
``RuleContext`` of that ticket; it lives for that one pass, so nothing stale
outlives the inputs it was computed from. All answers are pure functions of
(policy, ticket, severity, messages), so caching them cannot change a plan.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from agent.core.answers import answer_places, intake_channel
from agent.core.human_updates import Update, human_updates
from agent.core.model import ChatMessage, Ticket
from agent.core.roles import OneRole, RoleResolution, combine_roles, resolve_role, role_holders
from agent.core.routing import escalation_channel_name
from agent.policy.schema import Policy


def ticket_context(ticket: Ticket, severity: str | None) -> dict[str, Any]:
    """The template data every action of the ticket starts from."""
    done = sum(1 for s in ticket.subtasks if s.status_category == "done")
    total = len(ticket.subtasks)
    return {
        "issue": ticket.key,
        "summary": ticket.summary,
        "url": ticket.url,
        "status": ticket.status,
        "priority": ticket.priority,
        "severity": severity,
        "assignee": ticket.assignee.display_name if ticket.assignee else None,
        "reporter": ticket.reporter.display_name if ticket.reporter else None,
        "progress_percent": round(100 * done / total) if total else None,
    }


class TicketMemo:
    """Per-ticket answers shared by the rules of one policy in one ``plan()`` pass."""

    def __init__(
        self,
        policy: Policy,
        ticket: Ticket,
        severity: str | None,
        messages: Sequence[ChatMessage],
    ) -> None:
        self.policy = policy
        self.ticket = ticket
        self.severity = severity
        self.messages = messages
        self._roles: dict[tuple[tuple[str, ...], bool], RoleResolution] = {}
        self._role: dict[str, OneRole] = {}
        self._updates: dict[tuple[str, ...], tuple[Update, ...]] = {}

    def roles(self, roles: Sequence[str], *, required: bool = True) -> RoleResolution:
        """``resolve_roles`` for this ticket; each role is looked up once, whatever it is with."""
        key = (tuple(roles), required)
        found = self._roles.get(key)
        if found is None:
            found = self._roles[key] = combine_roles(
                (self._one(role) for role in key[0]), required=required
            )
        return found

    def audience(self, roles: Sequence[str]) -> RoleResolution:
        """Who a rule's message for ``roles`` goes to: them, or when nobody plays any of
        them, the first role of the policy's ``fallback`` chain somebody plays (the
        empty roles are still reported, saying who stands in)."""
        found = self.roles(roles)
        if found.recipients:
            return found
        for stand_in in self.policy.fallback:
            if stand_in in roles:
                continue
            instead = self._one(stand_in)
            if instead.found:
                return RoleResolution(
                    instead.found,
                    tuple(f"{p}; told the {stand_in} instead" for p in found.problems),
                )
        return found

    def plays(self, role: str) -> bool:
        """Whether anybody holds ``role`` on this ticket."""
        return bool(self._one(role).found)

    def _one(self, role: str) -> OneRole:
        found = self._role.get(role)
        if found is None:
            found = self._role[role] = resolve_role(self.policy, self.ticket, role)
        return found

    def updates(self, by: Sequence[str] = ()) -> list[Update]:
        """Human updates by ``by`` (default: the policy's ``updates.by``), oldest first."""
        key = tuple(by) or tuple(self.policy.updates.by)
        found = self._updates.get(key)
        if found is None:
            resolved = None if "any" in key else self.roles(key, required=False)
            holders = role_holders(self.policy, self.ticket, key, resolved)
            found = self._updates[key] = tuple(
                human_updates(self.policy, self.ticket, self.messages, key, holders=holders)
            )
        return list(found)

    @functools.cached_property
    def channel_name(self) -> str | None:
        """The ticket's escalation channel name from the policy, if it has one."""
        return escalation_channel_name(self.policy, self.ticket)

    @functools.cached_property
    def _base_context(self) -> dict[str, Any]:
        base = ticket_context(self.ticket, self.severity)
        if self.channel_name:
            base["escalation_channel_name"] = self.channel_name
        base["answer"] = answer_places(
            self.policy, self.channel_name, intake_channel(self.policy, self.ticket.project)
        )
        return base

    def context(self) -> dict[str, Any]:
        """A fresh copy of the ticket's base template context (callers add to it)."""
        return dict(self._base_context)
