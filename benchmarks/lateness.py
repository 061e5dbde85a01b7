"""Nudge lateness over a simulated day: plan a sample every poll with nobody updating.

Every cycle plans from the stored snapshots (as the incremental reader does for
unchanged tickets), so an action is planned by the first cycle at or after it
falls due. Lateness is measured on the first nudge of each obligation slot (its
anchor): later sends of the same slot to new people (after-hours paging when
business hours end, escalation chains) are new decisions, not late ones.
Actions a policy defers to business hours (non-urgent nudges at night) are
counted as deferred, not late.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent.core.planner import plan
from agent.policy import Policy
from agent.policy.calendars import calendar_for

if TYPE_CHECKING:
    from benchmarks.strategies import Primed

PER_PROJECT = 2
# Rules that nudge on a clock (the others act on a change, in the cycle that sees it).
CLOCK_RULES = frozenset(
    {
        "ack_overdue",
        "call_needed",
        "closure_missing_fields",
        "eod_update_overdue",
        "estimate_missing",
        "intake_missing_fields",
        "postmortem_due",
        "progress_overdue",
        "sev1_daily_update",
        "sev1_setup_missing",
        "sev2_weekly_update",
        "stakeholder_summary",
        "update_next_missing",
        "update_overdue",
        "weekly_digest",
    }
)


def simulate_day(
    primed: Primed, policies: Sequence[Policy], start: datetime, poll_seconds: int
) -> dict[str, Any]:
    by_project: dict[str, int] = {}
    sample = []
    for ticket in sorted(primed.tickets, key=lambda t: t.key):
        if by_project.get(ticket.project, 0) < PER_PROJECT:
            by_project[ticket.project] = by_project.get(ticket.project, 0) + 1
            sample.append(ticket)
    calendars = {p.name: calendar_for(p) for p in policies}
    state = primed.state
    seen: set[str] = set()
    max_gap = 0.0
    nudges = deferred = 0
    step = timedelta(seconds=poll_seconds)
    now = start + step
    while now <= start + timedelta(days=1):
        planned = plan(sample, state, now, policies)
        for action in planned.actions:
            anchor = action.key.split("#", 1)[0]
            if anchor in seen:
                continue
            seen.add(anchor)
            if action.due < start or action.rule not in CLOCK_RULES:
                continue  # due before the simulation began, or not a clock nudge
            nudges += 1
            gap = max(0.0, (now - action.due).total_seconds())
            if gap > poll_seconds and not calendars[action.policy].is_business_time(action.due):
                deferred += 1
                continue
            max_gap = max(max_gap, gap)
        state = planned.state.with_done(a.key for a in planned.actions)
        now += step
    return {"tickets": len(sample), "nudges": nudges, "deferred": deferred, "max_gap_s": max_gap}
