"""Business days, business hours and business-time arithmetic (no DST involved here)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agent.timekeeping.calendar import BusinessCalendar, BusinessHours

KYIV = ZoneInfo("Europe/Kyiv")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = BusinessHours(start=time(9, 0), end=time(17, 30))


def kyiv(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=KYIV)


def ny(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=NEW_YORK)


@pytest.fixture
def kyiv_cal() -> BusinessCalendar:
    return BusinessCalendar("Europe/Kyiv", OFFICE, holiday_country="UA")


@pytest.fixture
def us_cal() -> BusinessCalendar:
    return BusinessCalendar("America/New_York", OFFICE, holiday_country="US")


# -- business time at the edges -----------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (kyiv(2026, 11, 23, 9, 0), True),  # Monday opening: inclusive
        (kyiv(2026, 11, 23, 8, 59, second=59, us=999999), False),
        (kyiv(2026, 11, 23, 17, 29, second=59, us=999999), True),
        (kyiv(2026, 11, 23, 17, 30), False),  # closing: exclusive
        (kyiv(2026, 11, 23, 12, 0), True),
        (kyiv(2026, 11, 23, 3, 0), False),  # night
        (kyiv(2026, 11, 21, 12, 0), False),  # Saturday
        (kyiv(2026, 11, 22, 12, 0), False),  # Sunday
        (kyiv(2026, 11, 27, 17, 29), True),  # Friday
    ],
)
def test_is_business_time_edges(
    kyiv_cal: BusinessCalendar, moment: datetime, expected: bool
) -> None:
    assert kyiv_cal.is_business_time(moment) is expected
    assert kyiv_cal.is_business_time(moment.astimezone(UTC)) is expected


def test_local_converts_to_policy_zone(kyiv_cal: BusinessCalendar) -> None:
    local = kyiv_cal.local(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    assert local.tzinfo == KYIV
    assert (local.hour, local.minute) == (9, 0)
    assert local.utcoffset() == timedelta(hours=2)


def test_business_hours_are_read_in_the_policy_zone_not_utc(us_cal: BusinessCalendar) -> None:
    # 13:30 UTC on a Monday in November is 08:30 in New York: not yet open there.
    assert not us_cal.is_business_time(datetime(2026, 11, 23, 13, 30, tzinfo=UTC))
    assert us_cal.is_business_time(datetime(2026, 11, 23, 14, 0, tzinfo=UTC))
    # 22:00 UTC is 17:00 New York: still open, although it is night in Europe.
    assert us_cal.is_business_time(datetime(2026, 11, 23, 22, 0, tzinfo=UTC))


def test_custom_weekdays() -> None:
    sunday_to_thursday = BusinessHours(time(8, 0), time(16, 0), frozenset({6, 0, 1, 2, 3}))
    cal = BusinessCalendar("Asia/Jerusalem", sunday_to_thursday)
    assert cal.is_business_day(date(2026, 11, 22))  # Sunday
    assert not cal.is_business_day(date(2026, 11, 27))  # Friday
    assert not cal.is_business_day(date(2026, 11, 28))  # Saturday


# -- holidays -----------------------------------------------------------------------------


def test_ukraine_new_year_and_martial_law_rule() -> None:
    cal = BusinessCalendar("Europe/Kyiv", OFFICE, holiday_country="UA")
    assert cal.is_holiday(date(2021, 1, 1))  # a Friday, a public holiday
    assert not cal.is_business_day(date(2021, 1, 1))
    assert cal.is_business_time(kyiv(2020, 12, 31, 10, 0))
    assert not cal.is_business_time(kyiv(2021, 1, 1, 10, 0))
    # Under martial law (since 2022) Ukraine's public holidays are working days,
    # and the holidays package reflects the law: 2026-01-01 is a business day.
    assert not cal.is_holiday(date(2026, 1, 1))
    assert cal.is_business_day(date(2026, 1, 1))


def test_ukraine_new_year_via_extra_holidays() -> None:
    cal = BusinessCalendar(
        "Europe/Kyiv", OFFICE, holiday_country="UA", extra_holidays=[date(2026, 1, 1)]
    )
    assert cal.is_holiday(date(2026, 1, 1))
    assert cal.next_business_time(kyiv(2025, 12, 31, 18, 0)) == kyiv(2026, 1, 2, 9, 0)


def test_us_thanksgiving(us_cal: BusinessCalendar) -> None:
    assert us_cal.is_holiday(date(2026, 11, 26))
    assert not us_cal.is_business_day(date(2026, 11, 26))
    assert not us_cal.is_business_time(ny(2026, 11, 26, 11, 0))
    assert not us_cal.is_holiday(date(2026, 11, 27))  # the Friday after is not federal
    assert us_cal.is_business_day(date(2026, 11, 27))


def test_uk_england_versus_scotland() -> None:
    england = BusinessCalendar("Europe/London", OFFICE, holiday_country="GB", holiday_subdiv="ENG")
    scotland = BusinessCalendar("Europe/London", OFFICE, holiday_country="GB", holiday_subdiv="SCT")
    assert england.is_holiday(date(2026, 8, 31))  # Late Summer Bank Holiday (England)
    assert not scotland.is_holiday(date(2026, 8, 31))
    assert scotland.is_holiday(date(2026, 8, 3))  # Summer Bank Holiday (Scotland)
    assert not england.is_holiday(date(2026, 8, 3))
    assert england.is_holiday(date(2026, 12, 28))  # Boxing Day (observed)
    assert not england.is_holiday(date(2026, 12, 29))


def test_no_country_means_only_extra_holidays() -> None:
    cal = BusinessCalendar("UTC", OFFICE, extra_holidays=[date(2026, 12, 24)])
    assert not cal.is_holiday(date(2026, 12, 25))
    assert cal.is_holiday(date(2026, 12, 24))
    assert not cal.is_business_day(date(2026, 12, 24))


def test_holidays_are_cached_per_year(us_cal: BusinessCalendar) -> None:
    us_cal.is_holiday(date(2026, 1, 1))
    us_cal.is_holiday(date(2026, 7, 4))
    us_cal.is_holiday(date(2027, 7, 5))
    assert sorted(us_cal._holidays_by_year) == [2026, 2027]
    assert date(2027, 7, 5) in us_cal._holidays_by_year[2027]  # Independence Day observed


def test_observed_holiday_dated_in_the_previous_year() -> None:
    # New Year 2022 fell on a Saturday; the US observed it on Friday 2021-12-31.
    cal = BusinessCalendar("America/New_York", OFFICE, holiday_country="US")
    assert cal.is_holiday(date(2021, 12, 31))


# -- next_business_time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ny(2026, 11, 23, 10, 15), ny(2026, 11, 23, 10, 15)),  # in hours: itself
        (ny(2026, 11, 23, 9, 0), ny(2026, 11, 23, 9, 0)),
        (ny(2026, 11, 23, 7, 0), ny(2026, 11, 23, 9, 0)),  # before opening
        (ny(2026, 11, 23, 17, 30), ny(2026, 11, 24, 9, 0)),  # at closing
        (ny(2026, 11, 25, 18, 0), ny(2026, 11, 27, 9, 0)),  # skips Thanksgiving
        (ny(2026, 11, 27, 20, 0), ny(2026, 11, 30, 9, 0)),  # skips the weekend
        (ny(2026, 11, 29, 23, 59), ny(2026, 11, 30, 9, 0)),
    ],
)
def test_next_business_time(us_cal: BusinessCalendar, moment: datetime, expected: datetime) -> None:
    result = us_cal.next_business_time(moment)
    assert result == expected
    assert result.tzinfo is UTC


# -- add_business_time ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "delta", "expected"),
    [
        (ny(2026, 11, 23, 10, 0), timedelta(hours=2), ny(2026, 11, 23, 12, 0)),
        (ny(2026, 11, 23, 16, 30), timedelta(hours=2), ny(2026, 11, 24, 10, 0)),  # night
        (ny(2026, 11, 20, 17, 0), timedelta(hours=1), ny(2026, 11, 23, 9, 30)),  # weekend
        (ny(2026, 11, 21, 12, 0), timedelta(hours=1), ny(2026, 11, 23, 10, 0)),  # from Sat
        (ny(2026, 11, 25, 17, 0), timedelta(hours=1), ny(2026, 11, 27, 9, 30)),  # holiday
        (ny(2026, 11, 23, 9, 0), timedelta(hours=8, minutes=30), ny(2026, 11, 23, 17, 30)),
        # Five business days of 8.5 h from Monday's opening end at Friday's closing...
        (ny(2026, 11, 16, 9, 0), 5 * timedelta(hours=8, minutes=30), ny(2026, 11, 20, 17, 30)),
        # ...and across Thanksgiving they end on Monday.
        (ny(2026, 11, 23, 9, 0), 5 * timedelta(hours=8, minutes=30), ny(2026, 11, 30, 17, 30)),
        (ny(2026, 11, 23, 3, 0), timedelta(0), ny(2026, 11, 23, 3, 0)),
        (ny(2026, 11, 23, 10, 0), timedelta(seconds=1), ny(2026, 11, 23, 10, 0, second=1)),
    ],
)
def test_add_business_time(
    us_cal: BusinessCalendar, moment: datetime, delta: timedelta, expected: datetime
) -> None:
    result = us_cal.add_business_time(moment, delta)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("moment", "delta", "expected"),
    [
        (ny(2026, 11, 23, 10, 0), timedelta(hours=2), ny(2026, 11, 20, 16, 30)),
        (ny(2026, 11, 27, 9, 30), timedelta(hours=1), ny(2026, 11, 25, 17, 0)),
        (ny(2026, 11, 28, 12, 0), timedelta(hours=8, minutes=30), ny(2026, 11, 27, 9, 0)),
    ],
)
def test_subtract_business_time(
    us_cal: BusinessCalendar, moment: datetime, delta: timedelta, expected: datetime
) -> None:
    assert us_cal.add_business_time(moment, -delta) == expected


# -- business_time_between ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (ny(2026, 11, 23, 10, 0), ny(2026, 11, 23, 12, 15), timedelta(hours=2, minutes=15)),
        (ny(2026, 11, 20, 16, 0), ny(2026, 11, 23, 10, 0), timedelta(hours=2, minutes=30)),
        (ny(2026, 11, 21, 8, 0), ny(2026, 11, 22, 20, 0), timedelta(0)),  # weekend
        (ny(2026, 11, 26, 8, 0), ny(2026, 11, 26, 20, 0), timedelta(0)),  # Thanksgiving
        (ny(2026, 11, 23, 0, 0), ny(2026, 11, 30, 0, 0), 4 * timedelta(hours=8, minutes=30)),
        (ny(2026, 11, 23, 18, 0), ny(2026, 11, 24, 8, 0), timedelta(0)),  # night
        (ny(2026, 11, 23, 10, 0), ny(2026, 11, 23, 10, 0), timedelta(0)),
    ],
)
def test_business_time_between(
    us_cal: BusinessCalendar, start: datetime, end: datetime, expected: timedelta
) -> None:
    assert us_cal.business_time_between(start, end) == expected
    assert us_cal.business_time_between(end, start) == -expected


def test_business_time_between_mixed_input_zones(us_cal: BusinessCalendar) -> None:
    start = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 New York
    end = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # 12:00 New York
    assert us_cal.business_time_between(start, end) == timedelta(hours=2)


# -- arithmetic invariants over a sweep (a stand-in for property tests) ---------------------

_SWEEP_STARTS = [
    datetime(2026, 11, 19, 0, 7, tzinfo=UTC) + timedelta(minutes=37 * step) for step in range(480)
]
_SWEEP_DELTAS = [
    timedelta(0),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=8, minutes=30),
    timedelta(hours=20),
    timedelta(hours=50, minutes=3),
]


def test_add_and_between_agree_over_a_holiday_week(us_cal: BusinessCalendar) -> None:
    for start in _SWEEP_STARTS:
        for delta in _SWEEP_DELTAS:
            due = us_cal.add_business_time(start, delta)
            assert due >= start
            assert us_cal.business_time_between(start, due) == delta, (start, delta)
            if delta:
                # Due inside hours or exactly at a closing time, never in the dark.
                almost = due - timedelta(microseconds=1)
                assert us_cal.is_business_time(almost), (start, delta, due)
            back = us_cal.add_business_time(start, -delta)
            assert back <= start
            assert us_cal.business_time_between(back, start) == delta, (start, delta)
            if delta:
                assert us_cal.is_business_time(back), (start, delta, back)


def test_next_business_time_is_the_first_business_instant(us_cal: BusinessCalendar) -> None:
    for start in _SWEEP_STARTS:
        opening = us_cal.next_business_time(start)
        assert opening >= start
        assert us_cal.is_business_time(opening)
        assert us_cal.business_time_between(start, opening) == timedelta(0)
