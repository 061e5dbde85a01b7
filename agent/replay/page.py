"""``replay.html``: one self-contained page a PM can read without the terminal.

Charts are inline SVG (``agent.replay.svg``), styles are inline, there is no
script and nothing is fetched. Ticket titles, comments' authors and rule names
are untrusted text: the template escapes everything (Jinja2 autoescape) and
the charts escape their labels.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from agent.replay.adherence import Figures, figures_by
from agent.replay.compare import Comparison
from agent.replay.kinds import ObligationKind
from agent.replay.outcome import ReplayOutcome
from agent.replay.svg import OUTCOME_COLOURS, share_bar, stacked_bars
from agent.replay.tally import Run
from agent.timekeeping.durations import format_duration

TOP = 10
TIMELINES = 300  # tickets whose timeline the page shows; replay.json has every one
TIMELINE_LINES = 150  # lines of one ticket's timeline the page shows (actions alike folded)
RULE_SERIES = 8  # rules shown by name in the daily chart; the rest are "other rules"


@dataclass(frozen=True)
class Entry:
    """One line of a ticket's timeline: what happened, or what the replay would have done."""

    at: str
    what: str
    who: str
    agent: bool


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{round(seconds)}s"
    return format_duration(timedelta(seconds=round(seconds / 60) * 60))


def _days(start: datetime, end: datetime, zone: ZoneInfo) -> list[str]:
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    count = (last - first).days + 1
    return [(first + timedelta(days=i)).isoformat() for i in range(count)]


def _daily_chart(outcome: ReplayOutcome, zone: ZoneInfo) -> Markup:
    per_day = outcome.per_day(zone)
    days = _days(outcome.start, outcome.end, zone)
    ranked = [name for name, _n in outcome.per_rule().most_common()]
    named, rest = ranked[:RULE_SERIES], set(ranked[RULE_SERIES:])
    series = [(name, [per_day.get(d, Counter())[name] for d in days]) for name in named]
    if rest:
        series.append(
            ("other rules", [sum(per_day.get(d, Counter())[n] for n in rest) for d in days])
        )
    return stacked_bars(
        [d[5:] for d in days], series, title=f"Messages per day by rule ({outcome.label})"
    )


def _adherence_rows(outcome: ReplayOutcome) -> list[dict[str, Any]]:
    rows = []
    found = outcome.adherence()
    for kind in ObligationKind:
        figures = found.get(kind.value)
        if figures is None:
            continue
        rows.append(_row(kind.value, figures))
    return rows


def _row(name: str, figures: Figures) -> dict[str, Any]:
    share = figures.on_time_share
    return {
        "name": name,
        "total": figures.total,
        "on_time": figures.on_time,
        "late": figures.late,
        "missed": figures.missed,
        "open_at_end": figures.open_at_end,
        "median": _duration(figures.median_late_seconds),
        "p90": _duration(figures.p90_late_seconds),
        "share": "-" if share is None else f"{share:.0%}",
        "bar": share_bar(
            [("on time", figures.on_time), ("late", figures.late), ("missed", figures.missed)]
        ),
    }


def _weekly_chart(outcome: ReplayOutcome) -> Markup | None:
    weeks = figures_by(outcome.settled, "week")
    if not weeks:
        return None
    names = sorted(weeks)
    totals = {name: Figures() for name in names}
    for name in names:
        for figures in weeks[name].values():
            totals[name].on_time += figures.on_time
            totals[name].late += figures.late
            totals[name].missed += figures.missed
    series = [
        ("on time", [totals[n].on_time for n in names]),
        ("late", [totals[n].late for n in names]),
        ("missed", [totals[n].missed for n in names]),
    ]
    return stacked_bars(
        names,
        series,
        title=f"Obligations per week by outcome ({outcome.label})",
        colours=list(OUTCOME_COLOURS.values()),
        height=220,
    )


def _timelines(outcome: ReplayOutcome, zone: ZoneInfo) -> list[dict[str, Any]]:
    noisy = outcome.per_ticket()
    ordered = sorted(outcome.tickets, key=lambda t: (-noisy.get(t.key, 0), t.created, t.key))
    shown = []
    for line in ordered[:TIMELINES]:
        entries = [
            Entry(_local(e.at, zone), e.what, e.who or "", agent=False)
            for e in line.events
            if e.at >= outcome.start
        ]
        entries += [_folded(run, zone) for run in outcome.tally.runs(line.key)]
        entries.sort(key=lambda e: e.at)
        shown.append(
            {
                "key": line.key,
                "url": line.url,
                "summary": line.summary,
                "policy": line.policy or "-",
                "created": _local(line.created, zone),
                "resolved": _local(line.resolved_at, zone) if line.resolved_at else "open",
                "messages": noisy.get(line.key, 0),
                "entries": entries[:TIMELINE_LINES],
                "more": max(0, len(entries) - TIMELINE_LINES),
            }
        )
    return shown


def _folded(run: Run, zone: ZoneInfo) -> Entry:
    """One line for actions alike between two human events: once, or "×N between A and B"."""
    what = run.what
    if run.count > 1:
        what += f" ×{run.count} between {_local(run.first, zone)} and {_local(run.last, zone)}"
    return Entry(_local(run.first, zone), what, run.who, agent=True)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _section(outcome: ReplayOutcome, zone: ZoneInfo) -> dict[str, Any]:
    days = max(1, len(_days(outcome.start, outcome.end, zone)))
    urls = {t.key: t.url for t in outcome.tickets}
    summaries = {t.key: t.summary for t in outcome.tickets}
    return {
        "label": outcome.label,
        "tickets": len(outcome.tickets),
        "messages": outcome.message_count,
        "per_day": f"{outcome.message_count / days:.1f}",
        "other_actions": outcome.action_count - outcome.message_count,
        "daily_chart": _daily_chart(outcome, zone),
        "adherence": _adherence_rows(outcome),
        "weekly_chart": _weekly_chart(outcome),
        "noisy_tickets": [
            {"key": k, "url": urls.get(k, ""), "summary": summaries.get(k, ""), "count": n}
            for k, n in outcome.per_ticket().most_common(TOP)
        ],
        "noisy_people": outcome.per_person().most_common(TOP),
        "per_rule": outcome.per_rule().most_common(),
        "timelines": _timelines(outcome, zone),
        "kept_comments": outcome.kept_comments,
        "kept_changes": outcome.kept_changes,
        "problems": outcome.problems[:50],
        "more_problems": max(0, len(outcome.problems) - 50),
    }


def render_page(
    outcomes: list[ReplayOutcome], zone: ZoneInfo, comparison: Comparison | None = None
) -> str:
    """The page for one replay, or for two compared (both sections and their differences)."""
    first = outcomes[0]
    template = _environment().get_template("replay.html")
    return template.render(
        title=(
            f"Replay: {first.label}"
            if comparison is None
            else f"Replay: {comparison.first.label} compared with {comparison.second.label}"
        ),
        window=f"{_local(first.start, zone)} to {_local(first.end, zone)} ({zone.key})",
        every=_duration(first.every.total_seconds()),
        sections=[_section(o, zone) for o in outcomes],
        comparison=comparison,
        timelines_cap=TIMELINES,
    )
