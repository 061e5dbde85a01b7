"""The end of the demo in numbers: what the agent did, by kind and by pack and rule.

The headline counts are the ones a reader checks in the viewer (channels,
held escalations, incident-log rows, pages, nudges, the weekly digest); the
demo's test reads them from the printed lines, so their labels are stable.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent.core.rules.catalogue import CATALOGUE
from agent.core.rules.kind import Says
from agent.demo.journal import MESSAGE_KINDS, Effect
from agent.runtime.report import ActionFailure


@dataclass
class Tally:
    """Everything the demo counted across its cycles."""

    cycles: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)
    held: set[str] = field(default_factory=set)
    released: set[str] = field(default_factory=set)
    channels: int = 0
    log_rows: int = 0
    pages: int = 0
    nudges: int = 0
    calls: int = 0
    after_hours_pages: int = 0
    digests: int = 0
    followups: int = 0
    failed: dict[str, ActionFailure] = field(default_factory=dict)  # by effect key, latest
    problems: set[str] = field(default_factory=set)
    pages_written: list[str] = field(default_factory=list)  # page ids, first write first
    logs_updated: list[str] = field(default_factory=list)  # incident-log page ids

    def add(self, effects: Iterable[Effect]) -> None:
        for effect in effects:
            self.by_kind[effect.kind] += 1
            self.by_rule[(effect.policy, effect.name)] += 1
            if effect.held:
                self.held.add(effect.issue)
            if effect.released:
                self.released.add(effect.issue)
            self._headline(effect)

    def _headline(self, effect: Effect) -> None:
        kind, family = effect.kind, effect.family
        if kind == "slack.create_channel":
            self.channels += 1
        elif kind == "confluence.log_row":
            self.log_rows += 1
            _remember(self.logs_updated, effect.page)
        elif kind == "confluence.page":
            self.pages += 1
            _remember(self.pages_written, effect.page)
        elif kind == "jira.create_issue":
            self.followups += 1
        if kind not in MESSAGE_KINDS:
            return
        says = CATALOGUE.get(family).says if family in CATALOGUE else Says.NOTICE
        if says is Says.NUDGE:
            self.nudges += 1
        elif says is Says.CALL:
            self.calls += 1
        elif says is Says.PAGE:
            self.after_hours_pages += 1
        elif says is Says.DIGEST:
            self.digests += 1

    def headline(self) -> list[tuple[str, int]]:
        """(label, count) pairs, printed as ``label: count``."""
        return [
            ("cycles run", self.cycles),
            ("actions done", sum(self.by_kind.values())),
            ("escalation channels created", self.channels),
            ("escalations held by a limit", len(self.held)),
            ("held escalations released", len(self.released)),
            ("nudges and reminders", self.nudges),
            ("call requests", self.calls),
            ("after-hours pages", self.after_hours_pages),
            ("incident-log rows", self.log_rows),
            ("pages written", self.pages),
            ("weekly digests", self.digests),
            ("follow-up issues created", self.followups),
            ("actions still failing", len(self.failed)),
        ]


def _remember(ids: list[str], page: str | None) -> None:
    if page is not None and page not in ids:
        ids.append(page)
