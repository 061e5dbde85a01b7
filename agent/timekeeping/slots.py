"""Finding the UTC instants of local wall-clock "slots" (daily and weekly).

A slot is a local wall time on a local day ("every business day at 16:30",
"Mondays at 10:00"). Each (day, time) pair maps to exactly one UTC instant
through ``WallClock.at_local`` (which shifts non-existent times forward and
takes the first occurrence of repeated ones), so a daily slot is never skipped
or doubled across a DST change. These functions only search; validation
(aware datetimes, error types) is the caller's job, so this module has no
dependency on the calendar itself. Searches that find nothing within
``MAX_SEARCH_DAYS`` return ``None`` and let the caller decide what that means.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Protocol

# Longest run of days a search walks without finding a slot before giving up.
MAX_SEARCH_DAYS = 3660

_ONE_DAY = timedelta(days=1)


class WallClock(Protocol):
    """The calendar operations slot searches need."""

    def local(self, moment: datetime) -> datetime: ...

    def at_local(self, day: date, at: time) -> datetime: ...

    def is_business_day(self, day: date) -> bool: ...


def _days(first: date, step: int) -> Iterator[date]:
    """Days from ``first`` onwards (step +1) or backwards (step -1), stopping at date limits."""
    day = first
    while True:
        yield day
        try:
            day += timedelta(days=step)
        except OverflowError:
            return


def _clamped_day(day: date, step: int) -> date:
    """``day + step`` days, or ``day`` itself at the edge of the date range."""
    try:
        return day + timedelta(days=step)
    except OverflowError:
        return day


def _instants_on(
    clock: WallClock, day: date, times: Sequence[time], business_days_only: bool
) -> list[datetime]:
    """The UTC instants of ``times`` on local ``day`` (none if it is not a business day)."""
    if business_days_only and not clock.is_business_day(day):
        return []
    return [clock.at_local(day, at) for at in times]


def slots_between(
    clock: WallClock,
    start: datetime,
    end: datetime,
    times: Sequence[time],
    business_days_only: bool,
) -> list[datetime]:
    """Sorted, distinct slot instants in ``(start, end]``.

    Days one either side of the local range are included because a DST shift
    can move a slot of a neighbouring local day into the window.
    """
    if end <= start or not times:
        return []
    first = _clamped_day(clock.local(start).date(), -1)
    last = _clamped_day(clock.local(end).date(), +1)
    found: set[datetime] = set()
    for day in _days(first, +1):
        if day > last:
            break
        found.update(
            instant
            for instant in _instants_on(clock, day, times, business_days_only)
            if start < instant <= end
        )
    return sorted(found)


def _nearest_slot(
    clock: WallClock,
    moment: datetime,
    times: Sequence[time],
    business_days_only: bool,
    step: int,
) -> datetime | None:
    """The nearest slot before-or-at (``step`` -1) or after (``step`` +1) ``moment``.

    Walks local days away from ``moment``, starting one day on the other side, and
    checks one day past the first day with a candidate, because a DST shift can
    reorder the instants of neighbouring days.
    """
    if not times:
        return None
    later = step > 0
    pick = min if later else max
    best: datetime | None = None
    days_without_slot = 0
    for day in _days(_clamped_day(clock.local(moment).date(), -step), step):
        candidates = [
            instant
            for instant in _instants_on(clock, day, times, business_days_only)
            if (instant > moment if later else instant <= moment)
        ]
        if candidates:
            day_best = pick(candidates)
            if best is not None:
                return pick(best, day_best)
            best = day_best
        elif best is not None:
            return best
        else:
            days_without_slot += 1
            if days_without_slot > MAX_SEARCH_DAYS:
                return None
    return best


def last_slot_at_or_before(
    clock: WallClock, moment: datetime, times: Sequence[time], business_days_only: bool
) -> datetime | None:
    """The latest slot instant ``<= moment``, or ``None`` if there is none recently."""
    return _nearest_slot(clock, moment, times, business_days_only, -1)


def next_slot_after(
    clock: WallClock, moment: datetime, times: Sequence[time], business_days_only: bool
) -> datetime | None:
    """The earliest slot instant ``> moment``, or ``None`` if there is none soon."""
    return _nearest_slot(clock, moment, times, business_days_only, +1)


def weekly_slot_at_or_before(
    clock: WallClock, moment: datetime, weekday: int, at: time
) -> datetime:
    """The latest instant ``<= moment`` that is ``at`` local time on a ``weekday``."""
    today = clock.local(moment).date()
    this_week = today - timedelta(days=(today.weekday() - weekday) % 7)
    candidates = [
        clock.at_local(day, at)
        for day in (this_week + timedelta(days=7), this_week, this_week - timedelta(days=7))
    ]
    return max(instant for instant in candidates if instant <= moment)


def next_weekly_slot_after(clock: WallClock, moment: datetime, weekday: int, at: time) -> datetime:
    """The earliest instant ``> moment`` that is ``at`` local time on a ``weekday``."""
    today = clock.local(moment).date()
    this_week = today - timedelta(days=(today.weekday() - weekday) % 7)
    candidates = [
        clock.at_local(day, at)
        for day in (this_week - timedelta(days=7), this_week, this_week + timedelta(days=7))
    ]
    return min(instant for instant in candidates if instant > moment)
