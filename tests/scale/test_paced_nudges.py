"""Many nudges at once under Slack's per-channel limit and injected 429s (issues #6 and #8).

The executor runs the nudges of several tickets in concurrent lanes through the
real Slack adapter and client against the sandbox, whose per-channel limiter is
set to its strictest (one post a second, no burst) and which also answers a
share of ``chat.postMessage`` calls with injected 429s (``Retry-After: 1``).
Every nudge must be posted exactly once, and the messages stored in each
channel (time-stamped by the sandbox's running clock) are never closer than a
second apart. The test takes a few real seconds (the spacing is real); it never
sleeps itself.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.adapters.calls import ServiceCaller
from agent.adapters.pacing import SLACK_POST_SPACING_SECONDS
from agent.adapters.retry import RetryBudget
from agent.adapters.slack_adapter import SlackAdapter, build_slack_adapter
from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.destinations import parse_destination
from agent.core.state import EngineState, TicketState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.secrets import Redactor
from agent.store import SqlStateStore, open_store
from tests.adapters.test_slack_support import person, settings_for, slack_calls, stored_messages
from tests.runtime.fakes import FakeJira, FakeRenderer
from tests.support.sandbox import TOKEN, SandboxHandle

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
TICKETS = [f"DS-{n}" for n in range(1, 7)]
DANA = Recipient("assignee", account_id="acc-dana", email="dana@x.example", display_name="Dana")
LIMIT_SECONDS = 1.0  # the sandbox's limit below: one post a second per channel
TS_SLACK = 0.005  # message timestamps are taken inside the handler, not at arrival


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def nudge(issue: str, channel: str, n: int) -> PlannedAction:
    return PlannedAction(
        key=f"update_overdue:{issue}:{n}",
        policy="ds-ticket-escalation",
        rule="update_overdue",
        issue=issue,
        kind=ActionKind.SLACK_POST,
        reason=f"{issue} has no update",
        due=NOW,
        template="slack/nudge.j2",
        audience=(DANA,),
        channel=parse_destination(channel),
        context={"issue": issue, "url": f"https://jira.example/browse/{issue}"},
    )


def the_plan() -> list[PlannedAction]:
    """Every ticket nudges the shared #ops channel, then #ops-b or Dana by DM."""
    plan = []
    for number, issue in enumerate(TICKETS):
        plan.append(nudge(issue, "#ops", 0))
        plan.append(nudge(issue, "#ops-b" if number % 2 else "dm:dana@x.example", 1))
    return plan


def adapter_and_caller(sandbox: SandboxHandle) -> tuple[SlackAdapter, ServiceCaller]:
    """As the agent builds them against real Slack's minute; the call point may really wait
    (within its budget)."""
    caller = ServiceCaller("slack", Redactor([TOKEN]), RetryBudget(60))
    return build_slack_adapter(settings_for(sandbox, time_scale=1), caller), caller


def posts_by_channel(sandbox: SandboxHandle, channels: dict[str, str]) -> dict[str, list[Any]]:
    return {
        name: [m for m in stored_messages(sandbox, channel_id) if "metadata" in m]
        for name, channel_id in channels.items()
    }


def test_concurrent_nudges_are_posted_once_each_and_never_faster_than_the_limit(
    sandbox: SandboxHandle, store: SqlStateStore
) -> None:
    sandbox.set_clock(NOW, frozen=False)  # message ts follow real time
    sandbox.realism(slack_time_scale=1)  # the posting limit in real seconds
    dana = person(sandbox, "Dana", "dana@x.example")
    adapter, caller = adapter_and_caller(sandbox)
    channels = {
        name: adapter.ensure_channel(name, issue_key="OPS", topic=name, purpose=name).id
        for name in ("ops", "ops-b")
    }
    channels["dana"] = adapter.dm_channel(dana)
    sandbox.control("POST", "slack/ratelimit", {"per_second": 1.0, "burst": 1})
    sandbox.control(
        "POST",
        "faults",
        {"rate": 0.3, "statuses": [429], "retry_after": 1, "path": "chat.postMessage", "seed": 3},
    )
    sandbox.clear_requests()
    state = EngineState()
    for issue in TICKETS:
        state = state.with_ticket(issue, TicketState(first_seen=NOW))
    env = ActionEnv(
        jira=FakeJira(tickets={}),
        slack=adapter,
        confluence=None,
        renderer=FakeRenderer(),
        store=store,
        state=state,
        confluence_space="OPS",
    )
    report = CycleReport()
    plan = the_plan()

    execution = Executor(store, "me", concurrency=4).run(plan, env, NOW, report)

    assert report.total_failed == 0, report.failures
    assert execution.done_keys == {a.key for a in plan}
    posted = posts_by_channel(sandbox, channels)
    keys = Counter(
        m["metadata"]["event_payload"]["key"] for messages in posted.values() for m in messages
    )
    assert keys == Counter(a.key for a in plan)  # every nudge exactly once
    assert {name: len(messages) for name, messages in posted.items()} == {
        "ops": 6,
        "ops-b": 3,
        "dana": 3,
    }
    for name, messages in posted.items():
        times = sorted(float(m["ts"]) for m in messages)
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert min(gaps) >= LIMIT_SECONDS - TS_SLACK, (name, gaps)
    log = slack_calls(sandbox, "chat.postMessage")
    statuses = Counter(entry["status"] for entry in log)
    assert statuses[200] == len(plan)
    assert statuses[429] >= 1, "the injected 429s should have been met and waited out"
    # the channels' posts overlapped in time: the lanes ran concurrently
    first_b = min(float(m["ts"]) for m in posted["ops-b"])
    last_ops = max(float(m["ts"]) for m in posted["ops"])
    assert first_b < last_ops
    assert SLACK_POST_SPACING_SECONDS >= LIMIT_SECONDS
    assert caller.stats.snapshot()["errors"] == 0
