"""Two rule sets on the same history, side by side: what each would have sent, and where
they differ.

Counts are of messages (comments, posts, DMs) per rule, per day
and per person; a ticket differs when the two replays plan a different set of
action keys for it (a changed ``every:`` moves every update slot, so its keys
differ even where the count does not).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from agent.replay.outcome import ReplayOutcome


@dataclass(frozen=True)
class Side:
    """One name (a rule, a day, a person) with its count in each replay."""

    name: str
    first: int
    second: int

    @property
    def change(self) -> int:
        return self.second - self.first


@dataclass(frozen=True)
class TicketDifference:
    issue: str
    summary: str
    first: int  # messages in the first replay
    second: int
    only_first: tuple[str, ...]  # action keys only the first replay plans
    only_second: tuple[str, ...]


@dataclass(frozen=True)
class Comparison:
    first: ReplayOutcome
    second: ReplayOutcome
    per_rule: list[Side]
    per_day: list[Side]
    per_person: list[Side]
    tickets: list[TicketDifference]

    def to_json(self) -> dict[str, Any]:
        def sides(rows: list[Side]) -> list[dict[str, Any]]:
            return [
                {"name": r.name, self.first.label: r.first, self.second.label: r.second}
                for r in rows
            ]

        return {
            "first": self.first.label,
            "second": self.second.label,
            "messages_per_rule": sides(self.per_rule),
            "messages_per_day": sides(self.per_day),
            "messages_per_person": sides(self.per_person),
            "tickets_that_differ": [
                {
                    "issue": t.issue,
                    "summary": t.summary,
                    "messages": {self.first.label: t.first, self.second.label: t.second},
                    "only_in": {
                        self.first.label: list(t.only_first),
                        self.second.label: list(t.only_second),
                    },
                }
                for t in self.tickets
            ],
        }


def _sides(first: Counter[str], second: Counter[str], *, by_name: bool = False) -> list[Side]:
    names = set(first) | set(second)
    rows = [Side(n, first.get(n, 0), second.get(n, 0)) for n in names]
    if by_name:
        return sorted(rows, key=lambda r: r.name)
    return sorted(rows, key=lambda r: (-max(r.first, r.second), r.name))


def _days(outcome: ReplayOutcome, zone: ZoneInfo) -> Counter[str]:
    return Counter({day: sum(c.values()) for day, c in outcome.per_day(zone).items()})


def compare(first: ReplayOutcome, second: ReplayOutcome, zone: ZoneInfo) -> Comparison:
    """Where ``second`` differs from ``first`` (same history, other rules)."""
    keys_first = first.tally.keys_by_issue()
    keys_second = second.tally.keys_by_issue()
    summaries = {t.key: t.summary for t in first.tickets}
    messages_first, messages_second = first.per_ticket(), second.per_ticket()
    tickets = []
    for issue in sorted(set(keys_first) | set(keys_second)):
        one, two = keys_first.get(issue, set()), keys_second.get(issue, set())
        if one == two:
            continue
        tickets.append(
            TicketDifference(
                issue,
                summaries.get(issue, ""),
                messages_first.get(issue, 0),
                messages_second.get(issue, 0),
                tuple(sorted(one - two)),
                tuple(sorted(two - one)),
            )
        )
    tickets.sort(key=lambda t: (-abs(t.second - t.first), t.issue))
    return Comparison(
        first,
        second,
        _sides(first.per_rule(), second.per_rule()),
        _sides(_days(first, zone), _days(second, zone), by_name=True),
        _sides(first.per_person(), second.per_person()),
        tickets,
    )
