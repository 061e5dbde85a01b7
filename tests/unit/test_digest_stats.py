"""Digest numbers from hand-built ledger records: counts, breaches, MTTA/MTTR, series, DST."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from agent.core.digest_stats import digest_stats, iso_week, week_ending, weeks_ending
from agent.core.ledger import Breach, IncidentRecord
from agent.timekeeping.calendar import BusinessCalendar, BusinessHours
from tests.unit.factories import utc

LONDON = BusinessCalendar("Europe/London", BusinessHours(time(9), time(17), frozenset(range(5))))
FRIDAY = utc(2026, 3, 6, 15, 0)  # Friday 15:00 London (GMT)
WEEK_START = FRIDAY - timedelta(days=7)


def record(
    issue: str,
    opened: datetime,
    *,
    project: str = "CLI",
    severity: str | None = "high",
    acknowledged: datetime | None = None,
    resolved: datetime | None = None,
    breaches: tuple[Breach, ...] = (),
) -> IncidentRecord:
    return IncidentRecord(issue, "p", project, severity, opened, acknowledged, resolved, breaches)


def test_counts_per_project_and_severity_with_open_at_end_of_week() -> None:
    records = [
        record("CLI-1", WEEK_START + timedelta(days=1)),  # opened, still open
        record("CLI-2", WEEK_START - timedelta(days=3), resolved=WEEK_START + timedelta(days=2)),
        record(
            "CLI-3",
            WEEK_START + timedelta(days=2),
            severity="low",
            resolved=WEEK_START + timedelta(days=3),
        ),
        record("OPS-1", WEEK_START - timedelta(days=20), project="OPS"),  # open all week
        record("CLI-4", FRIDAY, resolved=None),  # opened at the slot: next week
        record("CLI-5", WEEK_START - timedelta(days=9), resolved=WEEK_START - timedelta(days=1)),
    ]
    stats = digest_stats(records, calendar=LONDON, end=FRIDAY, levels=["high", "low"])
    rows = [(r.project, r.severity, r.opened, r.open, r.closed) for r in stats.rows]
    assert rows == [("CLI", "high", 1, 1, 1), ("CLI", "low", 1, 0, 1), ("OPS", "high", 0, 1, 0)]
    assert (stats.opened, stats.open, stats.closed) == (2, 2, 2)
    assert stats.week == "2026-W10"


def test_breaches_by_rule_in_the_week_only() -> None:
    inside = WEEK_START + timedelta(days=1)
    breaches = (
        Breach("ack_overdue", "ack_overdue:ack", inside),
        Breach("update_overdue", "update_overdue:u", inside),
        Breach("update_overdue", "update_overdue:u", inside + timedelta(hours=1)),
        Breach("update_overdue", "update_overdue:u", WEEK_START - timedelta(hours=1)),
    )
    stats = digest_stats(
        [record("CLI-1", WEEK_START, breaches=breaches)], calendar=LONDON, end=FRIDAY
    )
    assert [(b.rule, b.count) for b in stats.breaches] == [
        ("ack_overdue", 1),
        ("update_overdue", 2),
    ]
    assert stats.breach_total == 3
    assert [p.breaches for p in stats.series][-2:] == [1, 3]


def test_mean_times_per_severity_and_dash_without_data() -> None:
    opened = WEEK_START + timedelta(hours=1)
    records = [
        record(
            "A",
            opened,
            acknowledged=opened + timedelta(minutes=10),
            resolved=opened + timedelta(hours=2),
        ),
        record(
            "B",
            opened,
            acknowledged=opened + timedelta(minutes=30),
            resolved=opened + timedelta(hours=4),
        ),
        record("C", opened - timedelta(days=30), acknowledged=opened - timedelta(days=29)),
    ]
    stats = digest_stats(records, calendar=LONDON, end=FRIDAY, levels=["critical", "high"])
    times = {t.severity: (t.acknowledged, t.mtta, t.resolved, t.mttr) for t in stats.times}
    assert times == {"critical": (0, "-", 0, "-"), "high": (2, "20m", 2, "3h")}
    assert [t.severity for t in stats.times] == ["critical", "high"]


def test_empty_weeks_and_twelve_week_series() -> None:
    stats = digest_stats([], calendar=LONDON, end=FRIDAY)
    assert (stats.opened, stats.open, stats.closed, stats.rows, stats.breaches) == (0, 0, 0, (), ())
    assert len(stats.series) == 12
    assert stats.series[-1].week == "2026-W10" and stats.series[0].week == "2025-W51"
    assert all((p.opened, p.closed, p.breaches) == (0, 0, 0) for p in stats.series)
    old = record("X", FRIDAY - timedelta(weeks=5), resolved=FRIDAY - timedelta(weeks=3, days=1))
    series = digest_stats([old], calendar=LONDON, end=FRIDAY).series
    assert [p.opened for p in series].index(1) == 7 and [p.closed for p in series].index(1) == 8


def test_reopened_ticket_counts_as_open_not_closed() -> None:
    reopened = record("R", WEEK_START - timedelta(days=2), resolved=None)
    stats = digest_stats([reopened], calendar=LONDON, end=FRIDAY)
    assert (stats.open, stats.closed) == (1, 0)


def test_dst_week_keeps_the_local_wall_time_and_is_an_hour_short() -> None:
    after = utc(2026, 4, 3, 14, 0)  # Friday 15:00 BST; clocks went forward on 29 March
    week = week_ending(LONDON, after)
    assert week.start == utc(2026, 3, 27, 15, 0)  # Friday 15:00 GMT
    assert week.end - week.start == timedelta(hours=167)
    weeks = weeks_ending(LONDON, after, 3)
    assert all(a.end == b.start for a, b in itertools.pairwise(weeks))
    edge = record("D", utc(2026, 3, 27, 14, 59))  # a minute before the DST week starts
    inside = record("E", utc(2026, 3, 27, 15, 0))
    stats = digest_stats([edge, inside], calendar=LONDON, end=after)
    assert stats.opened == 1 and stats.open == 2
    assert "(Europe/London)" in stats.period and "15:00" in stats.period


def test_iso_week_crosses_the_year() -> None:
    assert iso_week(LONDON, utc(2027, 1, 1, 15, 0)) == "2026-W53"
    assert iso_week(LONDON, utc(2026, 1, 2, 15, 0)) == "2026-W01"


def test_context_is_plain_data() -> None:
    data = digest_stats([record("A", WEEK_START)], calendar=LONDON, end=FRIDAY).as_context()
    assert data["start"] == "2026-02-27T15:00Z" and data["end"] == "2026-03-06T15:00Z"
    assert data["rows"][0] == {
        "project": "CLI",
        "severity": "high",
        "opened": 1,
        "open": 1,
        "closed": 0,
    }


def test_series_puts_each_moment_in_the_week_that_holds_it_at_every_edge() -> None:
    """The one-pass series agrees with asking each week, at and around every boundary."""
    weeks = weeks_ending(LONDON, FRIDAY, 12)
    edges = [w.start for w in weeks] + [weeks[-1].end]
    moments = [
        e + d for e in edges for d in (-timedelta(microseconds=1), timedelta(), timedelta(hours=1))
    ]
    records = [
        record(f"CLI-{n}", at, resolved=at, breaches=(Breach("ack_overdue", "a", at),))
        for n, at in enumerate(moments)
    ]
    series = digest_stats(records, calendar=LONDON, end=FRIDAY).series
    expected = [sum(1 for at in moments if w.holds(at)) for w in weeks]
    assert [p.opened for p in series] == expected
    assert [p.closed for p in series] == expected
    assert [p.breaches for p in series] == expected
    assert sum(expected) == len(moments) - 3  # the three moments outside the twelve weeks
