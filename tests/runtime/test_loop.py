"""The polling loop: cycles until SIGTERM/SIGINT, then exits 0 after the action in flight."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from agent.clock import FixedClock
from agent.policy import load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.loop import StopFlag, run_loop
from agent.runtime.report import CycleReport
from agent.store import SqlStateStore, open_store
from tests.runtime.test_cycle import START, ds_tickets, make_deps
from tests.unit.factories import utc


@pytest.fixture
def store(tmp_path: Path) -> SqlStateStore:
    return open_store(f"sqlite:///{tmp_path / 'state.db'}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_loop_after_the_cycle_with_exit_0(
    tmp_path: Path, store: SqlStateStore, signum: int
) -> None:
    policies = [p for p in load_policies(bundled_rules_dir()) if p.name == "ds-ticket-escalation"]
    deps, slack = make_deps(tmp_path, store, policies, ds_tickets(1))
    reports: list[CycleReport] = []
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        os.kill(os.getpid(), signum)  # delivered to this (main) thread: the handler sets the flag

    previous = signal.getsignal(signum)
    try:
        code = run_loop(
            deps,
            FixedClock(utc(2026, 3, 2, 14, 10)),
            poll_seconds=60,
            wait=wait,
            on_report=reports.append,
        )
    finally:
        signal.signal(signum, previous)
    assert code == 0
    assert len(reports) == 1 and reports[0].ok and reports[0].total_done > 0
    assert waits and all(0 <= w <= 1.0 for w in waits)
    assert any(name.startswith("ds-100-") for name in slack.channels)


def test_a_stop_during_a_cycle_finishes_the_action_in_flight_only(
    tmp_path: Path, store: SqlStateStore
) -> None:
    policies = [p for p in load_policies(bundled_rules_dir()) if p.name == "ds-ticket-escalation"]
    jira = ds_tickets(1)
    deps, _slack = make_deps(tmp_path, store, policies, jira)
    flag = StopFlag()
    original = jira.set_priority

    def set_priority_then_stop(issue: str, name: str) -> None:
        original(issue, name)
        flag.set()  # as if SIGTERM arrived while this action ran

    jira.set_priority = set_priority_then_stop  # type: ignore[method-assign]
    reports: list[CycleReport] = []
    code = run_loop(
        deps,
        FixedClock(START),
        poll_seconds=60,
        stop=flag,
        wait=flag.wait,
        on_report=reports.append,
    )
    assert code == 0
    (report,) = reports
    assert jira.priorities == [("DS-100", "Highest")]
    assert report.total_done == 1  # the priority, in flight when the stop came
    assert report.total_planned > report.total_done
