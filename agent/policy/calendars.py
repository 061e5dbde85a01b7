"""Builds the business calendar a policy describes (cached by its settings, which are immutable)."""

from __future__ import annotations

from datetime import date, time
from functools import lru_cache

from agent.policy.schema import Policy
from agent.policy.types import WEEKDAYS
from agent.timekeeping.calendar import BusinessCalendar, BusinessHours


def calendar_for(policy: Policy) -> BusinessCalendar:
    hours = policy.business_hours
    spec = policy.holidays
    return _calendar(
        policy.timezone,
        hours.start,
        hours.end,
        tuple(WEEKDAYS.index(d) for d in hours.weekdays),
        spec.country if spec else None,
        spec.subdivision if spec else None,
        tuple(spec.extra) if spec else (),
    )


@lru_cache(maxsize=64)
def _calendar(  # noqa: PLR0917 - lru_cache needs plain hashable arguments
    tz: str,
    start: time,
    end: time,
    weekdays: tuple[int, ...],
    country: str | None,
    subdivision: str | None,
    extra: tuple[str, ...],
) -> BusinessCalendar:
    return BusinessCalendar(
        tz,
        BusinessHours(start=start, end=end, weekdays=frozenset(weekdays)),
        holiday_country=country,
        holiday_subdiv=subdivision,
        extra_holidays=tuple(date.fromisoformat(d) for d in extra),
    )


def weekday_number(name: str) -> int:
    return WEEKDAYS.index(name)
