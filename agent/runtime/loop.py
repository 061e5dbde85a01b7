"""The long-running agent: a cycle every ``AGENT_POLL_SECONDS`` until SIGTERM or SIGINT.

A signal only sets a flag: the action in flight finishes and is recorded, the
rest of the plan is left for the next start, and the process exits 0. The wait
between cycles is sliced so a signal is noticed within a second.

With a :class:`~agent.runtime.leader.CycleLease` only the replica holding the
lease runs the cycle; the others stand by. With a :class:`LoopObserver` every
cycle (done, failed or skipped on standby) feeds ``/metrics`` and ``/healthz``.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

import schedule
from prometheus_client import Gauge

from agent.adapters.service_errors import ServiceError
from agent.clock import Clock
from agent.observability import HealthState, Metrics
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps
from agent.runtime.leader import CycleLease
from agent.runtime.report import CycleReport
from agent.runtime.status import held_by_policy
from agent.store import StoreError

log = logging.getLogger(__name__)

MAX_WAIT_SLICE = 1.0


class StopFlag:
    """Set by SIGTERM/SIGINT (or a test); read between actions and while waiting."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def __call__(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()

    def wait(self, seconds: float) -> None:
        self._event.wait(seconds)

    def on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info(
            "%s received: finishing the action in flight, then stopping",
            signal.Signals(signum).name,
        )
        self.set()


def install_signal_handlers(flag: StopFlag) -> None:
    """SIGTERM and SIGINT stop the loop gracefully (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGTERM, flag.on_signal)
    signal.signal(signal.SIGINT, flag.on_signal)


class LoopObserver:
    """Feeds the metrics and the health state after every cycle, even failed or skipped ones."""

    def __init__(self, deps: Deps, metrics: Metrics, health: HealthState) -> None:
        self.deps = deps
        self.metrics = metrics
        self.health = health
        self.lease_held = Gauge(
            "escalation_agent_cycle_lease_held",
            "1 when this replica holds the cycle lease (runs the cycles), 0 on standby.",
            registry=metrics.registry,
        )

    def cycle_done(self, report: CycleReport, duration: float) -> None:
        self.metrics.record_cycle(duration, report.ok)
        self.metrics.record_actions(report.done, "done")
        self.metrics.record_actions(report.skipped, "skipped")
        self.metrics.record_actions(report.failed, "failed")
        self._after_cycle()

    def cycle_failed(self, duration: float) -> None:
        self.metrics.record_cycle(duration, False)
        self._after_cycle()

    def standing_by(self) -> None:
        """A standby replica is alive too: its health must not get it restarted."""
        self.lease_held.set(0)
        self.health.cycle_finished()

    def _after_cycle(self) -> None:
        self.lease_held.set(1)
        if self.deps.calls is not None:
            self.metrics.record_call_stats(self.deps.calls.stats())
        try:
            for policy, count in held_by_policy(self.deps.store, self.deps.policies).items():
                self.metrics.set_held(policy, count)
        except StoreError as exc:
            log.warning("held escalations not counted for /metrics this cycle: %s", exc)
        self.health.cycle_finished()


def run_loop(
    deps: Deps,
    clock: Clock,
    *,
    poll_seconds: int,
    stop: StopFlag | None = None,
    wait: Callable[[float], None] | None = None,
    on_report: Callable[[CycleReport], None] = lambda _report: None,
    lease: CycleLease | None = None,
    observer: LoopObserver | None = None,
) -> int:
    """Run cycles until stopped; returns the exit code (0: stopped on request)."""
    flag = stop or StopFlag()
    install_signal_handlers(flag)
    pause = wait or flag.wait
    scheduler = schedule.Scheduler()

    def cycle() -> None:
        if flag():
            return
        started = time.monotonic()
        try:
            if lease is not None and not lease.acquire():
                if observer is not None:
                    observer.standing_by()
                return
            report = run_cycle(deps, clock.now(), should_stop=flag)
        except (StoreError, ServiceError) as exc:
            log.error("cycle failed, trying again in %d s: %s", poll_seconds, exc)
            if observer is not None:
                observer.cycle_failed(time.monotonic() - started)
            return
        if observer is not None:
            observer.cycle_done(report, time.monotonic() - started)
        on_report(report)

    scheduler.every(poll_seconds).seconds.do(cycle)
    log.info("running a cycle every %d s; stop with SIGTERM or Ctrl-C", poll_seconds)
    try:
        scheduler.run_all()
        while not flag():
            scheduler.run_pending()
            idle = scheduler.idle_seconds
            pause(min(MAX_WAIT_SLICE, max(idle if idle is not None else MAX_WAIT_SLICE, 0.0)))
    finally:
        if lease is not None:
            lease.release()
    log.info("stopped")
    return 0
