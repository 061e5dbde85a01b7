"""How well the procedure was followed: each obligation met on time, met late, or missed.

An obligation is one due item of a rule on a ticket (an acknowledgement due at
10:15, the update due at 11:00, a post-mortem due two days after resolution),
identified by ticket, rule, item and due time. The replay shows the tracker
what each ticket owes every time it plans the ticket (``observe``):

- still owed before it is due, then gone or met once it is due: met on time;
- overdue, then met (or gone, the ticket still open): met late, by the time of
  the human event that met it minus the due time;
- overdue when a later slot of the same item is already overdue too (the 10:00
  update never came and the 16:00 one is due), when the ticket is closed
  without it, or still overdue when the window ends: missed.

An obligation that was never due (the ticket closed first) is not counted. For
limits, each escalation counts once: admitted at once (on time), held and
admitted later (late, by how long it waited), or held until it closed or the
window ended (missed).
"""

from __future__ import annotations

import enum
import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.core.state import TicketState
from agent.replay.kinds import ObligationKind
from agent.replay.owed import Owed, Standing


class Outcome(enum.StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSED = "missed"


@dataclass(frozen=True)
class Settled:
    """One obligation's outcome; ``late_by`` for late ones, ``open_at_end`` for missed ones
    still owed when the window ended."""

    issue: str
    policy: str
    rule: str
    kind: ObligationKind
    item: str
    due: datetime
    outcome: Outcome
    met_at: datetime | None = None
    open_at_end: bool = False

    @property
    def late_by(self) -> timedelta | None:
        if self.outcome is not Outcome.LATE or self.met_at is None:
            return None
        return self.met_at - self.due


@dataclass
class _Open:
    policy: str
    rule: str
    kind: ObligationKind
    item: str
    due: datetime
    late: bool = False


@dataclass
class _Limit:
    policy: str
    rule: str
    held_since: datetime | None = None
    admitted_at: datetime | None = None
    closed: bool = False


class AdherenceTracker:
    """Follows every obligation through the replay and settles it."""

    def __init__(self, kinds: Mapping[tuple[str, str], ObligationKind]) -> None:
        # (policy, rule identifier) -> kind; rules without a kind are not followed
        self._kinds = dict(kinds)
        self._open: dict[str, dict[tuple[str, str, datetime], _Open]] = {}
        self._limits: dict[str, _Limit] = {}
        self._done: dict[str, set[tuple[str, str, datetime]]] = {}
        self.settled: list[Settled] = []

    def observe(
        self,
        issue: str,
        policy: str,
        now: datetime,
        owed: Iterable[Owed],
        *,
        is_open: bool,
        last_event: datetime | None,
    ) -> None:
        """What ``issue`` owes at ``now``; ``last_event`` is its latest human event by then
        (the moment an obligation that is gone now was met)."""
        listed = [o for o in owed if (policy, o.rule) in self._kinds]
        mine = self._open.setdefault(issue, {})
        done = self._done.setdefault(issue, set())
        seen: set[tuple[str, str, datetime]] = set()
        met_at = last_event if last_event is not None else now
        for item in listed:
            key = (item.rule, item.item, item.due)
            if key in done:
                continue  # settled before: a met item the rules still mention
            seen.add(key)
            known = mine.get(key)
            if known is None:
                known = _Open(
                    policy, item.rule, self._kinds[(policy, item.rule)], item.item, item.due
                )
                mine[key] = known
            if item.standing is Standing.OVERDUE:
                known.late = True
            elif item.standing is Standing.MET:
                self._met(issue, known, met_at if known.late else None)
                del mine[key]
                done.add(key)
        for key in [k for k in mine if k not in seen]:
            known = mine.pop(key)
            done.add(key)
            if not known.late:
                if not is_open:
                    continue  # closed before it was due: never owed
                if now >= known.due and met_at > known.due:
                    self._settle(issue, known, Outcome.LATE, met_at)
                else:
                    self._met(issue, known, None)
                continue
            superseded = any(
                o.rule == known.rule
                and o.item == known.item
                and o.due > known.due
                and o.standing is Standing.OVERDUE
                for o in listed
            )
            if superseded or not is_open:
                self._settle(issue, known, Outcome.MISSED, None)
            else:
                self._met(issue, known, met_at)

    def observe_limit(
        self, issue: str, policy: str, state: TicketState, now: datetime, *, is_open: bool
    ) -> None:
        """An escalation of a policy with limits: held since when, admitted when."""
        entry = self._limits.get(issue)
        if entry is None:
            entry = self._limits[issue] = _Limit(policy, state.held_reason or "")
        if state.held_reason is not None:
            entry.rule = state.held_reason
            if entry.held_since is None:
                entry.held_since = state.held_since or now
        if state.admitted_at is not None and entry.admitted_at is None:
            entry.admitted_at = state.admitted_at
        entry.closed = not is_open

    def finish(self, end: datetime) -> list[Settled]:
        """Settle what is still open when the window ends; every outcome, in due order."""
        for issue, mine in self._open.items():
            for known in mine.values():
                if known.late:
                    self._settle(issue, known, Outcome.MISSED, None, open_at_end=True)
        self._open = {}
        for issue, entry in self._limits.items():
            if entry.held_since is None and entry.admitted_at is not None:
                self._limit(issue, entry, Outcome.ON_TIME, entry.admitted_at, entry.admitted_at)
            elif entry.held_since is not None and entry.admitted_at is not None:
                self._limit(issue, entry, Outcome.LATE, entry.held_since, entry.admitted_at)
            elif entry.held_since is not None:
                self._limit(issue, entry, Outcome.MISSED, entry.held_since, None)
        self._limits = {}
        self.settled.sort(key=lambda s: (s.due, s.issue, s.rule, s.item))
        return self.settled

    def _met(self, issue: str, known: _Open, late_at: datetime | None) -> None:
        if late_at is None:
            self._settle(issue, known, Outcome.ON_TIME, None)
        else:
            self._settle(issue, known, Outcome.LATE, max(late_at, known.due))

    def _settle(
        self,
        issue: str,
        known: _Open,
        outcome: Outcome,
        met_at: datetime | None,
        *,
        open_at_end: bool = False,
    ) -> None:
        self.settled.append(
            Settled(
                issue,
                known.policy,
                known.rule,
                known.kind,
                known.item,
                known.due,
                outcome,
                met_at,
                open_at_end,
            )
        )

    def _limit(
        self,
        issue: str,
        entry: _Limit,
        outcome: Outcome,
        due: datetime,
        met_at: datetime | None,
    ) -> None:
        self.settled.append(
            Settled(
                issue,
                entry.policy,
                entry.rule or "limits",
                ObligationKind.LIMITS,
                "admission",
                due,
                outcome,
                met_at,
                open_at_end=outcome is Outcome.MISSED and not entry.closed,
            )
        )


@dataclass
class Figures:
    """Counts and lateness of one group of obligations (a kind, a week)."""

    on_time: int = 0
    late: int = 0
    missed: int = 0
    open_at_end: int = 0
    lateness: list[float] = field(default_factory=list)  # seconds, of the late ones

    def add(self, settled: Settled) -> None:
        if settled.outcome is Outcome.ON_TIME:
            self.on_time += 1
        elif settled.outcome is Outcome.LATE:
            self.late += 1
            late_by = settled.late_by
            self.lateness.append(late_by.total_seconds() if late_by is not None else 0.0)
        else:
            self.missed += 1
            self.open_at_end += int(settled.open_at_end)

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def median_late_seconds(self) -> float | None:
        return statistics.median(self.lateness) if self.lateness else None

    @property
    def p90_late_seconds(self) -> float | None:
        return percentile(self.lateness, 90)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.total if self.total else None


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile (a value that occurred), None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def figures_by(settled: Iterable[Settled], group: str) -> dict[str, dict[ObligationKind, Figures]]:
    """Figures per ``group`` (``policy`` or ``week``: the ISO week of the due time) and kind."""
    out: dict[str, dict[ObligationKind, Figures]] = {}
    for item in settled:
        if group == "week":
            year, week, _day = item.due.isocalendar()
            name = f"{year}-W{week:02d}"
        else:
            name = item.policy
        out.setdefault(name, {}).setdefault(item.kind, Figures()).add(item)
    return out


def figures_by_kind(settled: Iterable[Settled]) -> dict[ObligationKind, Figures]:
    out: dict[ObligationKind, Figures] = {}
    for item in settled:
        out.setdefault(item.kind, Figures()).add(item)
    return out
