"""Daylight-saving transitions: non-existent and repeated wall times, slots, business time.

2026 transitions used here (all on Sundays):
  Europe/Kyiv       03-29 03:00 -> 04:00 (gap)      10-25 04:00 -> 03:00 (repeat)
  America/New_York  03-08 02:00 -> 03:00 (gap)      11-01 02:00 -> 01:00 (repeat)
  Australia/Sydney  10-04 02:00 -> 03:00 (gap)      04-05 03:00 -> 02:00 (repeat)
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agent.timekeeping.calendar import BusinessCalendar, BusinessHours

EVERY_DAY = frozenset(range(7))
OFFICE = BusinessHours(time(9, 0), time(17, 30))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def calendar(zone: str, hours: BusinessHours = OFFICE) -> BusinessCalendar:
    return BusinessCalendar(zone, hours)


# -- at_local -----------------------------------------------------------------------------

GAPS = [
    # zone, transition day, wall time inside the gap, expected UTC (= wall time + gap)
    ("Europe/Kyiv", date(2026, 3, 29), time(3, 30), utc(2026, 3, 29, 1, 30)),  # 04:30 EEST
    ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30)),  # 03:30 EDT
    ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 30)),  # 03:30
]

REPEATS = [
    # zone, transition day, repeated wall time, first occurrence (UTC), second occurrence
    ("Europe/Kyiv", date(2026, 10, 25), time(3, 30), utc(2026, 10, 25, 0, 30), 1),
    ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), 1),
    ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30), 1),
]


@pytest.mark.parametrize(("zone", "day", "at", "expected"), GAPS)
def test_non_existent_wall_time_is_shifted_forward_by_the_gap(
    zone: str, day: date, at: time, expected: datetime
) -> None:
    cal = calendar(zone)
    result = cal.at_local(day, at)
    assert result == expected
    assert result.tzinfo is UTC
    local = cal.local(result)
    assert local.date() == day
    assert (local.hour, local.minute) == (at.hour + 1, at.minute)
    # The gap's edges: its start is already the new time, its last minute before is old.
    before = cal.at_local(day, time(at.hour - 1, 59))
    assert cal.local(before).time() == time(at.hour - 1, 59)
    assert cal.local(cal.at_local(day, time(at.hour + 1, 0))).time() == time(at.hour + 1, 0)


@pytest.mark.parametrize(("zone", "day", "at", "first", "hours_later"), REPEATS)
def test_repeated_wall_time_maps_to_first_occurrence(
    zone: str, day: date, at: time, first: datetime, hours_later: int
) -> None:
    cal = calendar(zone)
    assert cal.at_local(day, at) == first
    # A caller's fold=1 does not select the second occurrence either.
    assert cal.at_local(day, at.replace(fold=1)) == first
    second = first + timedelta(hours=hours_later)
    assert cal.local(second).time() == at  # the wall clock really shows it twice
    assert cal.local(first).utcoffset() != cal.local(second).utcoffset()


# -- daily slots across transitions -------------------------------------------------------

TRANSITIONS = [
    ("Europe/Kyiv", date(2026, 3, 29), time(3, 30)),
    ("Europe/Kyiv", date(2026, 10, 25), time(3, 30)),
    ("America/New_York", date(2026, 3, 8), time(2, 30)),
    ("America/New_York", date(2026, 11, 1), time(1, 30)),
    ("Australia/Sydney", date(2026, 10, 4), time(2, 30)),
    ("Australia/Sydney", date(2026, 4, 5), time(2, 30)),
]


@pytest.mark.parametrize(("zone", "day", "odd_time"), TRANSITIONS)
def test_daily_slots_are_never_skipped_or_doubled(zone: str, day: date, odd_time: time) -> None:
    cal = calendar(zone)
    times = [odd_time, time(9, 0), time(12, 30), time(16, 30)]
    first_day = day - timedelta(days=3)
    start = cal.at_local(first_day, time(0, 0))
    end = cal.at_local(day + timedelta(days=4), time(0, 0))
    found = cal.slots_between(start, end, times, business_days_only=False)
    is_gap = (day, odd_time) in {(d, t) for _, d, t, _ in GAPS}
    assert len(found) == 7 * len(times)
    assert found == sorted(set(found))
    for index, instant in enumerate(found):
        expected_day = first_day + timedelta(days=index // len(times))
        expected_time = times[index % len(times)]
        assert instant == cal.at_local(expected_day, expected_time)
        local = cal.local(instant)
        assert local.date() == expected_day
        assert local.fold == 0  # a repeated time is always its first occurrence
        shifted = (expected_day, expected_time) == (day, odd_time) and is_gap
        wall = expected_time.replace(hour=expected_time.hour + 1) if shifted else expected_time
        assert local.time() == wall


@pytest.mark.parametrize(("zone", "day", "odd_time"), TRANSITIONS)
def test_nine_oclock_is_23_or_25_hours_after_the_previous_one(
    zone: str, day: date, odd_time: time
) -> None:
    cal = calendar(zone)
    before = cal.at_local(day - timedelta(days=1), time(9, 0))
    on_day = cal.at_local(day, time(9, 0))
    after = cal.at_local(day + timedelta(days=1), time(9, 0))
    spring = cal.local(before).utcoffset() < cal.local(after).utcoffset()
    assert on_day - before == timedelta(hours=23 if spring else 25)
    assert after - on_day == timedelta(hours=24)


@pytest.mark.parametrize(("zone", "day", "odd_time"), TRANSITIONS)
def test_next_and_last_slot_step_through_a_transition_one_by_one(
    zone: str, day: date, odd_time: time
) -> None:
    cal = calendar(zone)
    times = [time(0, 30), odd_time, time(9, 0)]
    moment = cal.at_local(day - timedelta(days=1), time(23, 0))
    end = cal.at_local(day + timedelta(days=1), time(23, 0))
    forward = []
    while True:
        moment = cal.next_slot_after(moment, times, business_days_only=False)
        if moment > end:
            break
        forward.append(moment)
    assert len(forward) == 6
    start = cal.at_local(day - timedelta(days=1), time(23, 0))
    assert forward == cal.slots_between(start, end, times, business_days_only=False)
    backward = []
    moment = end
    while True:
        found = cal.last_slot_at_or_before(moment, times, business_days_only=False)
        assert found is not None
        if found <= start:
            break
        backward.append(found)
        moment = found - timedelta(microseconds=1)
    assert backward == forward[::-1]


# -- weekly slots -------------------------------------------------------------------------


def test_weekly_slot_across_spring_forward_is_one_hour_shorter() -> None:
    cal = calendar("America/New_York")
    monday_before = cal.next_weekly_slot_after(utc(2026, 3, 1), 0, time(10, 0))
    monday_after = cal.next_weekly_slot_after(monday_before, 0, time(10, 0))
    assert monday_before == utc(2026, 3, 2, 15, 0)  # 10:00 EST
    assert monday_after == utc(2026, 3, 9, 14, 0)  # 10:00 EDT
    assert monday_after - monday_before == timedelta(days=7) - timedelta(hours=1)


def test_weekly_slot_inside_the_gap_and_the_repeat() -> None:
    cal = calendar("America/New_York")
    # Sunday 02:30 does not exist on 2026-03-08: 03:30 EDT instead, exactly once.
    slot = cal.next_weekly_slot_after(utc(2026, 3, 7), 6, time(2, 30))
    assert slot == utc(2026, 3, 8, 7, 30)
    assert cal.next_weekly_slot_after(slot, 6, time(2, 30)) == utc(2026, 3, 15, 6, 30)
    # Sunday 01:30 happens twice on 2026-11-01: only the first counts.
    first = cal.next_weekly_slot_after(utc(2026, 10, 31), 6, time(1, 30))
    assert first == utc(2026, 11, 1, 5, 30)
    assert cal.weekly_slot_at_or_before(utc(2026, 11, 1, 6, 30), 6, time(1, 30)) == first
    assert cal.next_weekly_slot_after(first, 6, time(1, 30)) == utc(2026, 11, 8, 6, 30)


# -- business time on a transition day -------------------------------------------------------

NIGHT_SHIFT = BusinessHours(time(0, 0), time(6, 0), EVERY_DAY)


@pytest.mark.parametrize(
    ("zone", "day", "real_length"),
    [
        ("America/New_York", date(2026, 3, 8), timedelta(hours=5)),
        ("America/New_York", date(2026, 11, 1), timedelta(hours=7)),
        ("Europe/Kyiv", date(2026, 3, 29), timedelta(hours=5)),
        ("Europe/Kyiv", date(2026, 10, 25), timedelta(hours=7)),
        ("Australia/Sydney", date(2026, 10, 4), timedelta(hours=5)),
        ("Australia/Sydney", date(2026, 4, 5), timedelta(hours=7)),
        ("America/New_York", date(2026, 3, 9), timedelta(hours=6)),
    ],
)
def test_hours_spanning_the_change_count_real_elapsed_time(
    zone: str, day: date, real_length: timedelta
) -> None:
    cal = calendar(zone, NIGHT_SHIFT)
    opens = cal.at_local(day, time(0, 0))
    whole_day = cal.business_time_between(opens - timedelta(hours=1), opens + timedelta(hours=20))
    assert whole_day == real_length
    closes = cal.add_business_time(opens, real_length)
    assert cal.local(closes).time() == time(6, 0)
    assert closes - opens == real_length


def test_second_occurrence_of_repeated_hour_is_business_time() -> None:
    cal = calendar("America/New_York", NIGHT_SHIFT)
    second_0130 = utc(2026, 11, 1, 6, 30)  # 01:30 EST, after falling back
    assert cal.local(second_0130).fold == 1
    assert cal.is_business_time(second_0130)
    assert cal.is_business_time(utc(2026, 11, 1, 10, 59))  # 05:59 EST
    assert not cal.is_business_time(utc(2026, 11, 1, 11, 0))  # 06:00 EST


def test_hours_swallowed_by_the_gap_are_closed_that_day() -> None:
    # 02:30-03:00 New York: on 2026-03-08 02:30 becomes 03:30, after 03:00 — nothing left.
    cal = calendar("America/New_York", BusinessHours(time(2, 30), time(3, 0), EVERY_DAY))
    assert cal.business_time_between(utc(2026, 3, 8, 0), utc(2026, 3, 9, 0)) == timedelta(0)
    assert cal.next_business_time(utc(2026, 3, 8, 5, 0)) == utc(2026, 3, 9, 6, 30)
    assert cal.business_time_between(utc(2026, 3, 9, 0), utc(2026, 3, 10, 0)) == timedelta(
        minutes=30
    )


def test_business_hours_of_a_normal_office_ignore_the_sunday_change() -> None:
    cal = calendar("Europe/Kyiv")
    friday_close = cal.at_local(date(2026, 3, 27), time(17, 0))
    monday = cal.add_business_time(friday_close, timedelta(hours=1))
    assert monday == utc(2026, 3, 30, 6, 30)  # 09:30 EEST (UTC+3), was UTC+2 on Friday
    assert cal.business_time_between(friday_close, monday) == timedelta(hours=1)


def test_fixed_intervals_are_real_elapsed_time_across_the_gap() -> None:
    # "Every 30 minutes" is UTC arithmetic: 01:45 EST + 30 min shows 03:15 EDT.
    cal = calendar("America/New_York")
    update = utc(2026, 3, 8, 6, 45)
    assert cal.local(update).time() == time(1, 45)
    assert cal.local(update + timedelta(minutes=30)).time() == time(3, 15)
