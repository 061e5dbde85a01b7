"""Escalation limits (per day, active, per assignee): admit in order, hold the rest, release.

This runs across all of a policy's tickets at once, before the per-ticket rules,
because whether one ticket is admitted depends on the others. Order is by
first sighting, then creation, then key, so release follows arrival.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from agent.core.actions import ActionKind, PlannedAction
from agent.core.keys import ActionKey
from agent.core.model import Ticket
from agent.core.obligations import ObligationKind, Waiting, WaitReason
from agent.core.routing import JIRA
from agent.core.rules.base import iso, ticket_context
from agent.core.rules.kind import Family, RuleKind
from agent.core.state import TicketState
from agent.policy.rule_models import LimitActive, LimitAssignee, LimitBase, LimitDaily
from agent.policy.schema import Policy
from agent.timekeeping.calendar import BusinessCalendar


@dataclass
class LimitOutcome:
    """Who is held (and why, for their obligations), the hold/release actions, new states."""

    held: dict[str, Waiting] = field(default_factory=dict)
    actions: list[PlannedAction] = field(default_factory=list)
    states: dict[str, TicketState] = field(default_factory=dict)


_Limit = TypeVar("_Limit", LimitDaily, LimitActive, LimitAssignee)


def _limits(policy: Policy) -> list[LimitBase]:
    return [r for r in policy.rules if isinstance(r, LimitBase)]


def apply_limits(
    policy: Policy,
    tickets: Sequence[Ticket],
    *,
    states: Mapping[str, TicketState],
    now: datetime,
    calendar: BusinessCalendar,
    severities: Mapping[str, str | None],
) -> LimitOutcome:
    """Decide admitted/held for every ticket not yet admitted; ``tickets`` are the candidates."""
    outcome = LimitOutcome(states=dict(states))
    limits = _limits(policy)
    if not limits:
        return outcome
    today = calendar.local(now).date()
    by_key = {t.key: t for t in tickets}
    admitted = {k for k, s in states.items() if s.admitted_at is not None}
    open_admitted = [by_key[k] for k in sorted(admitted) if k in by_key and by_key[k].is_open]
    admitted_today = sum(
        1
        for s in states.values()
        if s.admitted_at is not None and calendar.local(s.admitted_at).date() == today
    )
    queue = sorted(
        (t for t in tickets if t.key not in admitted),
        key=lambda t: (states[t.key].first_seen, t.created, t.key),
    )
    blocked_by: LimitBase | None = None
    for ticket in queue:
        state = outcome.states[ticket.key]
        if not ticket.is_open:
            if state.held_reason is not None:
                outcome.states[ticket.key] = replace(state, held_reason=None, held_since=None)
            continue
        limit = blocked_by or _first_failing(limits, ticket, open_admitted, admitted_today)
        if limit is None:
            outcome.states[ticket.key] = replace(
                state, admitted_at=now, held_reason=None, held_since=None
            )
            open_admitted.append(ticket)
            admitted_today += 1
            if state.held_reason is not None and state.held_since is not None:
                _release(
                    outcome,
                    policy,
                    ticket=ticket,
                    state=state,
                    now=now,
                    severity=severities.get(ticket.key),
                )
            continue
        if not isinstance(limit, LimitAssignee):
            blocked_by = limit
        outcome.held[ticket.key] = _waiting(limit, len(outcome.held) + 1, now, calendar)
        _hold(
            outcome,
            policy,
            ticket=ticket,
            state=state,
            limit=limit,
            now=now,
            severity=severities.get(ticket.key),
        )
    return outcome


def _first_failing(
    limits: list[LimitBase], ticket: Ticket, open_admitted: list[Ticket], admitted_today: int
) -> LimitBase | None:
    for limit in limits:
        if isinstance(limit, LimitDaily) and admitted_today >= limit.max:
            return limit
        if isinstance(limit, LimitActive) and len(open_admitted) >= limit.max:
            return limit
        if isinstance(limit, LimitAssignee) and ticket.assignee is not None:
            same = [
                t
                for t in open_admitted
                if t.assignee is not None and t.assignee.account_id == ticket.assignee.account_id
            ]
            if len(same) >= limit.max:
                return limit
    return None


def _explain(limit: LimitBase) -> str:
    if isinstance(limit, LimitDaily):
        return f"no more than {limit.max} new escalation{'' if limit.max == 1 else 's'} per day"
    if isinstance(limit, LimitActive):
        return f"no more than {limit.max} active escalation{'' if limit.max == 1 else 's'}"
    return f"no more than {limit.max} escalation{'' if limit.max == 1 else 's'} per assignee"


def _waiting(limit: LimitBase, place: int, now: datetime, calendar: BusinessCalendar) -> Waiting:
    """Why a held ticket's obligations wait, and the earliest they can fire."""
    why = f"held: the procedure allows {_explain(limit)} (number {place} in line)"
    if isinstance(limit, LimitDaily):
        tomorrow = calendar.local(now).date() + timedelta(days=1)
        return Waiting(WaitReason.HELD, why, fires_at=calendar.at_local(tomorrow, time(0)))
    if isinstance(limit, LimitActive):
        return Waiting(WaitReason.HELD, why, fires_when="when an active escalation is resolved")
    return Waiting(
        WaitReason.HELD, why, fires_when="when another escalation of its assignee is resolved"
    )


def _hold(
    outcome: LimitOutcome,
    policy: Policy,
    *,
    ticket: Ticket,
    state: TicketState,
    limit: LimitBase,
    now: datetime,
    severity: str | None,
) -> None:
    reason_text = _explain(limit)
    since = state.held_since or now
    if state.held_reason != limit.ident:
        outcome.states[ticket.key] = replace(state, held_reason=limit.ident, held_since=since)
    _tell(
        outcome,
        policy,
        ticket,
        ident=limit.ident,
        rule=_rule(limit),
        step="hold",
        held_since=since,
        label_kind=ActionKind.JIRA_ADD_LABEL if limit.hold_label not in ticket.labels else None,
        template="jira/held.j2",
        reason=f"{ticket.key} is held: the procedure allows {reason_text}.",
        due=since,
        context={
            **ticket_context(ticket, severity),
            "limit": reason_text,
            "label": limit.hold_label,
        },
    )


def _release(
    outcome: LimitOutcome,
    policy: Policy,
    *,
    ticket: Ticket,
    state: TicketState,
    now: datetime,
    severity: str | None,
) -> None:
    assert state.held_reason is not None and state.held_since is not None
    label = next((r.hold_label for r in _limits(policy) if r.ident == state.held_reason), None)
    _tell(
        outcome,
        policy,
        ticket,
        ident=state.held_reason,
        rule=state.held_reason,
        step="release",
        held_since=state.held_since,
        label_kind=ActionKind.JIRA_REMOVE_LABEL if label and label in ticket.labels else None,
        template="jira/released.j2",
        reason=f"{ticket.key} is released from the hold: there is room under the limits now.",
        due=now,
        context={**ticket_context(ticket, severity), "label": label},
    )


def _tell(
    outcome: LimitOutcome,
    policy: Policy,
    ticket: Ticket,
    *,
    ident: str,
    rule: str,
    step: str,
    held_since: datetime,
    label_kind: ActionKind | None,
    template: str,
    reason: str,
    due: datetime,
    context: dict[str, Any],
) -> None:
    """A hold's or a release's actions on the ticket: its label changed (``label_kind``,
    None when it is as it should be already) and a comment, keyed
    ``<step>-label@<held since>`` and ``<step>@<held since>#jira``."""
    held = f"@{iso(held_since)}"

    def planned(slot: str, kind: ActionKind, where: str | None, text: str | None) -> None:
        outcome.actions.append(
            PlannedAction(
                key=ActionKey(ident, ticket.key, slot, where=where).format(),
                policy=policy.name,
                rule=rule,
                issue=ticket.key,
                kind=kind,
                reason=reason,
                due=due,
                template=text,
                context=context,
            )
        )

    if label_kind is not None:
        planned(f"{step}-label{held}", label_kind, None, None)
    planned(f"{step}{held}", ActionKind.JIRA_COMMENT, JIRA, template)


def _rule(limit: LimitBase) -> str:
    return limit.kind


FAMILY = Family(
    "limits",
    "Escalation limits",
    "How many escalations are admitted; the rest are held.",
)


def _limit_kind(model: type[_Limit], description: str, words: str, admits: str) -> RuleKind[_Limit]:
    """A limit: no per-ticket handler (:func:`apply_limits` runs them all at once); the
    kinds differ only in what ``max`` counts."""
    return RuleKind(
        model=model,
        handler=None,
        family=FAMILY,
        description=description,
        words=words,
        params={"max": admits},
        templates=frozenset({"held", "released"}),
        reads_messages=False,
        adherence=ObligationKind.LIMITS,
    )


KINDS: tuple[RuleKind[Any], ...] = (
    _limit_kind(
        LimitDaily,
        "At most `max` new escalations are admitted per local day; later ones are held "
        "(labelled and told on the ticket) and released in arrival order.",
        words="held: daily escalation limit",
        admits="New escalations admitted per local day.",
    ),
    _limit_kind(
        LimitActive,
        "At most `max` escalations are open at once; the rest are held and released in "
        "arrival order as others close.",
        words="held: active escalation limit",
        admits="Open escalations admitted at once.",
    ),
    _limit_kind(
        LimitAssignee,
        "At most `max` open escalations per assignee; more are held until that assignee has room.",
        words="held: one escalation per assignee",
        admits="Open escalations admitted per assignee.",
    ),
)
