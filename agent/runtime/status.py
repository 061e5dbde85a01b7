"""What the agent is following right now, from the store alone: escalations, what they owe, limits.

``status`` must never write and should not need Jira, so everything comes from
the engine-state document, the ticket snapshots and the channel messages the
cycle keeps. What each escalation owes is what the planner says: ``plan()`` runs
on those at ``now``, with the policies' recorded first contacts, and its
obligations are read (nothing it plans is kept, nothing is recorded), so
``status`` and ``plan`` cannot disagree about what is due, overdue or waiting.
A channel message newer than the last cycle is not seen until the next cycle
reads it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from agent.core.model import ChatMessage, Ticket
from agent.core.obligations import Obligation, earliest_first
from agent.core.planner import plan
from agent.core.selection import governing_policy
from agent.core.state import EngineState, TicketState
from agent.policy.calendars import calendar_for
from agent.policy.rule_models import LimitActive, LimitBase, LimitDaily
from agent.policy.schema import Policy
from agent.runtime.cycle import load_state
from agent.runtime.first_contact import first_contacts
from agent.runtime.leader import LEASE_NAME
from agent.runtime.read.chat_cache import ChatCache
from agent.runtime.read.reader import SNAPSHOT_NAMESPACE
from agent.runtime.read.snapshots import SnapshotError, ticket_from_json
from agent.store import Lease, StateStore


@dataclass(frozen=True)
class EscalationStatus:
    """One open escalation: ``obligations`` are its open ones, earliest first
    (``next_due`` is the first), and ``zone`` the policy's time zone its times are
    shown in."""

    issue: str
    policy: str
    zone: ZoneInfo
    summary: str
    severity: str | None
    owner: str | None
    opened: datetime
    age: timedelta
    held: str | None
    obligations: tuple[Obligation, ...]
    nudged: tuple[str, ...]

    @property
    def next_due(self) -> Obligation | None:
        return self.obligations[0] if self.obligations else None

    @property
    def overdue(self) -> tuple[str, ...]:
        return tuple(o.ident for o in self.obligations if o.overdue)

    @property
    def waiting(self) -> tuple[Obligation, ...]:
        return tuple(o for o in self.obligations if o.waiting is not None)


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
                    "timezone": e.zone.key,
                    "summary": e.summary,
                    "severity": e.severity,
                    "owner": e.owner,
                    "opened": _iso(e.opened),
                    "age_seconds": int(e.age.total_seconds()),
                    "held": e.held,
                    "next_due": None if e.next_due is None else obligation_json(e.next_due, e.zone),
                    "overdue": list(e.overdue),
                    "obligations": [obligation_json(o, e.zone) for o in e.obligations],
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


def obligation_json(obligation: Obligation, zone: ZoneInfo) -> dict[str, Any]:
    """An obligation for scripts: times in ISO 8601 with the policy zone's offset."""
    wait = obligation.waiting
    return {
        "item": obligation.item,
        "rule": obligation.rule,
        "due": obligation.due.astimezone(zone).isoformat(),
        "overdue": obligation.overdue,
        "reason": obligation.reason,
        "waiting": None
        if wait is None
        else {
            "reason": wait.reason.value,
            "why": wait.why,
            "fires_at": None
            if wait.fires_at is None
            else wait.fires_at.astimezone(zone).isoformat(),
            "fires_when": wait.fires_when or None,
        },
    }


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
    return governing_policy(policies, ticket)


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


def kept_messages(
    store: StateStore, state: EngineState, tickets: Sequence[Ticket]
) -> dict[str, list[ChatMessage]]:
    """The escalation-channel messages the last cycle kept, per issue (none written)."""
    cache = ChatCache(store, writable=False)
    found: dict[str, list[ChatMessage]] = {}
    for ticket in tickets:
        kept = state.ticket(ticket.key)
        if kept is None or kept.channel_id is None:
            continue
        messages = cache.get(ticket.key, kept.channel_id)
        if messages is not None:
            found[ticket.key] = messages
    return found


def owed_at(
    store: StateStore,
    policies: Sequence[Policy],
    state: EngineState,
    followed: Sequence[tuple[Policy, Ticket, TicketState]],
    now: datetime,
) -> dict[str, list[Obligation]]:
    """Each ticket's open obligations at ``now``, as the planner finds them."""
    tickets = [ticket for _policy, ticket, _state in followed]
    contacts = first_contacts(store, policies, now, record=False)
    planned = plan(
        tickets,
        state,
        now,
        policies,
        kept_messages(store, state, tickets),
        first_contact=contacts.at,
    )
    owed: dict[str, list[Obligation]] = {}
    for obligation in planned.obligations:
        owed.setdefault(obligation.issue, []).append(obligation)
    return owed


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
    owed = owed_at(store, policies, state, followed, now)
    for policy, ticket, ticket_state in followed:
        if not ticket.is_open or ticket_state.resolved_at is not None:
            continue
        items = owed.get(ticket.key, [])
        report.escalations.append(
            EscalationStatus(
                issue=ticket.key,
                policy=policy.name,
                zone=policy.zone,
                summary=ticket.summary,
                severity=ticket_state.severity,
                owner=ticket.assignee.display_name if ticket.assignee else None,
                opened=ticket.created,
                age=max(now - ticket.created, timedelta(0)),
                held=ticket_state.held_reason,
                obligations=tuple(sorted(items, key=earliest_first)),
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
