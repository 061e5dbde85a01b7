"""The loop feeds /metrics and /healthz after every cycle and runs only while holding the lease."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.clock import FixedClock
from agent.commands.run_command import run_forever
from agent.observability import HealthState, Metrics
from agent.policy import Policy, load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.leader import LEASE_NAME, CycleLease
from agent.runtime.loop import LoopObserver, StopFlag, run_loop
from agent.runtime.report import CycleReport
from agent.store import SqlStateStore, StoreError, open_store
from agent.ui import make_console
from tests.runtime.test_cycle import START, ds_tickets, make_deps

NOW = START + timedelta(minutes=10)
POLICY = "ds-ticket-escalation"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


@pytest.fixture
def ds_policy() -> list[Policy]:
    return [p for p in load_policies(bundled_rules_dir()) if p.name == POLICY]


def one_cycle(
    deps: Any, *, observer: LoopObserver | None = None, lease: CycleLease | None = None
) -> list[CycleReport]:
    """Run the loop until its first wait: exactly the cycle ``run_all`` starts with."""
    flag = StopFlag()
    reports: list[CycleReport] = []
    code = run_loop(
        deps,
        FixedClock(NOW),
        poll_seconds=60,
        stop=flag,
        wait=lambda _seconds: flag.set(),
        on_report=reports.append,
        lease=lease,
        observer=observer,
    )
    assert code == 0
    return reports


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_a_cycle_records_duration_result_actions_api_and_held(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    deps, _slack = make_deps(tmp_path, store, ds_policy, ds_tickets(4))
    clock = FixedClock(NOW)
    health = HealthState(60, clock)
    observer = LoopObserver(deps, Metrics(clock=clock), health)

    (report,) = one_cycle(deps, observer=observer)

    metrics = observer.metrics
    assert sample(metrics, "escalation_agent_cycles_total", result="ok") == 1
    assert sample(metrics, "escalation_agent_cycles_total", result="failed") == 0
    assert sample(metrics, "escalation_agent_cycle_duration_seconds_count") == 1
    done = {
        (rule, kind): sample(
            metrics, "escalation_agent_actions_total", rule=rule, kind=kind, result="done"
        )
        for rule, kind in report.done
    }
    assert done == {bucket: float(n) for bucket, n in report.done.items()}
    assert done[("limit_daily", "jira.comment")] == 1  # the 4th escalation's hold comment
    # the 4th of four escalations is held by the 3-a-day limit
    assert sample(metrics, "escalation_agent_held_escalations", policy=POLICY) == 1
    assert sample(metrics, "escalation_agent_cycle_lease_held") == 1  # no lease: always runs
    assert health.last_cycle == NOW
    assert health.report(NOW + timedelta(minutes=2)).healthy


def test_a_failed_cycle_still_counts_for_health(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    deps, _slack = make_deps(tmp_path, store, ds_policy, ds_tickets(1))

    def broken(_namespace: str, _key: str) -> Any:
        raise StoreError("database is locked (test)")

    store.kv_get = broken  # type: ignore[method-assign]
    clock = FixedClock(NOW)
    health = HealthState(60, clock)
    observer = LoopObserver(deps, Metrics(clock=clock), health)

    assert one_cycle(deps, observer=observer) == []

    assert sample(observer.metrics, "escalation_agent_cycles_total", result="failed") == 1
    assert sample(observer.metrics, "escalation_agent_cycles_total", result="ok") == 0
    assert health.last_cycle == NOW


def test_a_standby_replica_skips_the_cycle_and_takes_over_when_the_lease_lapses(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(1)
    deps, _slack = make_deps(tmp_path, store, ds_policy, jira)
    wall = FixedClock(NOW)
    ttl = timedelta(minutes=3)
    assert store.acquire_lease(LEASE_NAME, "other-replica", ttl, wall.now())
    health = HealthState(60, wall)
    observer = LoopObserver(deps, Metrics(clock=wall), health)
    lease = CycleLease(store, ttl=ttl, owner="me", clock=wall)

    assert one_cycle(deps, observer=observer, lease=lease) == []
    assert jira.searches == [] and jira.priorities == []
    assert sample(observer.metrics, "escalation_agent_cycle_lease_held") == 0
    assert health.last_cycle == NOW  # alive on standby: not to be restarted
    holder = store.lease_holder(LEASE_NAME, wall.now())
    assert holder is not None and holder.owner == "other-replica"

    wall.advance(ttl)  # the other replica died and never renewed
    (report,) = one_cycle(deps, observer=observer, lease=lease)

    assert report.ok and jira.priorities == [("DS-100", "Highest")]
    assert sample(observer.metrics, "escalation_agent_cycle_lease_held") == 1
    # a graceful stop gives the lease back at once
    assert store.lease_holder(LEASE_NAME, wall.now()) is None


def test_a_metrics_port_in_use_is_a_configuration_error(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    deps, _slack = make_deps(tmp_path, store, ds_policy, ds_tickets(1))
    out = io.StringIO()
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 - the agent listens on all interfaces too
        taken.listen()
        port = int(taken.getsockname()[1])
        settings = replace(deps.settings, metrics_port=port)
        code = run_forever(deps, settings, make_console(stream=out), FixedClock(NOW))
    assert code == 2
    assert f"AGENT_METRICS_PORT={port}: cannot listen" in out.getvalue()
    assert store.lease_holder(LEASE_NAME, NOW) is None  # no cycle was attempted
