"""What a replay found: every action the policy would have taken, each obligation's outcome,
and the tickets' timelines; written as ``replay.json``.

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

from agent.core.actions import ActionKind
from agent.replay.adherence import Figures, Settled, figures_by, figures_by_kind

# Actions that reach people: a comment on the ticket, a Slack post or DM. The "done" reply in
# a nudge's thread (only where the nudge was a Slack post) is counted with the other actions.
MESSAGE_KINDS = frozenset({ActionKind.JIRA_COMMENT, ActionKind.SLACK_POST})


@dataclass(frozen=True)
class Fired:
    """One action the replayed policy would have taken, and when."""

    key: str
    policy: str
    rule: str
    issue: str | None
    kind: ActionKind
    at: datetime
    due: datetime
    where: str
    people: tuple[str, ...]
    reason: str

    @property
    def is_message(self) -> bool:
        return self.kind in MESSAGE_KINDS


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
    fired: list[Fired]
    settled: list[Settled]
    tickets: list[TicketLine]
    problems: list[str] = field(default_factory=list)
    kept_comments: int = 0
    kept_changes: int = 0
    plans: int = 0
    ticket_plans: int = 0
    exact: bool = False

    @property
    def messages(self) -> list[Fired]:
        return [f for f in self.fired if f.is_message]

    def per_rule(self) -> Counter[str]:
        return Counter(f"{f.policy}/{f.rule}" for f in self.messages)

    def per_ticket(self) -> Counter[str]:
        return Counter(f.issue for f in self.messages if f.issue)

    def per_person(self) -> Counter[str]:
        return Counter(person for f in self.messages for person in f.people)

    def per_day(self, zone: Any = UTC) -> dict[str, Counter[str]]:
        """Messages per local day, by rule (``policy/rule``)."""
        days: dict[str, Counter[str]] = {}
        for f in self.messages:
            day = f.at.astimezone(zone).date().isoformat()
            days.setdefault(day, Counter())[f"{f.policy}/{f.rule}"] += 1
        return days

    def adherence(self) -> dict[str, Figures]:
        return {kind.value: figures for kind, figures in figures_by_kind(self.settled).items()}

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "window": {"from": _iso(self.start), "to": _iso(self.end)},
            "every_seconds": int(self.every.total_seconds()),
            "exact": self.exact,
            "policies": self.policies,
            "totals": {
                "tickets": len(self.tickets),
                "actions": len(self.fired),
                "messages": len(self.messages),
                "plans": self.plans,
                "ticket_plans": self.ticket_plans,
                "kept_apart": {
                    "agent_comments": self.kept_comments,
                    "agent_changes": self.kept_changes,
                },
            },
            "actions": [
                {
                    "key": f.key,
                    "issue": f.issue,
                    "policy": f.policy,
                    "rule": f.rule,
                    "kind": f.kind.value,
                    "fired_at": _iso(f.at),
                    "due": _iso(f.due),
                    "where": f.where,
                    "people": list(f.people),
                    "reason": f.reason,
                }
                for f in self.fired
            ],
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
                        "due": _iso(s.due),
                        "outcome": s.outcome.value,
                        "met_at": _iso(s.met_at) if s.met_at else None,
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


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _seconds(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _round(value: float | None) -> int | None:
    return None if value is None else round(value)


def people_of(audience: Iterable[Any]) -> tuple[str, ...]:
    """Whom an action reaches, by the name a PM knows them by."""
    return tuple(dict.fromkeys(str(getattr(r, "label", r)) for r in audience))
