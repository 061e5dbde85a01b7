"""Daily and weekly wall-clock slots on business days (DST cases are in test_calendar_dst)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.timekeeping.calendar import BusinessCalendar, BusinessHours

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
TIMES = [time(9, 0), time(12, 30), time(16, 30)]


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def cal() -> BusinessCalendar:
    return BusinessCalendar("Europe/Kyiv", BusinessHours(time(9, 0), time(17, 30)))


@pytest.fixture
def us_cal() -> BusinessCalendar:
    hours = BusinessHours(time(9, 0), time(17, 30))
    return BusinessCalendar("America/New_York", hours, holiday_country="US")


# -- slots_between ----------------------------------------------------------------------------


def test_slots_between_over_several_days_skips_the_weekend(cal: BusinessCalendar) -> None:
    found = cal.slots_between(kyiv(2026, 11, 20, 8, 0), kyiv(2026, 11, 24, 12, 30), TIMES)
    assert found == [
        kyiv(2026, 11, 20, 9, 0),
        kyiv(2026, 11, 20, 12, 30),
        kyiv(2026, 11, 20, 16, 30),
        kyiv(2026, 11, 23, 9, 0),
        kyiv(2026, 11, 23, 12, 30),
        kyiv(2026, 11, 23, 16, 30),
        kyiv(2026, 11, 24, 9, 0),
        kyiv(2026, 11, 24, 12, 30),  # end is inclusive
    ]
    assert all(instant.tzinfo is UTC for instant in found)


def test_slots_between_start_is_exclusive(cal: BusinessCalendar) -> None:
    found = cal.slots_between(kyiv(2026, 11, 23, 9, 0), kyiv(2026, 11, 23, 16, 30), TIMES)
    assert found == [kyiv(2026, 11, 23, 12, 30), kyiv(2026, 11, 23, 16, 30)]


def test_slots_between_all_days(cal: BusinessCalendar) -> None:
    found = cal.slots_between(
        kyiv(2026, 11, 21, 0, 0), kyiv(2026, 11, 23, 0, 0), TIMES, business_days_only=False
    )
    assert [(slot.astimezone(KYIV).day, slot.astimezone(KYIV).time()) for slot in found] == [
        (21, time(9, 0)),
        (21, time(12, 30)),
        (21, time(16, 30)),
        (22, time(9, 0)),
        (22, time(12, 30)),
        (22, time(16, 30)),
    ]


def test_slots_between_skips_holidays(us_cal: BusinessCalendar) -> None:
    found = us_cal.slots_between(ny(2026, 11, 25, 12, 0), ny(2026, 11, 27, 23, 0), [time(16, 30)])
    assert found == [ny(2026, 11, 25, 16, 30), ny(2026, 11, 27, 16, 30)]


def test_slots_between_sorts_and_deduplicates_times(cal: BusinessCalendar) -> None:
    times = [time(16, 30), time(9, 0), time(16, 30)]
    found = cal.slots_between(kyiv(2026, 11, 23, 0, 0), kyiv(2026, 11, 23, 23, 0), times)
    assert found == [kyiv(2026, 11, 23, 9, 0), kyiv(2026, 11, 23, 16, 30)]


def test_slots_between_empty_cases(cal: BusinessCalendar) -> None:
    monday = kyiv(2026, 11, 23, 10, 0)
    assert cal.slots_between(monday, monday, TIMES) == []
    assert cal.slots_between(monday + timedelta(hours=5), monday, TIMES) == []
    assert cal.slots_between(monday, monday + timedelta(days=3), []) == []


def test_slots_between_uses_the_policy_zone_not_the_input_zone(us_cal: BusinessCalendar) -> None:
    # Kyiv is 7 hours ahead of New York: the Kyiv-zoned window 23rd 23:00 - 24th 23:00
    # covers New York's 16:30 on the 23rd (23:30 Kyiv) and 09:00 + 12:30 on the 24th
    # (16:00 and 19:30 Kyiv), but not 16:30 on the 24th (23:30 Kyiv).
    found = us_cal.slots_between(kyiv(2026, 11, 23, 23, 0), kyiv(2026, 11, 24, 23, 0), TIMES)
    assert found == [ny(2026, 11, 23, 16, 30), ny(2026, 11, 24, 9, 0), ny(2026, 11, 24, 12, 30)]


# -- last / next slot -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (kyiv(2026, 11, 23, 12, 30), kyiv(2026, 11, 23, 12, 30)),  # at a slot: that slot
        (kyiv(2026, 11, 23, 12, 29), kyiv(2026, 11, 23, 9, 0)),
        (kyiv(2026, 11, 23, 8, 0), kyiv(2026, 11, 20, 16, 30)),  # Monday early: Friday's
        (kyiv(2026, 11, 22, 20, 0), kyiv(2026, 11, 20, 16, 30)),  # Sunday
        (kyiv(2026, 11, 23, 23, 59), kyiv(2026, 11, 23, 16, 30)),
    ],
)
def test_last_slot_at_or_before(
    cal: BusinessCalendar, moment: datetime, expected: datetime
) -> None:
    assert cal.last_slot_at_or_before(moment, TIMES) == expected


def test_last_slot_all_days_and_empty_times(cal: BusinessCalendar) -> None:
    monday_early = kyiv(2026, 11, 23, 8, 0)
    assert cal.last_slot_at_or_before(monday_early, TIMES, business_days_only=False) == kyiv(
        2026, 11, 22, 16, 30
    )
    assert cal.last_slot_at_or_before(monday_early, []) is None


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (kyiv(2026, 11, 23, 9, 0), kyiv(2026, 11, 23, 12, 30)),  # strictly after
        (kyiv(2026, 11, 23, 8, 59), kyiv(2026, 11, 23, 9, 0)),
        (kyiv(2026, 11, 20, 16, 30), kyiv(2026, 11, 23, 9, 0)),  # Friday last: Monday
        (kyiv(2026, 11, 21, 12, 0), kyiv(2026, 11, 23, 9, 0)),
    ],
)
def test_next_slot_after(cal: BusinessCalendar, moment: datetime, expected: datetime) -> None:
    assert cal.next_slot_after(moment, TIMES) == expected


def test_next_slot_after_skips_a_holiday(us_cal: BusinessCalendar) -> None:
    assert us_cal.next_slot_after(ny(2026, 11, 25, 17, 0), TIMES) == ny(2026, 11, 27, 9, 0)
    assert us_cal.next_slot_after(ny(2026, 11, 25, 17, 0), TIMES, business_days_only=False) == ny(
        2026, 11, 26, 9, 0
    )


def test_next_and_last_agree_with_slots_between_over_a_sweep(us_cal: BusinessCalendar) -> None:
    start = datetime(2026, 11, 20, 0, 5, tzinfo=UTC)
    for step in range(300):
        moment = start + timedelta(minutes=53 * step)
        upcoming = us_cal.slots_between(moment, moment + timedelta(days=6), TIMES)
        assert us_cal.next_slot_after(moment, TIMES) == upcoming[0]
        recent = us_cal.slots_between(moment - timedelta(days=6), moment, TIMES)
        assert us_cal.last_slot_at_or_before(moment, TIMES) == recent[-1]


# -- weekly slots ---------------------------------------------------------------------------

MONDAY = 0


@pytest.mark.parametrize(
    ("moment", "at_or_before", "after"),
    [
        (kyiv(2026, 11, 25, 15, 0), kyiv(2026, 11, 23, 10, 0), kyiv(2026, 11, 30, 10, 0)),
        (kyiv(2026, 11, 23, 10, 0), kyiv(2026, 11, 23, 10, 0), kyiv(2026, 11, 30, 10, 0)),
        (kyiv(2026, 11, 23, 9, 59), kyiv(2026, 11, 16, 10, 0), kyiv(2026, 11, 23, 10, 0)),
        (kyiv(2026, 11, 22, 23, 0), kyiv(2026, 11, 16, 10, 0), kyiv(2026, 11, 23, 10, 0)),
    ],
)
def test_weekly_slots(
    cal: BusinessCalendar, moment: datetime, at_or_before: datetime, after: datetime
) -> None:
    assert cal.weekly_slot_at_or_before(moment, MONDAY, time(10, 0)) == at_or_before
    assert cal.next_weekly_slot_after(moment, MONDAY, time(10, 0)) == after


def test_weekly_slot_is_on_the_local_weekday() -> None:
    # Monday 08:00 in Sydney is still Sunday in UTC.
    sydney = BusinessCalendar("Australia/Sydney", BusinessHours(time(9, 0), time(17, 0)))
    slot = sydney.next_weekly_slot_after(datetime(2026, 11, 20, tzinfo=UTC), MONDAY, time(8, 0))
    assert slot == datetime(2026, 11, 22, 21, 0, tzinfo=UTC)
    assert sydney.local(slot).weekday() == MONDAY


def test_weekly_slots_ignore_holidays(us_cal: BusinessCalendar) -> None:
    thursday = 3
    slot = us_cal.next_weekly_slot_after(ny(2026, 11, 24), thursday, time(10, 0))
    assert slot == ny(2026, 11, 26, 10, 0)  # Thanksgiving: weekly slots are plain weekly


def test_weekly_slots_over_a_year_are_one_per_week(us_cal: BusinessCalendar) -> None:
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    seen: list[date] = []
    for _ in range(53):
        moment = us_cal.next_weekly_slot_after(moment, 4, time(16, 30))
        local = us_cal.local(moment)
        assert (local.weekday(), local.time()) == (4, time(16, 30))
        assert us_cal.weekly_slot_at_or_before(moment, 4, time(16, 30)) == moment
        seen.append(local.date())
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(seen))
