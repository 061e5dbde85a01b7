"""The executor's recovery rules, with fakes: dead claim holders, failed attempts, lost state."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.core.state import EngineState
from agent.runtime.act.executor import Executor, holder_is_dead
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import ticket

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
HOST = socket.gethostname()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def a_dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(child.stdout)


def comment(key: str = "r:DS-1:ask#jira") -> PlannedAction:
    return PlannedAction(
        key=key,
        policy="p",
        rule="r",
        issue="DS-1",
        kind=ActionKind.JIRA_COMMENT,
        reason="ask",
        due=NOW,
        template="jira/ask.j2",
    )


def run(
    store: SqlStateStore, jira: FakeJira, action: PlannedAction, *, recovering: bool = False
) -> CycleReport:
    env = ActionEnv(
        jira=jira,
        slack=FakeSlack(users={}, channels={}),
        confluence=FakeConfluence(),
        renderer=FakeRenderer(),
        store=store,
        state=EngineState(),
        confluence_space="OPS",
    )
    report = CycleReport()
    Executor(store, f"{HOST}:{os.getpid()}", recovering=recovering).run([action], env, NOW, report)
    return report


def claim_as(store: SqlStateStore, action: PlannedAction, owner: str) -> None:
    store.begin_effect(
        action.key,
        policy=action.policy,
        rule=action.rule,
        issue="DS-1",
        kind=action.kind.value,
        owner=owner,
        now=NOW - timedelta(seconds=10),
        claim_for=timedelta(minutes=5),
    )


def test_holder_is_dead_only_for_gone_processes_on_this_host() -> None:
    assert holder_is_dead(f"{HOST}:{a_dead_pid()}")
    assert holder_is_dead(f"{HOST}:{os.getpid()}")  # our own name: an earlier process
    assert not holder_is_dead(f"{HOST}:{os.getppid()}")
    assert not holder_is_dead("another-host:1")
    assert not holder_is_dead("not-an-owner")


def test_a_live_claim_of_a_dead_process_is_taken_over_and_reconciled(store: SqlStateStore) -> None:
    jira = FakeJira(tickets={"DS-1": ticket("DS-1")})
    action = comment()
    claim_as(store, action, f"{HOST}:{a_dead_pid()}")
    jira.add_comment("DS-1", "posted before the crash", rule=action.rule, key=action.key)

    report = run(store, jira, action)

    assert report.total_done == 1
    assert jira.comment_keys("DS-1") == [action.key]  # found by its marker, not posted again
    record = store.get_effect(action.key)
    assert record is not None and record.status is EffectStatus.DONE


def test_a_live_claim_of_a_running_process_is_left_alone(store: SqlStateStore) -> None:
    jira = FakeJira(tickets={"DS-1": ticket("DS-1")})
    action = comment()
    claim_as(store, action, f"{HOST}:{os.getppid()}")

    report = run(store, jira, action)

    assert report.total_done == 0 and report.total_skipped == 1
    assert jira.comment_keys("DS-1") == []


def test_after_a_failed_attempt_the_marker_is_checked_first(store: SqlStateStore) -> None:
    jira = FakeJira(tickets={"DS-1": ticket("DS-1")})
    action = comment()
    claim_as(store, action, "me")
    store.fail_effect(action.key, "me", "HTTP 502 after the request was sent", NOW)
    jira.add_comment("DS-1", "Jira kept it after all", rule=action.rule, key=action.key)

    report = run(store, jira, action)

    assert report.total_done == 1
    assert jira.comment_keys("DS-1") == [action.key]


def test_a_store_that_lost_its_memory_checks_every_marker(store: SqlStateStore) -> None:
    jira = FakeJira(tickets={"DS-1": ticket("DS-1")})
    action = comment()
    jira.add_comment("DS-1", "posted before the state was lost", rule=action.rule, key=action.key)

    fresh = run(store, jira, comment("r:DS-1:other#jira"))
    recovering = run(store, jira, action, recovering=True)

    assert fresh.total_done == 1 and recovering.total_done == 1
    assert sorted(jira.comment_keys("DS-1")) == sorted([action.key, "r:DS-1:other#jira"])
