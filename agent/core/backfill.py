"""Backfill: the paperwork of history tickets, planned only when a team asks for it.

Tickets resolved before a policy's first contact are left alone by every cycle
(``agent.core.history``). ``escalation-agent backfill --since DATE`` plans, for
those resolved since DATE, what the cycle would have written at resolution:
log rows, pages (summary, response report, lessons learned, post-mortem) and
their links on the ticket. Nothing that speaks to people (nudges, PMO notices):
a reminder about a ticket closed months ago helps nobody. The actions carry
the cycle's own idempotency keys, so what was written before is not written
again, and the tickets stay history for the cycles afterwards.

Pure: tickets, state, clock and policies in, actions out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime

from agent.core.actions import ActionKind, PlannedAction, TicketProblem
from agent.core.history import resolved_between, resolved_moment
from agent.core.model import Ticket
from agent.core.rules.base import RuleContext, RuleProblem
from agent.core.rules.catalogue import CATALOGUE
from agent.core.selection import governs
from agent.core.severity import severity
from agent.core.state import EngineState, TicketState
from agent.policy.calendars import calendar_for
from agent.policy.schema import Policy
from agent.timekeeping.calendar import CalendarError

# The kinds of action that are paperwork (the rules that write it say so in the catalogue).
PAPERWORK_KINDS = frozenset(
    {ActionKind.CONFLUENCE_PAGE, ActionKind.CONFLUENCE_LOG_ROW, ActionKind.JIRA_REMOTE_LINK}
)
_TICKET_DATA_ERRORS = (RuleProblem, CalendarError, ValueError, TypeError, KeyError, AttributeError)


@dataclass(frozen=True)
class Backfill:
    """The paperwork to write, the problems met, and the tickets chosen per policy."""

    actions: tuple[PlannedAction, ...]
    problems: tuple[TicketProblem, ...]
    tickets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ticket_count(self) -> int:
        return sum(len(keys) for keys in self.tickets.values())


def plan_backfill(
    tickets: Iterable[Ticket],
    state: EngineState,
    now: datetime,
    policies: Sequence[Policy],
    *,
    since: datetime,
    first_contact: Mapping[str, datetime],
    only: frozenset[str] | None = None,
) -> Backfill:
    """Paperwork for history tickets resolved at or after ``since``.

    ``policies`` are all the loaded policies, in order, so a ticket two of them
    select belongs to the first, as in a cycle; ``only`` limits the result to
    the named ones.
    """
    ordered = sorted(tickets, key=lambda t: (t.created, t.key))
    claimed: set[str] = set()
    actions: dict[str, PlannedAction] = {}
    problems: list[TicketProblem] = []
    chosen: dict[str, tuple[str, ...]] = {}
    for policy in policies:
        mine = [t for t in ordered if t.key not in claimed and governs(policy, t)]
        claimed.update(t.key for t in mine)
        contact = first_contact.get(policy.name)
        if contact is None or (only is not None and policy.name not in only):
            continue
        picked = [t for t in mine if resolved_between(t, since, contact)]
        chosen[policy.name] = tuple(t.key for t in picked)
        for ticket in picked:
            for action in _paperwork(policy, ticket, now, state.done_keys, problems):
                if action.key not in state.done_keys:
                    actions.setdefault(action.key, action)
    return Backfill(tuple(actions.values()), tuple(problems), chosen)


def _paperwork(
    policy: Policy,
    ticket: Ticket,
    now: datetime,
    done_keys: AbstractSet[str],
    problems: list[TicketProblem],
) -> list[PlannedAction]:
    """The paperwork actions the policy's resolution rules plan for one ticket."""
    level = severity(policy, ticket)
    rules = [
        (rule, handler)
        for rule in policy.rules
        if (kind := CATALOGUE.of(rule)).paperwork
        and (handler := kind.handler) is not None
        and (not rule.severities or level in rule.severities)
    ]
    if not rules:
        return []
    ctx = RuleContext(
        policy=policy,
        rule=rules[0][0],
        ticket=ticket,
        now=now,
        calendar=calendar_for(policy),
        severity=level,
        messages=(),
        state=TicketState(first_seen=now, severity=level, resolved_at=resolved_moment(ticket)),
        previous=None,
        done_keys=done_keys,
    )
    found: list[PlannedAction] = []
    for rule, handler in rules:
        ctx.begin(rule, ctx.state)
        try:
            handler(ctx, rule)
        except _TICKET_DATA_ERRORS as exc:
            problems.append(TicketProblem(ticket.key, rule.ident, f"{type(exc).__name__}: {exc}"))
            continue
        found += [a for a in ctx.actions if a.kind in PAPERWORK_KINDS]
        problems += ctx.problems
    return found
