"""The long-running agent: a cycle every ``AGENT_POLL_SECONDS`` until SIGTERM or SIGINT.

A signal only sets a flag: the action in flight finishes and is recorded, the
rest of the plan is left for the next start, and the process exits 0. The wait
between cycles is sliced so a signal is noticed within a second.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from types import FrameType

import schedule

from agent.adapters.errors import ServiceError
from agent.clock import Clock
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps
from agent.runtime.report import CycleReport
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


def run_loop(
    deps: Deps,
    clock: Clock,
    *,
    poll_seconds: int,
    stop: StopFlag | None = None,
    wait: Callable[[float], None] | None = None,
    on_report: Callable[[CycleReport], None] = lambda _report: None,
) -> int:
    """Run cycles until stopped; returns the exit code (0: stopped on request)."""
    flag = stop or StopFlag()
    install_signal_handlers(flag)
    pause = wait or flag.wait
    scheduler = schedule.Scheduler()

    def cycle() -> None:
        if flag():
            return
        try:
            on_report(run_cycle(deps, clock.now(), should_stop=flag))
        except (StoreError, ServiceError) as exc:
            log.error("cycle failed, trying again in %d s: %s", poll_seconds, exc)

    scheduler.every(poll_seconds).seconds.do(cycle)
    log.info("running a cycle every %d s; stop with SIGTERM or Ctrl-C", poll_seconds)
    scheduler.run_all()
    while not flag():
        scheduler.run_pending()
        idle = scheduler.idle_seconds
        pause(min(MAX_WAIT_SLICE, max(idle if idle is not None else MAX_WAIT_SLICE, 0.0)))
    log.info("stopped")
    return 0
