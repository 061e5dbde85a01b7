"""The business calendar: when a procedure's clock rules fall due, in its own time zone.

Procedures say things like "within 5 business days", "update the client by
4:30 PM" or "every 30 minutes". This module turns those into exact UTC
instants for a policy's time zone, working hours and public holidays.

Conventions (all functions are pure: the caller passes the moment to reason about):

* Every datetime in or out is timezone-aware; naive ones are rejected with
  ``ValueError``. Results are in UTC.
* A local wall time that does not exist (spring forward) maps to the same
  wall time shifted forward by the gap (02:30 -> 03:30 in New York); one that
  occurs twice (fall back) maps to its first occurrence. This is RFC 5545's rule.
* A business day's hours are the real-time interval
  ``[at_local(day, start), at_local(day, end))``; business time is measured
  in real elapsed time inside those intervals, so a day whose hours span a DST
  change is an hour shorter or longer, exactly as the clock on the wall says.
* Fixed intervals ("every 30 minutes") are plain UTC ``timedelta`` arithmetic
  and need nothing from here; only wall-clock slots and business time do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from agent.timekeeping import slots
from agent.timekeeping.zones import UnknownZoneError, zone_named

__all__ = ["BusinessCalendar", "BusinessHours", "CalendarError"]

# Longest run of days without business hours before a search gives up.
_MAX_IDLE_DAYS = slots.MAX_SEARCH_DAYS
# Slot searches remembered per calendar before the memo starts afresh.
_SLOT_MEMO_SIZE = 4096

_ALL_WEEKDAYS = frozenset(range(7))


class CalendarError(ValueError):
    """A calendar cannot be built or cannot answer (bad zone, country, hours)."""


def _require_aware(moment: datetime, name: str = "moment") -> datetime:
    """Return ``moment`` in UTC, refusing naive datetimes (their zone is a guess)."""
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware, got naive {moment.isoformat()}; "
            "attach a zone, e.g. datetime(..., tzinfo=UTC)"
        )
    return moment.astimezone(UTC)


def _require_day(day: date, name: str = "day") -> date:
    """Refuse datetimes where a calendar day is meant: their date depends on the zone."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(
            f"{name} must be a date, got {type(day).__name__}; "
            "use calendar.local(moment).date() for the local day of an instant"
        )
    return day


def _require_wall_time(at: time, name: str = "time") -> time:
    """Wall times are local by definition; a tz-aware ``time`` would be ambiguous."""
    if not isinstance(at, time):
        raise TypeError(f"{name} must be a datetime.time, got {type(at).__name__}")
    if at.tzinfo is not None:
        raise ValueError(f"{name} must be a naive local wall time, got {at.isoformat()}")
    return at


def _require_weekday(weekday: int) -> int:
    if isinstance(weekday, bool) or not isinstance(weekday, int) or weekday not in _ALL_WEEKDAYS:
        raise ValueError(f"weekday must be an int 0..6 (Monday = 0), got {weekday!r}")
    return weekday


@dataclass(frozen=True)
class BusinessHours:
    """Daily opening hours on the working weekdays (Monday = 0)."""

    start: time
    end: time
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        _require_wall_time(self.start, "BusinessHours.start")
        _require_wall_time(self.end, "BusinessHours.end")
        if self.end <= self.start:
            raise CalendarError(
                f"business hours must end after they start on the same day, got "
                f"{self.start.isoformat()}-{self.end.isoformat()}; overnight hours are not "
                "supported (to work until midnight use end=time(23, 59, 59, 999999))"
            )
        weekdays = frozenset(self.weekdays)
        if not weekdays or not weekdays <= _ALL_WEEKDAYS:
            raise CalendarError(
                f"business weekdays must be a non-empty set of 0..6 (Monday = 0), "
                f"got {sorted(self.weekdays)!r}"
            )
        object.__setattr__(self, "weekdays", weekdays)


def _load_zone(name: str) -> ZoneInfo:
    """Resolve an IANA zone name, or explain what a valid one looks like."""
    try:
        return zone_named(name)
    except UnknownZoneError as exc:
        raise CalendarError(str(exc)) from exc


def _validate_holiday_source(country: str | None, subdiv: str | None) -> None:
    """Fail at construction, not at the first holiday lookup, for a bad country/subdivision."""
    if country is None:
        if subdiv is not None:
            raise CalendarError(f"holiday subdivision {subdiv!r} given without a holiday country")
        return
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise CalendarError(
            f"unknown holiday country {country!r}; use an ISO 3166-1 code such as 'UA', 'US' "
            "or 'GB' (list them with holidays.list_supported_countries())"
        )
    if subdiv is not None and subdiv not in supported[country]:
        try:
            holidays.country_holidays(country, subdiv=subdiv)
        except NotImplementedError as exc:
            raise CalendarError(
                f"unknown subdivision {subdiv!r} for holiday country {country!r}; valid ones: "
                f"{', '.join(supported[country]) or 'none'} "
                f"(holidays.list_supported_countries()[{country!r}])"
            ) from exc


class BusinessCalendar:
    """Time zone + working hours + public holidays of one policy."""

    def __init__(
        self,
        tz: str,
        hours: BusinessHours,
        holiday_country: str | None = None,
        holiday_subdiv: str | None = None,
        extra_holidays: Iterable[date] = (),
    ) -> None:
        self.tz: ZoneInfo = _load_zone(tz)
        self.hours = hours
        country = holiday_country.strip().upper() if holiday_country else None
        _validate_holiday_source(country, holiday_subdiv)
        self.holiday_country = country
        self.holiday_subdiv = holiday_subdiv
        self.extra_holidays = frozenset(
            _require_day(day, "extra holiday") for day in extra_holidays
        )
        self._holidays_by_year: dict[int, frozenset[date]] = {}
        # Business-hours window per day: every ticket's rules ask about the same few days.
        self._window_by_day: dict[date, tuple[datetime, datetime] | None] = {}
        # Slot searches: in one plan every ticket of a policy asks about the same instants.
        self._slots: dict[tuple[object, ...], datetime | None] = {}

    def _memo(
        self, key: tuple[object, ...], search: Callable[[], datetime | None]
    ) -> datetime | None:
        """``search()``, remembered by ``key`` (the calendar never changes once built)."""
        if key in self._slots:
            return self._slots[key]
        if len(self._slots) >= _SLOT_MEMO_SIZE:
            self._slots.clear()
        found = self._slots[key] = search()
        return found

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(tz={self.tz.key!r}, hours={self.hours!r}, "
            f"holiday_country={self.holiday_country!r}, holiday_subdiv={self.holiday_subdiv!r})"
        )

    # -- days -------------------------------------------------------------------------

    def _public_holidays(self, year: int) -> frozenset[date]:
        """The country's holidays dated in ``year``, built on first use and cached."""
        cached = self._holidays_by_year.get(year)
        if cached is None:
            if self.holiday_country is None:
                cached = frozenset()
            else:
                table = holidays.country_holidays(
                    self.holiday_country, subdiv=self.holiday_subdiv, years=year
                )
                cached = frozenset(day for day in table if day.year == year)
            self._holidays_by_year[year] = cached
        return cached

    def is_holiday(self, day: date) -> bool:
        """A public holiday (incl. observed substitutes) or one of the extra holidays."""
        _require_day(day)
        return day in self.extra_holidays or day in self._public_holidays(day.year)

    def is_business_day(self, day: date) -> bool:
        _require_day(day)
        return day.weekday() in self.hours.weekdays and not self.is_holiday(day)

    # -- instants ---------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """The same instant on the policy's wall clock."""
        return _require_aware(moment).astimezone(self.tz)

    def at_local(self, day: date, at: time) -> datetime:
        """The UTC instant of local wall time ``at`` on ``day`` (gap -> shifted, repeat -> first).

        ``fold=0`` gives exactly that under PEP 495: for a time in a gap the
        offset from before the transition applies, which lands one gap later.
        """
        _require_day(day)
        _require_wall_time(at, "at")
        wall = datetime.combine(day, at.replace(fold=0), tzinfo=self.tz)
        return wall.astimezone(UTC)

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        """The business-hours interval of ``day`` in UTC, or None if closed all day."""
        if day in self._window_by_day:
            return self._window_by_day[day]
        window: tuple[datetime, datetime] | None = None
        if self.is_business_day(day):
            opens = self.at_local(day, self.hours.start)
            closes = self.at_local(day, self.hours.end)
            # A DST gap can swallow hours that lie entirely inside it.
            window = (opens, closes) if opens < closes else None
        self._window_by_day[day] = window
        return window

    def _windows(self, first: date, step: int) -> Iterator[tuple[datetime, datetime]]:
        """Business-hours intervals day by day from ``first`` (forwards or backwards)."""
        idle = 0
        day = first
        while True:
            window = self._window(day)
            if window is None:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise CalendarError(
                        f"no business hours within {_MAX_IDLE_DAYS} days of {first.isoformat()} "
                        f"in {self!r}"
                    )
            else:
                idle = 0
                yield window
            try:
                day += timedelta(days=step)
            except OverflowError as exc:
                raise CalendarError(f"ran past the supported date range in {self!r}") from exc

    def _day_near(self, moment: datetime, step: int) -> date:
        """The local day of ``moment`` moved one day against the search direction."""
        day = self.local(moment).date()
        try:
            return day - timedelta(days=step)
        except OverflowError:
            return day

    # -- business time ----------------------------------------------------------------

    def is_business_time(self, moment: datetime) -> bool:
        """Within a business day's hours: opening inclusive, closing exclusive."""
        instant = _require_aware(moment)
        day = self.local(instant).date()
        for offset in (-1, 0, 1):
            try:
                window = self._window(day + timedelta(days=offset))
            except OverflowError:
                continue
            if window is not None and window[0] <= instant < window[1]:
                return True
        return False

    def next_business_time(self, moment: datetime) -> datetime:
        """``moment`` itself if within hours, else the next opening (UTC)."""
        instant = _require_aware(moment)
        for opens, closes in self._windows(self._day_near(instant, +1), +1):
            if instant < closes:
                return max(opens, instant)
        raise AssertionError("unreachable: _windows is endless or raises")  # pragma: no cover

    def add_business_time(self, moment: datetime, delta: timedelta) -> datetime:
        """The instant at which ``delta`` of business time has passed since ``moment``.

        The result is the earliest such instant, so work that ends exactly at
        closing time is due at closing time, not at the next opening. A
        negative ``delta`` counts backwards (the latest instant that far before).
        """
        instant = _require_aware(moment)
        if delta < timedelta(0):
            return self._subtract_business_time(instant, -delta)
        remaining = delta
        if not remaining:
            return instant
        cursor = instant
        for opens, closes in self._windows(self._day_near(instant, +1), +1):
            if closes <= cursor:
                continue
            cursor = max(opens, cursor)
            available = closes - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
            cursor = closes
        raise AssertionError("unreachable: _windows is endless or raises")  # pragma: no cover

    def _subtract_business_time(self, instant: datetime, delta: timedelta) -> datetime:
        remaining = delta
        if not remaining:
            return instant
        cursor = instant
        for opens, closes in self._windows(self._day_near(instant, -1), -1):
            if opens >= cursor:
                continue
            cursor = min(closes, cursor)
            available = cursor - opens
            if remaining <= available:
                return cursor - remaining
            remaining -= available
            cursor = opens
        raise AssertionError("unreachable: _windows is endless or raises")  # pragma: no cover

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        begin = _require_aware(start, "start")
        finish = _require_aware(end, "end")
        if finish < begin:
            return -self.business_time_between(finish, begin)
        total = timedelta(0)
        counted_until = begin
        day = self._day_near(begin, +1)
        last_day = self.local(finish).date() + timedelta(days=1)
        while day <= last_day:
            window = self._window(day)
            if window is not None:
                low = max(window[0], counted_until)
                high = min(window[1], finish)
                if high > low:
                    total += high - low
                    counted_until = high
            day += timedelta(days=1)
        return total

    # -- wall-clock slots -------------------------------------------------------------

    def _check_times(self, times: Sequence[time]) -> Sequence[time]:
        for at in times:
            _require_wall_time(at, "slot time")
        return times

    def slots_between(
        self,
        start: datetime,
        end: datetime,
        times: Sequence[time],
        *,
        business_days_only: bool = True,
    ) -> list[datetime]:
        """UTC instants of the local ``times`` on each (business) day, in ``(start, end]``."""
        return slots.slots_between(
            self,
            _require_aware(start, "start"),
            _require_aware(end, "end"),
            self._check_times(times),
            business_days_only,
        )

    def last_slot_at_or_before(
        self, moment: datetime, times: Sequence[time], *, business_days_only: bool = True
    ) -> datetime | None:
        """The latest slot ``<= moment``; None if ``times`` is empty or none in ten years."""
        instant, wanted = _require_aware(moment), tuple(self._check_times(times))
        return self._memo(
            ("last", instant, wanted, business_days_only),
            lambda: slots.last_slot_at_or_before(self, instant, wanted, business_days_only),
        )

    def next_slot_after(
        self, moment: datetime, times: Sequence[time], *, business_days_only: bool = True
    ) -> datetime:
        """The earliest slot ``> moment``."""
        if not times:
            raise ValueError("next_slot_after needs at least one slot time")
        instant, wanted = _require_aware(moment), tuple(self._check_times(times))
        found = self._memo(
            ("next", instant, wanted, business_days_only),
            lambda: slots.next_slot_after(self, instant, wanted, business_days_only),
        )
        if found is None:
            raise CalendarError(
                f"no slot at {[at.isoformat() for at in times]} within "
                f"{slots.MAX_SEARCH_DAYS} days after {moment.isoformat()} in {self!r}"
            )
        return found

    def weekly_slot_at_or_before(self, moment: datetime, weekday: int, at: time) -> datetime:
        """The latest ``at`` on a ``weekday`` (local) ``<= moment``, holidays included."""
        args = (_require_aware(moment), _require_weekday(weekday), _require_wall_time(at, "at"))
        found = self._memo(("weekly", *args), lambda: slots.weekly_slot_at_or_before(self, *args))
        assert found is not None  # a weekly slot always exists
        return found

    def next_weekly_slot_after(self, moment: datetime, weekday: int, at: time) -> datetime:
        """The earliest ``at`` on a ``weekday`` (local) ``> moment``, holidays included."""
        args = (_require_aware(moment), _require_weekday(weekday), _require_wall_time(at, "at"))
        found = self._memo(
            ("next-weekly", *args), lambda: slots.next_weekly_slot_after(self, *args)
        )
        assert found is not None  # a weekly slot always exists
        return found
