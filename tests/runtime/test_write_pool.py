"""The executor's lanes: per-ticket order, a bounded pool, independent lanes, prompt stops.

Handlers here are recording functions (the executor accepts any handler table)
over the real SQLite store, so claims and "done" records are the real ones.
Threads are coordinated with events and conditions with time-outs; nothing sleeps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.core.state import EngineState, TicketState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.runtime.lanes import LanePool, split_lanes
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
WAIT = 10.0  # seconds a coordination step may take before the test fails
ISSUES = ("DS-1", "DS-2", "DS-3", "DS-4", "DS-5", "DS-6")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def action(
    key: str, issue: str | None, kind: ActionKind = ActionKind.JIRA_COMMENT
) -> PlannedAction:
    return PlannedAction(
        key=key,
        policy="ds-ticket-escalation",
        rule="r",
        issue=issue,
        kind=kind,
        reason="test",
        due=NOW,
        template=None,
    )


def interleaved_plan(per_issue: int = 4) -> list[PlannedAction]:
    """Actions of several tickets, interleaved, then two policy-level ones."""
    plan = [action(f"{issue}:{n}", issue) for n in range(per_issue) for issue in ISSUES]
    return [*plan, action("digest:0", None), action("digest:1", None)]


def env_for(store: SqlStateStore) -> ActionEnv:
    state = EngineState()
    for issue in ISSUES:
        state = state.with_ticket(issue, TicketState(first_seen=NOW))
    return ActionEnv(
        jira=FakeJira(tickets={}),
        slack=FakeSlack(users={}, channels={}),
        confluence=FakeConfluence(),
        renderer=FakeRenderer(),
        store=store,
        state=state,
        confluence_space="OPS",
    )


class Recorder:
    """A handler that records the order of calls and how many ran at once."""

    def __init__(self, body: Callable[[PlannedAction], None] = lambda _a: None) -> None:
        self.body = body
        self.calls: list[str] = []
        self.active = 0
        self.most_active = 0
        self.changed = threading.Condition()

    def __call__(self, planned: PlannedAction, env: ActionEnv, reconcile: bool) -> dict[str, Any]:
        with self.changed:
            self.calls.append(planned.key)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.changed.notify_all()
        try:
            self.body(planned)
        finally:
            with self.changed:
                self.active -= 1
                self.changed.notify_all()
        if planned.issue is not None:
            env.learned_channels[planned.issue] = f"C-{planned.issue}"
        return {"key": planned.key}


def run(
    store: SqlStateStore,
    plan: list[PlannedAction],
    handler: Handler,
    *,
    workers: int,
    should_stop: Callable[[], bool] = lambda: False,
) -> tuple[CycleReport, Any]:
    report = CycleReport()
    executor = Executor(
        store,
        "me",
        handlers={ActionKind.JIRA_COMMENT: handler},
        should_stop=should_stop,
        concurrency=workers,
    )
    return report, executor.run(plan, env_for(store), NOW, report)


def test_lanes_group_by_ticket_in_plan_order_and_policy_actions_last() -> None:
    ticket_lanes, policy_lanes = split_lanes(interleaved_plan(per_issue=2))
    assert [lane.name for lane in ticket_lanes] == list(ISSUES)
    assert [a.key for a in ticket_lanes[1].actions] == ["DS-2:0", "DS-2:1"]
    assert [(lane.name, len(lane.actions)) for lane in policy_lanes] == [
        ("policy:ds-ticket-escalation", 2)
    ]


def test_each_ticket_keeps_plan_order_and_policy_actions_run_after_all_tickets(
    store: SqlStateStore,
) -> None:
    recorder = Recorder()
    plan = interleaved_plan()
    report, execution = run(store, plan, recorder, workers=4)

    assert execution.done_keys == {a.key for a in plan}
    assert report.total_done == len(plan) and report.total_failed == 0
    for issue in ISSUES:
        mine = [key for key in recorder.calls if key.startswith(f"{issue}:")]
        assert mine == [f"{issue}:{n}" for n in range(4)]
    assert recorder.calls[-2:] == ["digest:0", "digest:1"]
    for key in execution.done_keys:
        record = store.get_effect(key)
        assert record is not None and record.status is EffectStatus.DONE


def test_the_pool_runs_as_many_lanes_at_once_as_it_has_workers_and_no_more(
    store: SqlStateStore,
) -> None:
    release = threading.Event()
    recorder = Recorder(lambda _a: release.wait(WAIT))
    outcome: dict[str, Any] = {}
    worker = threading.Thread(
        target=lambda: outcome.update(result=run(store, interleaved_plan(), recorder, workers=3))
    )
    worker.start()
    with recorder.changed:
        assert recorder.changed.wait_for(lambda: recorder.active == 3, timeout=WAIT)
        # three lanes are blocked in their first action: the pool has no fourth thread
        assert recorder.active == 3 and len(recorder.calls) == 3
    release.set()
    worker.join(WAIT)
    assert not worker.is_alive()
    assert recorder.most_active == 3
    assert outcome["result"][1].done_keys == {a.key for a in interleaved_plan()}


def test_one_worker_runs_the_plan_exactly_in_order(store: SqlStateStore) -> None:
    recorder = Recorder()
    plan = interleaved_plan()
    run(store, plan, recorder, workers=1)
    assert recorder.calls == [a.key for a in plan]
    assert recorder.most_active == 1


def test_a_failing_or_slow_lane_does_not_hold_the_others_up(store: SqlStateStore) -> None:
    others_done = threading.Event()
    remaining = {a.key for a in interleaved_plan() if a.issue not in ("DS-1", "DS-2", None)}
    lock = threading.Lock()

    def body(planned: PlannedAction) -> None:
        if planned.issue == "DS-1":
            raise ActionError("DS-1 is broken")
        if planned.key == "DS-2:0":
            # finishes only once every other ticket's actions ran: a sequential
            # executor would wait here forever (the time-out fails the test)
            assert others_done.wait(WAIT), "the other lanes were held up"
        with lock:
            remaining.discard(planned.key)
            if not remaining:
                others_done.set()

    report, execution = run(store, interleaved_plan(), Recorder(body), workers=3)

    failed = {failure.key for failure in report.failures}
    assert failed == {f"DS-1:{n}" for n in range(4)}  # each DS-1 action tried and failed
    assert execution.done_keys == {a.key for a in interleaved_plan()} - failed
    record = store.get_effect("DS-1:0")  # recorded as failed, left for the next cycle
    assert record is not None and record.status is EffectStatus.PENDING
    assert record.attempts == 1 and "DS-1 is broken" in (record.last_error or "")


def test_a_stop_lets_the_actions_in_flight_finish_and_starts_nothing_more(
    store: SqlStateStore,
) -> None:
    stop = threading.Event()
    in_flight = threading.Barrier(3, timeout=WAIT)

    def body(_planned: PlannedAction) -> None:
        in_flight.wait()  # the first action of three lanes is in flight together
        stop.set()

    recorder = Recorder(body)
    report, execution = run(store, interleaved_plan(), recorder, workers=3, should_stop=stop.is_set)

    assert execution.stopped_early
    assert len(recorder.calls) == 3  # only the three in flight
    assert execution.done_keys == set(recorder.calls)
    assert report.total_done == 3
    left = [a.key for a in interleaved_plan() if a.key not in execution.done_keys]
    assert all(store.get_effect(key) is None for key in left)  # never claimed


def test_a_bug_in_one_lane_stops_the_others_and_is_raised(store: SqlStateStore) -> None:
    def body(planned: PlannedAction) -> None:
        if planned.key == "DS-3:1":
            raise RuntimeError("a bug, not an action failure")

    recorder = Recorder(body)
    with pytest.raises(RuntimeError, match="a bug"):
        run(store, interleaved_plan(), recorder, workers=2)
    assert "digest:0" not in recorder.calls  # the policy phase never started
    assert len(recorder.calls) < len(interleaved_plan())


def test_lanes_give_the_same_results_as_the_plan_in_order(tmp_path: Path) -> None:
    def body(planned: PlannedAction) -> None:
        if planned.key.endswith(":2"):
            raise ActionError(f"{planned.key} fails either way")

    outcomes = []
    for workers in (1, 4):
        opened = open_store(f"sqlite:///{tmp_path / f'state-{workers}.db'}")
        try:
            report, execution = run(opened, interleaved_plan(), Recorder(body), workers=workers)
        finally:
            opened.close()
        channels = {issue: execution.state.ticket(issue).channel_id for issue in ISSUES}
        outcomes.append(
            (
                execution.done_keys,
                channels,
                dict(report.done),
                dict(report.failed),
                sorted(f.key for f in report.failures),
            )
        )
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == {issue: f"C-{issue}" for issue in ISSUES}


def test_a_pool_size_outside_the_allowed_range_is_refused() -> None:
    with pytest.raises(ValueError, match="AGENT_WRITE_CONCURRENCY"):
        LanePool(0, lambda: False)
    with pytest.raises(ValueError, match=r"1\.\.32"):
        LanePool(33, lambda: False)
