"""Update cadences: every N minutes, at local times each business day, weekly; and their content."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from agent.core.human_updates import Update, visible
from agent.core.obligations import ObligationKind
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.kind import Family, RuleKind, Says
from agent.core.slack_reports import reported_at
from agent.policy.calendars import weekday_number
from agent.policy.rule_models import (
    EodUpdateOverdue,
    Sev1DailyUpdate,
    Sev2WeeklyUpdate,
    UpdateNextMissing,
    UpdateOverdue,
)
from agent.timekeeping.calendar import CalendarError
from agent.timekeeping.durations import format_duration

_TINY = timedelta(microseconds=1)


def _interval(ctx: RuleContext, rule: UpdateOverdue, every: timedelta) -> None:
    updates = visible(ctx.updates(rule.by), rule.visibility)
    last = max([reported_at(ctx.ticket), *(u.at for u in updates if u.at <= ctx.now)])
    business = rule.clock == "business"
    due = ctx.calendar.add_business_time(last, every) if business else last + every
    ctx.obligation(
        "update",
        due=due,
        met=False,
        reason=f"{ctx.issue} needs an update every {format_duration(every)}.",
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(last_update=iso(last), every=format_duration(every)),
        task=f"update {ctx.issue}",
    )


def counting_from(
    slot: datetime, previous: datetime | None, created: datetime, window: timedelta | None
) -> datetime:
    """Updates after this instant count for ``slot``: those since the slot before it (or
    the ticket's creation), and with ``window`` only those in the window before the slot:
    "update the client by 16:30" is an end-of-day update, which a 09:10 one is not."""
    start = previous if previous is not None else created
    return max(start, slot - window) if window is not None else start


def _slotted(
    ctx: RuleContext,
    rule: UpdateOverdue | EodUpdateOverdue | Sev1DailyUpdate,
    times: list[time],
    grace: timedelta | None,
    label: str,
) -> None:
    """The latest slot (plus grace) needs an update made after the slot before it (within
    ``window`` of the slot, if given); once it has one (or before the first slot), the
    next slot is what is owed."""
    reference = ctx.now - grace if grace else ctx.now
    slot = ctx.calendar.last_slot_at_or_before(reference, times)
    if slot is None or slot <= ctx.ticket.created:
        _next_slot(
            ctx, rule, max(reference, ctx.ticket.created), times=times, grace=grace, label=label
        )
        return
    previous = ctx.calendar.last_slot_at_or_before(slot - _TINY, times)
    if _slot(ctx, rule, slot, previous=previous, grace=grace, label=label):
        _next_slot(ctx, rule, slot, times=times, grace=grace, label=label)


def _slot(
    ctx: RuleContext,
    rule: UpdateOverdue | EodUpdateOverdue | Sev1DailyUpdate,
    slot: datetime,
    *,
    previous: datetime | None,
    grace: timedelta | None,
    label: str,
) -> bool:
    """The obligation of one slot (due at ``slot`` plus grace); whether it is met."""
    since = counting_from(slot, previous, ctx.ticket.created, rule.window)
    counted_updates = visible(ctx.updates(rule.by), rule.visibility)
    updates = [u for u in counted_updates if since < u.at <= ctx.now]
    counted = (
        f", made in the {format_duration(rule.window)} before it" if rule.window is not None else ""
    )
    ctx.obligation(
        "update",
        due=slot + grace if grace else slot,
        met=bool(updates),
        reason=f"{ctx.issue} needs its {label} update{counted}.",  # the message shows when
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(slot=iso(slot), label=label),
        task=f"give {ctx.issue} its {label} update",
    )
    return bool(updates)


def _next_slot(
    ctx: RuleContext,
    rule: UpdateOverdue | EodUpdateOverdue | Sev1DailyUpdate,
    after: datetime,
    *,
    times: list[time],
    grace: timedelta | None,
    label: str,
) -> None:
    """The slot after ``after`` is owed next: not due yet, so at most its heads-up goes."""
    try:
        slot = ctx.calendar.next_slot_after(after, times)
    except CalendarError:
        return  # no such slot for years: nothing is owed (the calendar check says why)
    previous = ctx.calendar.last_slot_at_or_before(slot - _TINY, times)
    _slot(ctx, rule, slot, previous=previous, grace=grace, label=label)


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
        _next_week(ctx, rule, ctx.now)
        return
    if _week(ctx, rule, slot):
        _next_week(ctx, rule, slot)


def _week(ctx: RuleContext, rule: Sev2WeeklyUpdate, slot: datetime) -> bool:
    """The obligation of one weekly slot: an update since the week's slot before; met?"""
    weekday = weekday_number(rule.weekday)
    previous = ctx.calendar.weekly_slot_at_or_before(slot - _TINY, weekday, rule.at)
    updates = [
        u for u in visible(ctx.updates(rule.by), rule.visibility) if previous < u.at <= ctx.now
    ]
    if rule.pattern:
        updates = [u for u in updates if re.search(rule.pattern, u.text)]
    reason = (
        f"{ctx.issue} needs its weekly status update"
        + (" with a path to green" if rule.pattern else "")
        + "."
    )
    ctx.obligation(
        "weekly",
        due=slot,
        met=bool(updates),
        reason=reason,
        template=ctx.template("update_due"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        context=lambda: ctx.context(slot=iso(slot), pattern=rule.pattern),
        task=f"give {ctx.issue} its weekly status update",
    )
    return bool(updates)


def _next_week(ctx: RuleContext, rule: Sev2WeeklyUpdate, after: datetime) -> None:
    """The weekly slot after ``after`` is owed next: not due yet, so at most its heads-up."""
    _week(
        ctx, rule, ctx.calendar.next_weekly_slot_after(after, weekday_number(rule.weekday), rule.at)
    )


def _latest(updates: list[Update]) -> Update | None:
    with_text = [u for u in updates if u.text.strip()]
    return with_text[-1] if with_text else None


def update_next_missing(ctx: RuleContext, rule: UpdateNextMissing) -> None:
    """The latest update must say when the next one comes."""
    if not ctx.ticket.is_open:
        return
    latest = _latest(visible(ctx.updates(rule.by), rule.visibility))
    if latest is None:
        return
    ctx.obligation(
        "next",
        due=latest.at,
        met=re.search(rule.pattern, latest.text) is not None,
        reason=f"The last update on {ctx.issue} does not say when the next update will come.",
        template=ctx.template("ask_next_update"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["dm"],
        context=lambda: ctx.context(update_at=iso(latest.at), update_source=latest.source),
    )


FAMILY = Family(
    "updates",
    "Update cadences",
    "Updates on time, and saying when the next comes.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=UpdateOverdue,
        handler=update_overdue,
        family=FAMILY,
        description=(
            "Updates come every `every` (wall-clock or business time) or at the local times "
            "`at` each business day (default: assignee, in the escalation channel)."
        ),
        words="nudged: update overdue",
        params={
            "every": "Interval between updates (give `every` or `at`).",
            "at": "Local times at which an update is due each business day.",
            "grace": "With `at`: how long after each time the update may come.",
            "clock": "With `every`: count wall-clock time or business time only.",
        },
        templates=frozenset({"update_due"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.UPDATE_CADENCE,
    ),
    RuleKind(
        model=EodUpdateOverdue,
        handler=eod_update_overdue,
        family=FAMILY,
        description=(
            "An end-of-day update by `at` (plus `grace`) each business day (default: "
            "assignee, in the escalation channel)."
        ),
        words="nudged: no update by 16:30",
        templates=frozenset({"update_due"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.END_OF_DAY,
    ),
    RuleKind(
        model=Sev1DailyUpdate,
        handler=sev1_daily_update,
        family=FAMILY,
        description=(
            "A daily status update by `at` (plus `grace`) each business day (default: "
            "assignee, in the escalation channel)."
        ),
        words="asked for the Sev1 daily update",
        templates=frozenset({"update_due"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.UPDATE_CADENCE,
    ),
    RuleKind(
        model=Sev2WeeklyUpdate,
        handler=sev2_weekly_update,
        family=FAMILY,
        description=(
            "A weekly status update by `weekday` `at`, matching `pattern` when given "
            "(default: assignee, in the escalation channel)."
        ),
        words="asked for the Sev2 path to green",
        params={
            "pattern": (
                "Regular expression the weekly update must match (e.g. a path to green); "
                "unset: any update."
            ),
        },
        templates=frozenset({"update_due"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.UPDATE_CADENCE,
    ),
    RuleKind(
        model=UpdateNextMissing,
        handler=update_next_missing,
        family=FAMILY,
        description=(
            "The latest update says when the next one comes (matches `pattern`); if not, the "
            "assignee is asked to say it (default: assignee, by DM)."
        ),
        words="nudged: say when the next update comes",
        params={
            "pattern": (
                "Regular expression that finds the promise of the next update in the latest "
                "update's text."
            ),
        },
        templates=frozenset({"ask_next_update"}),
        declares_obligations=True,
        reads_message_content=True,
        says=Says.NUDGE,
        adherence=ObligationKind.UPDATE_CADENCE,
    ),
)
