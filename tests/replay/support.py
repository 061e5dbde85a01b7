"""A site whose history the live agent ran through, and replays of it, in process.

``LiveDay`` drives the real agent (real adapters, SQLite store) one cycle at a
time against the sandbox, moving the sandbox clock to each cycle and to each
human event, so Jira and Slack stamp everything with the scenario's times. A
replay then reads the same site back through the read-only ports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from agent.config import load_settings
from agent.policy import Policy, load_policies
from agent.replay.driver import ReplaySettings, replay
from agent.replay.outcome import ReplayOutcome
from agent.replay.source import History, ReadOnlyJira, ReadOnlySlack, Window, read_history
from agent.resources import bundled_rules_dir
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps, build_deps
from agent.secrets import Redactor
from agent.store import EffectStatus
from tests.foundation.test_check_command import sandbox_env
from tests.support.sandbox import SandboxHandle

Event = Callable[[], object]


def agent_deps(sandbox: SandboxHandle, state_dir: Path, rules: Path) -> Deps:
    values = sandbox_env(sandbox)
    values["AGENT_RULES"] = str(rules)
    values["AGENT_STATE_URL"] = f"sqlite:///{state_dir / 'state.db'}"
    settings = load_settings(values)
    return build_deps(settings, load_policies(settings.rules_path), Redactor(settings.secrets()))


@dataclass
class LiveDay:
    """Cycles every ``every`` from ``start`` to ``end``, with human events in between."""

    sandbox: SandboxHandle
    deps: Deps
    start: datetime
    end: datetime
    every: timedelta
    events: list[tuple[datetime, Event]] = field(default_factory=list)

    def at(self, moment: datetime, event: Event) -> None:
        self.events.append((moment, event))

    def run(self) -> None:
        pending = sorted(self.events, key=lambda e: e[0])
        moment = self.start
        while moment < self.end:
            while pending and pending[0][0] <= moment:
                when, event = pending.pop(0)
                self.sandbox.set_clock(when, frozen=True)
                event()
            self.sandbox.set_clock(moment, frozen=True)
            report = run_cycle(self.deps, moment)
            assert not report.failures, [f.error for f in report.failures]
            moment += self.every
        for when, event in pending:  # after the last cycle: part of the history, unseen live
            self.sandbox.set_clock(when, frozen=True)
            event()

    def keys(self, issues: list[str]) -> set[str]:
        """The keys of every effect the live agent carried out."""
        found = set()
        names = [p.name for p in self.deps.policies]
        for issue in [*issues, *(f"policy:{n}" for n in names)]:
            found |= {
                r.key
                for r in self.deps.store.effects_for_issue(issue)
                if r.status is EffectStatus.DONE
            }
        return found


def read_back(deps: Deps, policies: list[Policy], window: Window) -> History:
    return read_history(
        ReadOnlyJira(deps.jira),  # type: ignore[arg-type]
        ReadOnlySlack(deps.slack),  # type: ignore[arg-type]
        policies,
        window,
    )


def replayed(
    deps: Deps, rules: Path, window: Window, every: timedelta, *, exact: bool = False
) -> ReplayOutcome:
    policies = load_policies(rules)
    history = read_back(deps, policies, window)
    return replay(history, policies, ReplaySettings(window, every, exact=exact))


def pack(name: str) -> Path:
    return bundled_rules_dir() / name
