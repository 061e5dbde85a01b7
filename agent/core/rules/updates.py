"""Update cadences: every N minutes, at local times each business day, weekly; and their content."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

from agent.core.rules.base import RuleContext, iso
from agent.core.updates import Update
from agent.policy.calendars import weekday_number
from agent.policy.durations import format_duration
from agent.policy.rule_models import (
    EodUpdateOverdue,
    Sev1DailyUpdate,
    Sev2WeeklyUpdate,
    UpdateNextMissing,
    UpdateOverdue,
)

_TINY = timedelta(microseconds=1)


def _interval(ctx: RuleContext, rule: UpdateOverdue, every: timedelta) -> None:
    updates = ctx.updates(rule.by)
    last = max([ctx.ticket.created, *(u.at for u in updates if u.at <= ctx.now)])
    business = rule.clock == "business"
    due = ctx.calendar.add_business_time(last, every) if business else last + every
    overdue = ctx.now >= due
    ctx.obligation(
        "update",
        due=due,
        overdue=overdue,
        reason=f"{ctx.issue} needs an update every {format_duration(every)}; last {iso(last)}.",
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(last_update=iso(last), every=format_duration(every)),
    )


def _slotted(
    ctx: RuleContext,
    rule: UpdateOverdue | EodUpdateOverdue | Sev1DailyUpdate,
    times: list[time],
    grace: timedelta | None,
    label: str,
) -> None:
    """The latest slot (plus grace) needs an update made after the slot before it."""
    reference = ctx.now - grace if grace else ctx.now
    slot = ctx.calendar.last_slot_at_or_before(reference, times)
    if slot is None or slot <= ctx.ticket.created:
        return
    previous = ctx.calendar.last_slot_at_or_before(slot - _TINY, times)
    window_start = previous if previous is not None else ctx.ticket.created
    updates = [u for u in ctx.updates(rule.by) if window_start < u.at <= ctx.now]
    due = slot + grace if grace else slot
    overdue = not updates
    ctx.obligation(
        "update",
        due=due,
        overdue=overdue,
        reason=f"{ctx.issue} needs its {label} update (due {iso(slot)}).",
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(slot=iso(slot), label=label),
    )


def update_overdue(ctx: RuleContext, rule: UpdateOverdue) -> None:
    if not ctx.ticket.is_open:
        return
    if rule.every is not None:
        _interval(ctx, rule, rule.every)
    else:
        label = " / ".join(t.strftime("%H:%M") for t in rule.at)
        _slotted(ctx, rule, rule.at, rule.grace, f"scheduled ({label})")


def eod_update_overdue(ctx: RuleContext, rule: EodUpdateOverdue) -> None:
    if ctx.ticket.is_open:
        _slotted(ctx, rule, [rule.at], rule.grace, f"end-of-day ({rule.at:%H:%M})")


def sev1_daily_update(ctx: RuleContext, rule: Sev1DailyUpdate) -> None:
    if ctx.ticket.is_open:
        _slotted(ctx, rule, [rule.at], rule.grace, f"daily status ({rule.at:%H:%M})")


def sev2_weekly_update(ctx: RuleContext, rule: Sev2WeeklyUpdate) -> None:
    """A weekly status update; with ``pattern`` it must say e.g. the path to green."""
    if not ctx.ticket.is_open:
        return
    weekday = weekday_number(rule.weekday)
    slot = ctx.calendar.weekly_slot_at_or_before(ctx.now, weekday, rule.at)
    if slot <= ctx.ticket.created:
        return
    previous = ctx.calendar.weekly_slot_at_or_before(slot - _TINY, weekday, rule.at)
    updates = [u for u in ctx.updates(rule.by) if previous < u.at <= ctx.now]
    if rule.pattern:
        updates = [u for u in updates if re.search(rule.pattern, u.text)]
    overdue = not updates
    ctx.obligation(
        "weekly",
        due=slot,
        overdue=overdue,
        reason=f"{ctx.issue} needs its weekly status update"
        + (" with a path to green" if rule.pattern else "")
        + ".",
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(slot=iso(slot), pattern=rule.pattern),
    )


def _latest(updates: list[Update]) -> Update | None:
    with_text = [u for u in updates if u.text.strip()]
    return with_text[-1] if with_text else None


def update_next_missing(ctx: RuleContext, rule: UpdateNextMissing) -> None:
    """The latest update must say when the next one comes."""
    if not ctx.ticket.is_open:
        return
    latest = _latest(ctx.updates(rule.by))
    if latest is None:
        return
    overdue = re.search(rule.pattern, latest.text) is None
    ctx.obligation(
        "next",
        due=latest.at,
        overdue=overdue,
        reason=f"The last update on {ctx.issue} does not say when the next update will come.",
        template=ctx.template("ask_next_update"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["dm"],
        context=lambda: ctx.context(update_at=iso(latest.at), update_source=latest.source),
    )


HANDLERS: dict[str, Callable[[RuleContext, Any], None]] = {
    "update_overdue": update_overdue,
    "eod_update_overdue": eod_update_overdue,
    "sev1_daily_update": sev1_daily_update,
    "sev2_weekly_update": sev2_weekly_update,
    "update_next_missing": update_next_missing,
}
