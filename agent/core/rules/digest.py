"""The weekly digest: every open ticket of a policy in the PM's weekly status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from agent.core.actions import PlannedAction
from agent.core.calendar import BusinessCalendar
from agent.core.model import Ticket
from agent.core.routing import route
from agent.core.rules.base import iso, ticket_context
from agent.policy.calendars import weekday_number
from agent.policy.rule_models import WeeklyDigest
from agent.policy.schema import Policy

# A weekly report first noticed this long after its slot is skipped, not sent late.
STALE_AFTER = timedelta(days=1)


def weekly_digest(
    policy: Policy,
    rule: WeeklyDigest,
    *,
    tickets: Sequence[Ticket],
    now: datetime,
    calendar: BusinessCalendar,
    severities: Mapping[str, str | None],
) -> list[PlannedAction]:
    slot = calendar.weekly_slot_at_or_before(now, weekday_number(rule.weekday), rule.at)
    listed = [t for t in tickets if t.is_open and t.created <= slot]
    if not listed or now - slot > STALE_AFTER:
        return []
    context = {
        "policy": policy.name,
        "week_of": iso(slot),
        "tickets": [ticket_context(t, severities.get(t.key)) for t in listed],
    }
    return route(
        policy=policy,
        rule="weekly_digest",
        ticket=None,
        targets=rule.notify or ["project_channel"],
        base_key=f"{rule.ident}:{policy.name}:{iso(slot)}",
        reason=f"{len(listed)} open ticket(s) for the weekly status of {policy.name}.",
        due=slot,
        template=rule.template or "weekly_digest",
        audience=(),
        context=context,
        urgent=rule.urgent,
    )
