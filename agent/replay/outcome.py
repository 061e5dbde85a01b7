"""What a replay found: every action the policy would have taken (spooled and counted by
``tally``), each obligation's outcome, and the tickets' timelines; written as ``replay.json``
(``report_file`` streams its list of actions from the spool).

Times in the JSON are ISO-8601 in UTC; durations in seconds. The action keys
are the live agent's idempotency keys, so a replay can be compared with what
the agent really did (its effect log holds the same keys).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.replay.adherence import Figures, Settled, figures_by, figures_by_kind
from agent.replay.report_file import Spooled
from agent.replay.tally import MESSAGE_KINDS, Fired, Tally, iso

__all__ = ["MESSAGE_KINDS", "Fired", "ReplayOutcome", "TicketEvent", "TicketLine"]


@dataclass(frozen=True)
class TicketEvent:
    at: datetime
    what: str  # "created", "comment", "change: status", "message", "resolved"
    who: str | None = None


@dataclass
class TicketLine:
    """One ticket as the timeline shows it (summary and state at the window's end)."""

    key: str
    summary: str
    url: str
    policy: str | None
    created: datetime
    resolved_at: datetime | None
    events: list[TicketEvent] = field(default_factory=list)


@dataclass
class ReplayOutcome:
    """Everything one replay of one rule set over one window found."""

    label: str
    start: datetime
    end: datetime
    every: timedelta
    policies: list[str]
    tally: Tally
    settled: list[Settled]
    tickets: list[TicketLine]
    problems: list[str] = field(default_factory=list)
    kept_comments: int = 0
    kept_changes: int = 0
    plans: int = 0
    ticket_plans: int = 0
    exact: bool = False

    @property
    def fired(self) -> list[Fired]:
        """Every planned action, read back from the spool (a big replay has many)."""
        return self.tally.fired()

    @property
    def action_count(self) -> int:
        return self.tally.actions

    @property
    def message_count(self) -> int:
        return self.tally.messages

    def per_rule(self) -> Counter[str]:
        return self.tally.per_rule

    def per_ticket(self) -> Counter[str]:
        return self.tally.per_ticket

    def per_person(self) -> Counter[str]:
        return self.tally.per_person

    def per_day(self, zone: Any = UTC) -> dict[str, Counter[str]]:
        """Messages per local day, by rule (``policy/rule``)."""
        return self.tally.per_day(zone)

    def adherence(self) -> dict[str, Figures]:
        return {kind.value: figures for kind, figures in figures_by_kind(self.settled).items()}

    def to_json(self) -> dict[str, Any]:
        """``replay.json``'s content; its actions are streamed from the spool when written
        (``report_file.write_json``)."""
        return {
            "label": self.label,
            "window": {"from": iso(self.start), "to": iso(self.end)},
            "every_seconds": int(self.every.total_seconds()),
            "exact": self.exact,
            "policies": self.policies,
            "totals": {
                "tickets": len(self.tickets),
                "actions": self.action_count,
                "messages": self.message_count,
                "plans": self.plans,
                "ticket_plans": self.ticket_plans,
                "kept_apart": {
                    "agent_comments": self.kept_comments,
                    "agent_changes": self.kept_changes,
                },
            },
            "actions": Spooled(self.tally.lines),
            "adherence": {
                "by_kind": {k: figures_json(v) for k, v in self.adherence().items()},
                "by_policy": _grouped(figures_by(self.settled, "policy")),
                "by_week": _grouped(figures_by(self.settled, "week")),
                "obligations": [
                    {
                        "issue": s.issue,
                        "policy": s.policy,
                        "rule": s.rule,
                        "kind": s.kind.value,
                        "item": s.item,
                        "due": iso(s.due),
                        "outcome": s.outcome.value,
                        "met_at": iso(s.met_at) if s.met_at else None,
                        "late_seconds": _seconds(s.late_by),
                        "open_at_end": s.open_at_end,
                    }
                    for s in self.settled
                ],
            },
            "problems": self.problems,
        }


def figures_json(figures: Figures) -> dict[str, Any]:
    return {
        "obligations": figures.total,
        "on_time": figures.on_time,
        "late": figures.late,
        "missed": figures.missed,
        "missed_open_at_end": figures.open_at_end,
        "late_median_seconds": _round(figures.median_late_seconds),
        "late_p90_seconds": _round(figures.p90_late_seconds),
    }


def _grouped(groups: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {kind.value: figures_json(f) for kind, f in kinds.items()}
        for name, kinds in sorted(groups.items())
    }


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def people_of(audience: Iterable[Any]) -> tuple[str, ...]:
    """Whom an action reaches, by the name a PM knows them by."""
    return tuple(dict.fromkeys(str(getattr(r, "label", r)) for r in audience))
