"""What a replay planned, counted as it goes instead of kept: a quarter of a busy project
plans hundreds of thousands of actions, far too many to hold as objects.

Each planned action is written at once, as the line ``replay.json`` will list
it, to a spool file (a temporary file, gone when the replay is); what the
report and the comparison show is counted as the actions come: messages per
rule, per ticket, per person and per quarter of an hour (a local day is whole
quarters of an hour in every time zone), and each ticket's folded timeline.
``fired()`` reads every action back, for a comparison of keys or a test.

A ticket's timeline folds the actions that repeat: between two things people
did on the ticket, every action of the same rule, kind, place and audience is
one line, "×N between A and B". A ticket forgotten for weeks while its nudges
repeat every half hour is a few lines, not thousands.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from agent.core.actions import ActionKind

# Actions that reach people: a comment on the ticket, a Slack post or DM. The "done" reply in
# a nudge's thread (only where the nudge was a Slack post) is counted with the other actions.
MESSAGE_KINDS = frozenset({ActionKind.JIRA_COMMENT, ActionKind.SLACK_POST})
QUARTER = timedelta(minutes=15)
_BATCH = 2_000
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class Run:
    """Actions alike (same rule, kind, place and audience) on one ticket between two of its
    human events: the first and last time, and how many."""

    what: str
    who: str
    first: datetime
    last: datetime
    count: int = 1


class Tally:
    """Every action of one replay: spooled to disk, counted in memory."""

    def __init__(self) -> None:
        self._spool: IO[str] = tempfile.TemporaryFile(  # noqa: SIM115 (lives with the tally)
            mode="w+", encoding="utf-8", prefix="replay-actions-"
        )
        self.actions = 0
        self.messages = 0
        self.per_rule: Counter[str] = Counter()  # messages
        self.per_ticket: Counter[str] = Counter()
        self.per_person: Counter[str] = Counter()
        self._per_quarter: Counter[tuple[int, str]] = Counter()
        self._runs: dict[str, dict[tuple[int, str, str], Run]] = {}
        self._pending: list[str] = []  # lines not written yet (written in batches)

    def _flush(self) -> None:
        self._spool.write("\n".join(self._pending) + "\n")
        self._pending = []

    def add(self, fired: Fired, segment: int) -> None:
        """Count ``fired``; ``segment`` is how many human events its ticket had by then."""
        self._pending.append(_ENCODE(action_json(fired)))
        if len(self._pending) >= _BATCH:
            self._flush()
        self.actions += 1
        if fired.issue is not None:
            what = f"{fired.rule}: {fired.kind.value} ({fired.where})"
            who = ", ".join(fired.people)
            runs = self._runs.setdefault(fired.issue, {})
            run = runs.get((segment, what, who))
            if run is None:
                runs[(segment, what, who)] = Run(what, who, fired.at, fired.at)
            else:
                run.last = fired.at
                run.count += 1
        if not fired.is_message:
            return
        name = f"{fired.policy}/{fired.rule}"
        self.messages += 1
        self.per_rule[name] += 1
        if fired.issue:
            self.per_ticket[fired.issue] += 1
        self.per_person.update(fired.people)
        self._per_quarter[((fired.at - _EPOCH) // QUARTER, name)] += 1

    def runs(self, issue: str) -> list[Run]:
        """The ticket's actions, folded (see the module docstring), in the order they began."""
        return list(self._runs.get(issue, {}).values())

    def per_day(self, zone: Any = UTC) -> dict[str, Counter[str]]:
        """Messages per local day, by rule (``policy/rule``)."""
        days: dict[str, Counter[str]] = {}
        for (quarter, name), count in self._per_quarter.items():
            day = (_EPOCH + quarter * QUARTER).astimezone(zone).date().isoformat()
            days.setdefault(day, Counter())[name] += count
        return days

    def lines(self) -> Iterator[str]:
        """Each action as ``replay.json`` lists it, one JSON object a line, in planned order."""
        if self._pending:
            self._flush()
        self._spool.flush()
        self._spool.seek(0)
        for line in self._spool:
            yield line.rstrip("\n")
        self._spool.seek(0, 2)

    def fired(self) -> list[Fired]:
        """Every action, read back from the spool."""
        return [fired_from_json(json.loads(line)) for line in self.lines()]

    def keys_by_issue(self) -> dict[str, set[str]]:
        """Each ticket's action keys (``policy:NAME`` for a policy's own), read back."""
        found: dict[str, set[str]] = {}
        for line in self.lines():
            data = json.loads(line)
            found.setdefault(data["issue"] or f"policy:{data['policy']}", set()).add(data["key"])
        return found

    def close(self) -> None:
        self._spool.close()


def action_json(fired: Fired) -> dict[str, Any]:
    return {
        "key": fired.key,
        "issue": fired.issue,
        "policy": fired.policy,
        "rule": fired.rule,
        "kind": fired.kind.value,
        "fired_at": iso(fired.at),
        "due": iso(fired.due),
        "where": fired.where,
        "people": list(fired.people),
        "reason": fired.reason,
    }


def fired_from_json(data: dict[str, Any]) -> Fired:
    return Fired(
        key=data["key"],
        policy=data["policy"],
        rule=data["rule"],
        issue=data["issue"],
        kind=ActionKind(data["kind"]),
        at=_moment(data["fired_at"]),
        due=_moment(data["due"]),
        where=data["where"],
        people=tuple(data["people"]),
        reason=data["reason"],
    )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
