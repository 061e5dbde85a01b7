"""What the agent is following right now, from the store alone: escalations, due items, limits.

``status`` must never write and should not need Jira, so everything comes from
the engine-state document and the ticket snapshots the cycle keeps. The next
due item is found by running the (pure) rule handlers on the snapshot at
``now`` and collecting the obligations they declare, without keeping any
action. Escalation-channel messages are not stored, so for a policy that counts
them as updates an item may show as overdue until the next cycle reads them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.core.calendar import CalendarError
from agent.core.model import Ticket
from agent.core.rules import HANDLERS, POLICY_LEVEL_RULES, RUN_WHILE_HELD
from agent.core.rules.base import RuleContext, RuleProblem
from agent.core.state import EngineState, TicketState
from agent.policy.calendars import calendar_for
from agent.policy.rule_models import LimitActive, LimitBase, LimitDaily
from agent.policy.schema import Policy
from agent.runtime.cycle import load_state
from agent.runtime.leader import LEASE_NAME
from agent.runtime.reader import SNAPSHOT_NAMESPACE
from agent.runtime.snapshots import SnapshotError, ticket_from_json
from agent.store import Lease, StateStore

# Data errors a damaged snapshot can provoke inside a rule (as in the planner).
_TICKET_DATA_ERRORS = (RuleProblem, CalendarError, ValueError, TypeError, KeyError, AttributeError)


@dataclass(frozen=True)
class DueItem:
    """One obligation of a rule on a ticket: ``item`` is ``<rule ident>:<item>``."""

    item: str
    due: datetime
    overdue: bool


@dataclass(frozen=True)
class EscalationStatus:
    issue: str
    policy: str
    summary: str
    severity: str | None
    owner: str | None
    opened: datetime
    age: timedelta
    held: str | None
    next_due: DueItem | None
    overdue: tuple[str, ...]
    nudged: tuple[str, ...]


@dataclass(frozen=True)
class LimitUse:
    """A policy's use of its limits: admitted today, active now, and who waits (in order)."""

    policy: str
    today: int
    daily_max: int | None
    active: int
    active_max: int | None
    held: tuple[str, ...]


@dataclass
class StatusReport:
    now: datetime
    escalations: list[EscalationStatus] = field(default_factory=list)
    limits: list[LimitUse] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lease: Lease | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "now": _iso(self.now),
            "escalations": [
                {
                    "issue": e.issue,
                    "policy": e.policy,
                    "summary": e.summary,
                    "severity": e.severity,
                    "owner": e.owner,
                    "opened": _iso(e.opened),
                    "age_seconds": int(e.age.total_seconds()),
                    "held": e.held,
                    "next_due": None
                    if e.next_due is None
                    else {
                        "item": e.next_due.item,
                        "due": _iso(e.next_due.due),
                        "overdue": e.next_due.overdue,
                    },
                    "overdue": list(e.overdue),
                    "nudged": list(e.nudged),
                }
                for e in self.escalations
            ],
            "limits": [
                {
                    "policy": u.policy,
                    "today": u.today,
                    "daily_max": u.daily_max,
                    "active": u.active,
                    "active_max": u.active_max,
                    "held": list(u.held),
                }
                for u in self.limits
            ],
            "problems": list(self.problems),
            "lease": None
            if self.lease is None
            else {"owner": self.lease.owner, "expires_at": _iso(self.lease.expires_at)},
        }


class _ObligationProbe(RuleContext):
    """A RuleContext that only records the obligations a rule declares, and plans nothing."""

    found: list[DueItem]

    def obligation(self, item: str, *, due: datetime, overdue: bool, **_ignored: Any) -> None:
        self.found.append(DueItem(f"{self.rule.ident}:{item}", due, overdue))


def _snapshot(store: StateStore, issue: str) -> Ticket | None:
    raw = store.kv_get(SNAPSHOT_NAMESPACE, issue)
    if raw is None:
        return None
    try:
        return ticket_from_json(raw)
    except SnapshotError:
        return None


def _policy_of(policies: Sequence[Policy], ticket: Ticket) -> Policy | None:
    """The first policy that selects the ticket, as the planner decides."""
    return next((p for p in policies if p.select.matches(ticket)), None)


def followed_tickets(
    store: StateStore, policies: Sequence[Policy], state: EngineState, problems: list[str]
) -> list[tuple[Policy, Ticket, TicketState]]:
    """Tickets in the engine state (resolved ones too) with their snapshot and policy."""
    found: list[tuple[Policy, Ticket, TicketState]] = []
    for issue, ticket_state in state.tickets.items():
        ticket = _snapshot(store, issue)
        if ticket is None:
            if ticket_state.resolved_at is None:
                problems.append(f"{issue}: no readable snapshot in the store; run a cycle first")
            continue
        policy = _policy_of(policies, ticket)
        if policy is None:
            if ticket_state.resolved_at is None:
                problems.append(f"{issue}: no policy selects it any more")
            continue
        found.append((policy, ticket, ticket_state))
    return found


def held_by_policy(store: StateStore, policies: Sequence[Policy]) -> dict[str, int]:
    """How many escalations each policy's limits hold back now (0 for every policy)."""
    counts: Counter[str] = Counter({p.name: 0 for p in policies})
    state = load_state(store)
    for issue, ticket_state in state.tickets.items():
        if ticket_state.held_reason is None or ticket_state.resolved_at is not None:
            continue
        ticket = _snapshot(store, issue)
        policy = _policy_of(policies, ticket) if ticket is not None else None
        if policy is not None:
            counts[policy.name] += 1
    return dict(counts)


def due_items(
    policy: Policy, ticket: Ticket, ticket_state: TicketState, now: datetime
) -> list[DueItem]:
    """Every obligation the policy's per-ticket rules declare for the ticket at ``now``."""
    calendar = calendar_for(policy)
    found: list[DueItem] = []
    for rule in policy.rules:
        name: str = getattr(rule, "rule")  # noqa: B009
        if name in POLICY_LEVEL_RULES:
            continue
        if ticket_state.held_reason is not None and name not in RUN_WHILE_HELD:
            continue
        if rule.severities and ticket_state.severity not in rule.severities:
            continue
        probe = _ObligationProbe(
            policy=policy,
            rule=rule,
            ticket=ticket,
            now=now,
            calendar=calendar,
            severity=ticket_state.severity,
            messages=(),
            state=ticket_state,
            previous=ticket_state,
        )
        probe.found = found
        try:
            HANDLERS[name](probe, rule)
        except _TICKET_DATA_ERRORS:
            continue  # the cycle reports the ticket's problem; status just shows less
    return sorted(found, key=lambda d: (d.due, d.item))


def _next_due(items: Iterable[DueItem]) -> DueItem | None:
    """The earliest item still to come, else the longest-overdue one."""
    listed = list(items)
    upcoming = [d for d in listed if not d.overdue]
    if upcoming:
        return min(upcoming, key=lambda d: d.due)
    return min(listed, key=lambda d: d.due) if listed else None


def _limit_use(
    policy: Policy,
    followed: Sequence[tuple[Policy, Ticket, TicketState]],
    now: datetime,
) -> LimitUse | None:
    limits = [r for r in policy.rules if isinstance(r, LimitBase)]
    if not limits:
        return None
    calendar = calendar_for(policy)
    today = calendar.local(now).date()
    mine = [(t, s) for p, t, s in followed if p.name == policy.name]
    admitted_today = sum(
        1
        for _t, s in mine
        if s.admitted_at is not None and calendar.local(s.admitted_at).date() == today
    )
    active = sum(
        1 for t, s in mine if s.admitted_at is not None and t.is_open and s.resolved_at is None
    )
    held = sorted(
        ((t, s) for t, s in mine if s.held_reason is not None and s.resolved_at is None),
        key=lambda pair: (pair[1].first_seen, pair[0].created, pair[0].key),
    )
    daily = [r.max for r in limits if isinstance(r, LimitDaily)]
    most = [r.max for r in limits if isinstance(r, LimitActive)]
    return LimitUse(
        policy=policy.name,
        today=admitted_today,
        daily_max=min(daily) if daily else None,
        active=active,
        active_max=min(most) if most else None,
        held=tuple(t.key for t, _s in held),
    )


def build_status(store: StateStore, policies: Sequence[Policy], now: datetime) -> StatusReport:
    """The status at ``now`` from the store's engine state and ticket snapshots (reads only)."""
    if now.tzinfo is None:
        raise ValueError("build_status needs an aware 'now'")
    report = StatusReport(now=now, lease=store.lease_holder(LEASE_NAME, now))
    state = load_state(store)
    followed = followed_tickets(store, policies, state, report.problems)
    for policy, ticket, ticket_state in followed:
        if not ticket.is_open or ticket_state.resolved_at is not None:
            continue
        items = due_items(policy, ticket, ticket_state, now)
        report.escalations.append(
            EscalationStatus(
                issue=ticket.key,
                policy=policy.name,
                summary=ticket.summary,
                severity=ticket_state.severity,
                owner=ticket.assignee.display_name if ticket.assignee else None,
                opened=ticket.created,
                age=max(now - ticket.created, timedelta(0)),
                held=ticket_state.held_reason,
                next_due=_next_due(items),
                overdue=tuple(d.item for d in items if d.overdue),
                nudged=tuple(sorted(ticket_state.open_items)),
            )
        )
    report.escalations.sort(key=lambda e: (e.policy, e.opened, e.issue))
    for policy in policies:
        use = _limit_use(policy, followed, now)
        if use is not None:
            report.limits.append(use)
    return report


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
