"""Seeding "in the past": events run oldest first, each at its own sandbox time.

Jira stamps comments and changelog entries, Confluence versions and Slack
``ts`` values with the sandbox clock, and Slack ``ts`` must grow, so the demo
history is replayed in time order with the clock frozen at each event, then
the clock is put back where it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.sandbox.context import SandboxContext


@dataclass
class Timeline:
    """Events scheduled ``ago`` before the seeding moment ``now``."""

    ctx: SandboxContext
    now: datetime
    _events: list[tuple[timedelta, int, Callable[[], None]]] = field(default_factory=list)

    def at(self, ago: timedelta, action: Callable[[], None]) -> None:
        """Run ``action`` with the sandbox clock at ``now - ago`` (ties keep their order)."""
        if ago < timedelta(0):
            raise ValueError(f"demo events happen in the past, not {ago} from now")
        self._events.append((ago, len(self._events), action))

    def moment(self, ago: timedelta) -> datetime:
        return self.now - ago

    def run(self) -> None:
        """Replay every event oldest first, then restore the clock (frozen or running)."""
        was_frozen = bool(self.ctx.clock.state()["frozen"])
        started = time.monotonic()
        try:
            for ago, _order, action in sorted(self._events, key=lambda e: (-e[0], e[1])):
                self.ctx.clock.set(self.now - ago, frozen=True)
                action()
        finally:
            elapsed = timedelta(seconds=0 if was_frozen else time.monotonic() - started)
            self.ctx.clock.set(self.now + elapsed, frozen=was_frozen)
        self._events.clear()


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def days(value: float) -> timedelta:
    return timedelta(days=value)
