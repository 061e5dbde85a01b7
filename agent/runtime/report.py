"""What one cycle did, counted: for logs, the exit code and (later) metrics.

The executor's lanes count from several threads at once, so every ``count_*``
takes the report's lock (``Counter[...] += 1`` is a read and a write, not atomic).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.core.actions import PlannedAction
from agent.runtime.first_contact import history_note


@dataclass(frozen=True)
class ActionFailure:
    """One action that failed this cycle; it stays pending for the next one."""

    key: str
    rule: str
    kind: str
    issue: str | None
    error: str
    # The same error as the previous attempt: said already, so it is logged quietly.
    repeated: bool = False


@dataclass
class CycleReport:
    """Counts per cycle; ``by_rule_kind`` keys are ``(rule, kind)``."""

    tickets_read: int = 0
    details_read: int = 0
    planned: Counter[tuple[str, str]] = field(default_factory=Counter)
    done: Counter[tuple[str, str]] = field(default_factory=Counter)
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    failed: Counter[tuple[str, str]] = field(default_factory=Counter)
    failures: list[ActionFailure] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    service_errors: Counter[str] = field(default_factory=Counter)
    read_errors: list[str] = field(default_factory=list)
    # Per policy: tickets left alone as history (resolved before its first contact),
    # when that first contact was, and which policies ran for the first time.
    history: dict[str, int] = field(default_factory=dict)
    first_contact: dict[str, datetime] = field(default_factory=dict)
    first_contact_new: tuple[str, ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @staticmethod
    def bucket(action: PlannedAction) -> tuple[str, str]:
        return action.rule, action.kind.value

    def count_planned(self, action: PlannedAction) -> None:
        with self._lock:
            self.planned[self.bucket(action)] += 1

    def count_done(self, action: PlannedAction) -> None:
        with self._lock:
            self.done[self.bucket(action)] += 1

    def count_skipped(self, action: PlannedAction) -> None:
        with self._lock:
            self.skipped[self.bucket(action)] += 1

    def count_failed(
        self, action: PlannedAction, error: str, service: str | None, *, repeated: bool = False
    ) -> None:
        with self._lock:
            self.failed[self.bucket(action)] += 1
            self.failures.append(
                ActionFailure(
                    action.key, action.rule, action.kind.value, action.issue, error, repeated
                )
            )
            if service:
                self.service_errors[service] += 1

    def add_problems(self, problems: list[str]) -> None:
        """Problems met while acting (from any lane), for the cycle's summary."""
        with self._lock:
            self.problems.extend(problems)

    def read_error(self, service: str, message: str) -> None:
        with self._lock:
            self.service_errors[service] += 1
            self.read_errors.append(message)

    def history_notes(self, zone: ZoneInfo, *, first_run_only: bool) -> list[str]:
        """Per policy, the tickets left alone as history and how to include them;
        ``first_run_only`` keeps the policies whose first contact is this cycle."""
        return [
            history_note(name, count, self.first_contact[name], zone)
            for name, count in sorted(self.history.items())
            if count
            and name in self.first_contact
            and (not first_run_only or name in self.first_contact_new)
        ]

    @property
    def total_planned(self) -> int:
        return sum(self.planned.values())

    @property
    def total_done(self) -> int:
        return sum(self.done.values())

    @property
    def total_skipped(self) -> int:
        return sum(self.skipped.values())

    @property
    def total_failed(self) -> int:
        return sum(self.failed.values())

    @property
    def ok(self) -> bool:
        """True when every action succeeded and every read worked."""
        return not self.failures and not self.read_errors

    def summary(self) -> str:
        return (
            f"{self.tickets_read} tickets read ({self.details_read} with new details), "
            f"{self.total_planned} actions planned: {self.total_done} done, "
            f"{self.total_skipped} skipped, {self.total_failed} failed; "
            f"{len(self.problems)} ticket problems; "
            f"{len(self.read_errors)} read errors"
        )
