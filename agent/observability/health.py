"""Liveness of the loop: is a cycle still finishing every few poll intervals?

A cycle that ends with failed actions still counts: the loop is alive and will
retry them. What ``/healthz`` catches is a loop that hangs (a stuck call, a
deadlock, a scheduler that stopped), which only a restart cures. Before the
first cycle the process gets the same allowance as between cycles, so a slow
first full sync does not get the pod killed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agent.clock import Clock

MISSED_INTERVALS = 3


@dataclass(frozen=True)
class HealthReport:
    """The answer to "healthy now?", with the reason when not."""

    healthy: bool
    last_cycle: datetime | None
    reason: str

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "status": "ok" if self.healthy else "unhealthy",
            "last_cycle": _iso(self.last_cycle),
        }
        if not self.healthy:
            body["reason"] = self.reason
        return body


class HealthState:
    """Remembers when the last cycle finished; healthy within three poll intervals of it."""

    def __init__(self, poll_seconds: float, clock: Clock) -> None:
        if poll_seconds <= 0:
            raise ValueError(f"poll_seconds must be positive, not {poll_seconds}")
        self.poll_seconds = poll_seconds
        self.clock = clock
        self.started_at = _aware(clock.now(), "the clock's now()")
        self._last_cycle: datetime | None = None
        self._lock = threading.Lock()

    @property
    def allowance(self) -> timedelta:
        """How long the loop may go without finishing a cycle (also the start-up grace)."""
        return timedelta(seconds=self.poll_seconds * MISSED_INTERVALS)

    @property
    def last_cycle(self) -> datetime | None:
        with self._lock:
            return self._last_cycle

    def cycle_finished(self, at: datetime | None = None) -> None:
        """Record a finished cycle (successful or not) at ``at``, default the clock's now."""
        moment = _aware(at if at is not None else self.clock.now(), "cycle_finished(at)")
        with self._lock:
            if self._last_cycle is None or moment > self._last_cycle:
                self._last_cycle = moment

    def report(self, now: datetime | None = None) -> HealthReport:
        moment = _aware(now if now is not None else self.clock.now(), "now")
        last = self.last_cycle
        allowance = self.allowance
        limit = int(allowance.total_seconds())
        if last is None:
            if moment - self.started_at <= allowance:
                return HealthReport(True, None, "starting: no cycle finished yet")
            return HealthReport(
                False,
                None,
                f"no cycle has finished since the start at {_iso(self.started_at)} "
                f"({limit} s allowed, {MISSED_INTERVALS} poll intervals)",
            )
        if moment - last <= allowance:
            return HealthReport(True, last, "ok")
        late = int((moment - last).total_seconds())
        return HealthReport(
            False,
            last,
            f"the last cycle finished {late} s ago at {_iso(last)}; "
            f"more than {limit} s ({MISSED_INTERVALS} poll intervals) means the loop is stuck",
        )

    def is_healthy(self, now: datetime | None = None) -> bool:
        return self.report(now).healthy


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{what} must be a timezone-aware datetime")
    return moment


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
