"""Writes to one Jira issue are spaced out under Jira Cloud's per-issue limit.

The pacer alone with a fake clock, then the real adapter against the sandbox,
whose per-issue limit answers 429 with ``Retry-After`` like Jira Cloud.
"""

from __future__ import annotations

import time

import pytest

from agent.adapters.calls import ServiceCaller
from agent.adapters.issue_pacing import IssueWritePacer
from agent.adapters.jira_adapter import build_jira_adapter
from agent.adapters.jira_http import written_issue
from agent.adapters.retry import RetryBudget
from agent.config import load_settings
from agent.sandbox.jira import seeding as jira
from agent.secrets import Redactor
from tests.adapters.test_jira_adapter_sandbox import adapter_for
from tests.foundation.test_check_command import sandbox_env
from tests.support.sandbox import AGENT_EMAIL, TOKEN, SandboxHandle


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def write(pacer: IssueWritePacer, fake: FakeTime, issue: str, takes: float = 0.0) -> float:
    """One paced write of ``takes`` seconds; the seconds it waited for its turn."""
    with pacer.turn(issue) as waited:
        fake.now += takes
    return waited


def test_a_full_window_holds_the_next_write_until_its_oldest_leaves() -> None:
    fake = FakeTime()
    pacer = IssueWritePacer([(3, 2.0), (5, 30.0)], fake.clock, fake.sleep)
    for _ in range(3):
        assert write(pacer, fake, "DS-1", takes=0.1) == 0.0  # they end at 100.1, .2, .3
    assert write(pacer, fake, "DS-1") == pytest.approx(1.8)  # until the first leaves 2 s
    assert write(pacer, fake, "DS-2") == 0.0  # another issue has its own windows
    fake.now += 5.0
    assert write(pacer, fake, "DS-1") == 0.0  # the fifth write in 30 s
    assert write(pacer, fake, "DS-1") == pytest.approx(23.0)  # the sixth: 100.1 leaves 30 s


def test_a_write_counts_from_when_it_ended() -> None:
    fake = FakeTime()
    pacer = IssueWritePacer([(1, 2.0)], fake.clock, fake.sleep)
    write(pacer, fake, "DS-1", takes=1.5)  # a slow answer: sent at 100, back at 101.5
    assert write(pacer, fake, "DS-1") == pytest.approx(2.0)


def test_only_writes_to_an_issue_are_paced() -> None:
    assert written_issue("POST", "issue/ds-1/comment") == "DS-1"
    assert written_issue("PUT", "issue/DS-1") == "DS-1"
    assert written_issue("GET", "issue/DS-1/comment") is None
    assert written_issue("POST", "issue") is None  # creating one
    assert written_issue("PUT", "comment/10/properties/x") is None


def seed(sandbox: SandboxHandle) -> str:
    sandbox.add_user("Agent", AGENT_EMAIL)
    jira.create_project(sandbox.ctx, "OPS", "Operations", "lead@sandbox.example")
    issue = jira.create_issue(
        sandbox.ctx,
        {"project": {"key": "OPS"}, "summary": "Busy", "issuetype": {"name": "Task"}},
        "lead@sandbox.example",
    )
    return str(issue["key"])


def limited(sandbox: SandboxHandle) -> list[dict[str, object]]:
    return [e for e in sandbox.requests_log() if e["status"] == 429]


def test_the_agent_stays_within_the_per_issue_limit(sandbox: SandboxHandle) -> None:
    key = seed(sandbox)
    adapter = adapter_for(sandbox)  # never sleeps on a retry: a 429 would fail the test
    started = time.monotonic()
    for n in range(22):  # two more than Jira takes in two seconds
        adapter.add_comment(key, f"note {n}", rule="test", key=f"k{n}")
    assert time.monotonic() - started >= 1.5  # the last writes waited for the window
    assert limited(sandbox) == []
    assert len(jira.get_issue(sandbox.ctx, key)["comments"]) == 22


def test_a_429_from_people_writing_the_same_issue_is_waited_out(sandbox: SandboxHandle) -> None:
    key = seed(sandbox)
    sandbox.control("POST", "realism", {"jira_issue_writes_per_2s": 2})
    caller = ServiceCaller("jira", Redactor([TOKEN]), RetryBudget(30))
    adapter = build_jira_adapter(load_settings(sandbox_env(sandbox)), caller)
    for n in range(3):
        adapter.add_comment(key, f"note {n}", rule="test", key=f"k{n}")
    (refused,) = limited(sandbox)
    assert "/comment" in str(refused["path"])
    comments = jira.get_issue(sandbox.ctx, key)["comments"]
    assert len(comments) == 3  # the refused write was made once, after the wait
