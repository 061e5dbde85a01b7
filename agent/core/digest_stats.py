"""The weekly digest's numbers, from the incident ledger alone (pure; no tickets needed).

A digest week is the seven calendar days that end at the digest's slot
(``[slot - 1 week, slot)`` on the policy's wall clock, so a DST week is 167 or
169 hours long and every slot still starts the next week exactly). The PM gets
what the issue asks for: escalations opened, open at the end and closed per
project and severity; SLA breaches by rule; mean time to acknowledge and to
resolve per severity; and the last weeks as a series for the chart.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from agent.core.ledger import IncidentRecord
from agent.timekeeping.calendar import BusinessCalendar
from agent.timekeeping.durations import format_duration

CHART_WEEKS = 12
ISO_MINUTE = "%Y-%m-%dT%H:%MZ"
LOCAL_MINUTE = "%a %d %b %Y %H:%M"
NO_DATA = "-"
NO_SEVERITY = "-"


@dataclass(frozen=True)
class Week:
    """``[start, end)`` in UTC, named by the ISO week of its last local day (``2026-W47``)."""

    label: str
    start: datetime
    end: datetime

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class CountRow:
    project: str
    severity: str
    opened: int
    open: int
    closed: int


@dataclass(frozen=True)
class BreachRow:
    rule: str
    count: int


@dataclass(frozen=True)
class TimeRow:
    """MTTA over escalations acknowledged in the week, MTTR over those resolved in it."""

    severity: str
    acknowledged: int
    mtta: str
    resolved: int
    mttr: str


@dataclass(frozen=True)
class SeriesPoint:
    week: str
    opened: int
    closed: int
    breaches: int


@dataclass(frozen=True)
class DigestStats:
    week: str
    start: datetime
    end: datetime
    period: str
    rows: tuple[CountRow, ...]
    opened: int
    open: int
    closed: int
    breaches: tuple[BreachRow, ...]
    times: tuple[TimeRow, ...]
    series: tuple[SeriesPoint, ...]

    @property
    def breach_total(self) -> int:
        return sum(row.count for row in self.breaches)

    def as_context(self) -> dict[str, Any]:
        """Plain data for templates (times as ISO strings)."""
        data = asdict(self)
        data["start"] = self.start.strftime(ISO_MINUTE)
        data["end"] = self.end.strftime(ISO_MINUTE)
        data["breach_total"] = self.breach_total
        return data


def iso_week(calendar: BusinessCalendar, end: datetime) -> str:
    """``2026-W47``: the ISO week of the local day holding the week's last instant."""
    year, number, _ = calendar.local(end - timedelta(microseconds=1)).isocalendar()
    return f"{year}-W{number:02d}"


def period(calendar: BusinessCalendar, week: Week) -> str:
    """``Fri 27 Feb 2026 15:00 to Fri 06 Mar 2026 15:00 (Europe/London)`` for the page."""
    start = calendar.local(week.start).strftime(LOCAL_MINUTE)
    end = calendar.local(week.end).strftime(LOCAL_MINUTE)
    return f"{start} to {end} ({calendar.tz.key})"


def week_ending(calendar: BusinessCalendar, end: datetime) -> Week:
    """The digest week that ends at ``end``: same local wall time seven days earlier."""
    local = calendar.local(end)
    start = calendar.at_local(local.date() - timedelta(days=7), local.time())
    return Week(label=iso_week(calendar, end), start=start, end=end)


def weeks_ending(calendar: BusinessCalendar, end: datetime, count: int) -> list[Week]:
    """``count`` consecutive weeks, oldest first, the last one ending at ``end``."""
    weeks: list[Week] = []
    for _ in range(count):
        week = week_ending(calendar, end)
        weeks.append(week)
        end = week.start
    weeks.reverse()
    return weeks


def _mean(durations: Sequence[timedelta]) -> str:
    if not durations:
        return NO_DATA
    return format_duration(sum(durations, timedelta()) / len(durations))


def _severity_key(levels: Sequence[str]) -> Any:
    def key(name: str) -> tuple[int, str]:
        return (levels.index(name) if name in levels else len(levels), name)

    return key


def _counts(records: Sequence[IncidentRecord], week: Week, levels: Sequence[str]) -> list[CountRow]:
    opened: Counter[tuple[str, str]] = Counter()
    still_open: Counter[tuple[str, str]] = Counter()
    closed: Counter[tuple[str, str]] = Counter()
    for record in records:
        where = (record.project, record.severity or NO_SEVERITY)
        if week.holds(record.opened):
            opened[where] += 1
        if record.opened < week.end and (record.resolved is None or record.resolved >= week.end):
            still_open[where] += 1
        if week.holds(record.resolved):
            closed[where] += 1
    order = _severity_key(levels)
    keys = sorted(set(opened) | set(still_open) | set(closed), key=lambda k: (k[0], order(k[1])))
    return [CountRow(p, s, opened[(p, s)], still_open[(p, s)], closed[(p, s)]) for p, s in keys]


def _times(records: Sequence[IncidentRecord], week: Week, levels: Sequence[str]) -> list[TimeRow]:
    to_ack: dict[str, list[timedelta]] = {}
    to_resolve: dict[str, list[timedelta]] = {}
    for record in records:
        level = record.severity or NO_SEVERITY
        if record.acknowledged is not None and week.holds(record.acknowledged):
            to_ack.setdefault(level, []).append(record.acknowledged - record.opened)
        if record.resolved is not None and week.holds(record.resolved):
            to_resolve.setdefault(level, []).append(record.resolved - record.opened)
    shown = set(levels) | set(to_ack) | set(to_resolve)
    return [
        TimeRow(
            severity=level,
            acknowledged=len(to_ack.get(level, [])),
            mtta=_mean(to_ack.get(level, [])),
            resolved=len(to_resolve.get(level, [])),
            mttr=_mean(to_resolve.get(level, [])),
        )
        for level in sorted(shown, key=_severity_key(levels))
    ]


def _breaches(records: Iterable[IncidentRecord], week: Week) -> Counter[str]:
    counted: Counter[str] = Counter()
    for record in records:
        for breach in record.breaches:
            if week.holds(breach.due):
                counted[breach.rule] += 1
    return counted


def _series(records: Sequence[IncidentRecord], weeks: Sequence[Week]) -> tuple[SeriesPoint, ...]:
    """Opened, closed and breaches per chart week, each moment put in its week in one pass.

    The weeks are consecutive (each starts where the one before ends), so a moment's
    week is found by bisecting their starts instead of asking every week in turn: a
    replay builds a digest at every weekly slot, and a forgotten incident's breaches
    grow with every step it stays open.
    """
    starts = [week.start for week in weeks]
    end = weeks[-1].end
    opened = [0] * len(weeks)
    closed = [0] * len(weeks)
    breaches = [0] * len(weeks)

    def index(moment: datetime | None) -> int:
        if moment is None or moment >= end:
            return -1
        return bisect_right(starts, moment) - 1

    for record in records:
        if (at := index(record.opened)) >= 0:
            opened[at] += 1
        if (at := index(record.resolved)) >= 0:
            closed[at] += 1
        for breach in record.breaches:
            if (at := index(breach.due)) >= 0:
                breaches[at] += 1
    return tuple(
        SeriesPoint(week=week.label, opened=opened[i], closed=closed[i], breaches=breaches[i])
        for i, week in enumerate(weeks)
    )


def digest_stats(
    records: Iterable[IncidentRecord],
    *,
    calendar: BusinessCalendar,
    end: datetime,
    levels: Sequence[str] = (),
    chart_weeks: int = CHART_WEEKS,
) -> DigestStats:
    """The numbers of the week ending at ``end`` and the ``chart_weeks`` weeks up to it.

    ``levels`` orders severities (most severe first) and makes every level appear
    in the time table, with ``-`` where the week had no data.
    """
    mine = list(records)
    series_weeks = weeks_ending(calendar, end, max(chart_weeks, 1))
    week = series_weeks[-1]
    rows = _counts(mine, week, levels)
    breaches = _breaches(mine, week)
    series = _series(mine, series_weeks)
    return DigestStats(
        week=week.label,
        start=week.start,
        end=week.end,
        period=period(calendar, week),
        rows=tuple(rows),
        opened=sum(r.opened for r in rows),
        open=sum(r.open for r in rows),
        closed=sum(r.closed for r in rows),
        breaches=tuple(BreachRow(rule, n) for rule, n in sorted(breaches.items())),
        times=tuple(_times(mine, week, levels)),
        series=series,
    )
