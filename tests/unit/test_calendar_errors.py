"""Configuration mistakes and misuse fail loudly, with messages that say how to fix them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from agent.timekeeping.calendar import BusinessCalendar, BusinessHours, CalendarError

OFFICE = BusinessHours(time(9, 0), time(17, 30))


# -- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Europe/Kiyv", "Mars/Olympus_Mons", "", "/etc/localtime", "../x"])
def test_bad_time_zone(name: str) -> None:
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar(name, OFFICE)
    message = str(caught.value)
    assert repr(name) in message
    assert "Europe/Kyiv" in message
    assert isinstance(caught.value, ValueError)


def test_bad_time_zone_suggests_the_right_spelling() -> None:
    with pytest.raises(CalendarError, match=r"did you mean 'America/New_York'"):
        BusinessCalendar("america/new_york", OFFICE)


def test_good_time_zones_are_accepted() -> None:
    assert BusinessCalendar("UTC", OFFICE).tz.key == "UTC"
    assert BusinessCalendar("Europe/Kiev", OFFICE).tz.key == "Europe/Kiev"  # legacy alias


# -- holidays ---------------------------------------------------------------------------


def test_unknown_holiday_country() -> None:
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar("UTC", OFFICE, holiday_country="XX")
    assert "'XX'" in str(caught.value)
    assert "holidays.list_supported_countries()" in str(caught.value)


def test_unknown_holiday_subdivision_lists_valid_ones() -> None:
    with pytest.raises(CalendarError) as caught:
        BusinessCalendar("Europe/London", OFFICE, holiday_country="GB", holiday_subdiv="XYZ")
    message = str(caught.value)
    assert "'XYZ'" in message
    assert "ENG" in message
    assert "SCT" in message


def test_subdivision_without_country() -> None:
    with pytest.raises(CalendarError, match="without a holiday country"):
        BusinessCalendar("Europe/London", OFFICE, holiday_subdiv="ENG")


def test_country_code_is_case_insensitive() -> None:
    cal = BusinessCalendar("America/New_York", OFFICE, holiday_country="us")
    assert cal.holiday_country == "US"
    assert cal.is_holiday(date(2026, 11, 26))


# -- business hours ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"), [(time(22, 0), time(6, 0)), (time(9, 0), time(9, 0)), (time(9), time(0))]
)
def test_overnight_or_empty_hours_are_rejected(start: time, end: time) -> None:
    with pytest.raises(CalendarError, match="overnight hours are not supported"):
        BusinessHours(start, end)


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 0})])
def test_bad_weekdays_are_rejected(weekdays: frozenset[int]) -> None:
    with pytest.raises(CalendarError, match="weekdays"):
        BusinessHours(time(9), time(17), weekdays)


def test_aware_wall_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="naive local wall time"):
        BusinessHours(time(9, tzinfo=UTC), time(17))


def test_a_calendar_without_any_business_day_in_ten_years_gives_up() -> None:
    start = date(2026, 1, 1)
    closed = [start + timedelta(days=offset) for offset in range(-2, 3700)]
    cal = BusinessCalendar("UTC", OFFICE, extra_holidays=closed)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(CalendarError, match="no business hours within"):
        cal.next_business_time(moment)
    with pytest.raises(CalendarError, match="no business hours within"):
        cal.add_business_time(moment, timedelta(hours=1))
    assert cal.business_time_between(moment, moment + timedelta(days=30)) == timedelta(0)


# -- misuse of the methods ----------------------------------------------------------------

NAIVE = datetime(2026, 11, 23, 10, 0)
AWARE = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CALLS: list[tuple[str, Callable[[BusinessCalendar, datetime], Any]]] = [
    ("local", lambda cal, moment: cal.local(moment)),
    ("is_business_time", lambda cal, moment: cal.is_business_time(moment)),
    ("next_business_time", lambda cal, moment: cal.next_business_time(moment)),
    ("add_business_time", lambda cal, moment: cal.add_business_time(moment, timedelta(hours=1))),
    ("between/start", lambda cal, moment: cal.business_time_between(moment, AWARE)),
    ("between/end", lambda cal, moment: cal.business_time_between(AWARE, moment)),
    ("slots/start", lambda cal, moment: cal.slots_between(moment, AWARE, [time(9)])),
    ("slots/end", lambda cal, moment: cal.slots_between(AWARE, moment, [time(9)])),
    ("last_slot", lambda cal, moment: cal.last_slot_at_or_before(moment, [time(9)])),
    ("next_slot", lambda cal, moment: cal.next_slot_after(moment, [time(9)])),
    ("weekly_before", lambda cal, moment: cal.weekly_slot_at_or_before(moment, 0, time(9))),
    ("weekly_after", lambda cal, moment: cal.next_weekly_slot_after(moment, 0, time(9))),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_naive_datetimes_are_rejected(
    name: str, call: Callable[[BusinessCalendar, datetime], Any]
) -> None:
    cal = BusinessCalendar("Europe/Kyiv", OFFICE)
    with pytest.raises(ValueError, match="must be timezone-aware") as caught:
        call(cal, NAIVE)
    assert not isinstance(caught.value, CalendarError)
    call(cal, AWARE)  # the same call with an aware datetime works


def test_a_datetime_is_not_a_day() -> None:
    cal = BusinessCalendar("Europe/Kyiv", OFFICE)
    with pytest.raises(TypeError, match=r"local\(moment\)\.date\(\)"):
        cal.is_business_day(AWARE)
    with pytest.raises(TypeError, match="must be a date"):
        cal.at_local(AWARE, time(9))
    with pytest.raises(TypeError, match="must be a date"):
        BusinessCalendar("UTC", OFFICE, extra_holidays=[AWARE])


def test_slot_arguments_are_checked() -> None:
    cal = BusinessCalendar("Europe/Kyiv", OFFICE)
    with pytest.raises(ValueError, match="at least one slot time"):
        cal.next_slot_after(AWARE, [])
    with pytest.raises(ValueError, match="naive local wall time"):
        cal.slots_between(AWARE, AWARE + timedelta(days=1), [time(9, tzinfo=UTC)])
    with pytest.raises(ValueError, match=r"weekday must be an int 0\.\.6"):
        cal.next_weekly_slot_after(AWARE, 7, time(9))
    with pytest.raises(ValueError, match=r"weekday must be an int 0\.\.6"):
        cal.weekly_slot_at_or_before(AWARE, True, time(9))
