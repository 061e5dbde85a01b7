"""What a ticket owes at a moment, for adherence: each obligation's due time and standing.

This is the replay's one door to the rules' obligations. It runs the handlers
of the rules that declare obligations (those ``agent.replay.kinds`` groups)
on a context that records what each declares and plans nothing. The planner
returns each ticket's open obligations (``Plan.obligations``), but adherence
also needs the met ones, which it does not keep; so this module still asks the
rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.core.calendar import CalendarError
from agent.core.model import ChatMessage, Ticket
from agent.core.rules import HANDLERS, RUN_WHILE_HELD
from agent.core.rules.base import RuleContext, RuleProblem
from agent.core.state import TicketState
from agent.policy import Policy
from agent.policy.calendars import calendar_for
from agent.replay.kinds import ObligationKind, kind_of

# Data errors a malformed ticket can provoke in a rule; the plan reports them.
_TICKET_DATA_ERRORS = (RuleProblem, CalendarError, ValueError, TypeError, KeyError, AttributeError)


class Standing(enum.StrEnum):
    PENDING = "pending"  # not due yet (it may already be met)
    OVERDUE = "overdue"  # due and not met
    MET = "met"  # due and met


@dataclass(frozen=True, slots=True)
class Owed:
    """One obligation of a rule (by its identifier) on a ticket, as the rules see it now."""

    rule: str
    item: str
    due: datetime
    standing: Standing


class _Probe(RuleContext):
    """Records the obligations a rule declares; plans nothing that is kept."""

    found: list[Owed]

    def obligation(self, item: str, *, due: datetime, met: bool, **_ignored: Any) -> None:
        if not met and self.now >= due:
            standing = Standing.OVERDUE
        elif self.now < due:
            standing = Standing.PENDING
        else:
            standing = Standing.MET
        self.found.append(Owed(self.rule.ident, item, due, standing))


def owed(
    policy: Policy,
    ticket: Ticket,
    state: TicketState,
    now: datetime,
    messages: tuple[ChatMessage, ...],
    *,
    quiet: bool,
) -> list[Owed]:
    """The obligations ``policy``'s rules declare on ``ticket`` at ``now`` (``quiet``: outside
    the policy's business hours)."""
    rules = [
        rule
        for rule in policy.rules
        if kind_of(rule) not in (None, ObligationKind.LIMITS)
        and (state.held_reason is None or getattr(rule, "rule") in RUN_WHILE_HELD)  # noqa: B009
        and (not rule.severities or state.severity in rule.severities)
    ]
    if not rules:
        return []
    probe = _Probe(
        policy=policy,
        rule=rules[0],
        ticket=ticket,
        now=now,
        calendar=calendar_for(policy),
        severity=state.severity,
        messages=messages,
        state=state,
        previous=state,
        is_quiet=quiet,
    )
    probe.found = []
    for rule in rules:
        probe.begin(rule, state)
        try:
            HANDLERS[getattr(rule, "rule")](probe, rule)  # noqa: B009
        except _TICKET_DATA_ERRORS:
            continue  # the plan reports the ticket's problem
    return probe.found
