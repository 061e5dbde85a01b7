"""User groups as audience and as notify target, and DMs after a crash, against the sandbox.

A group in a message is mentioned as ``<!subteam^ID>`` (the id from
``usergroups.list``, never a name); a group to notify gets a DM per member,
without a second DM for someone the same notification already DMs; and a DM
(to a person or a group's member) whose claim died with its process is found in
the DM conversation by its metadata key instead of being sent again.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.core.destinations import GroupMembers
from agent.core.model import Person
from agent.core.planner import plan
from agent.core.state import EngineState
from agent.render.environment import Renderer
from agent.runtime.act.executor import Executor
from agent.runtime.act.handlers_slack import post
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.sandbox.slack import create_usergroup
from agent.sandbox.slack import workspace as slack_model
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.adapters.test_slack_support import adapter_for, person, stored_messages
from tests.reliability.test_executor_recovery import a_dead_pid
from tests.runtime.fakes import FakeJira
from tests.support.sandbox import SandboxHandle
from tests.unit.factories import policy, spec_of, ticket, utc

CREATED = utc(2026, 11, 23, 10, 0)
NOW = CREATED + timedelta(minutes=20)
ALICE = Person("acc-alice", "Alice Assignee", "alice@sandbox.example")
POLICY = """
roles: {oncall: 'group:@oncall'}
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee, oncall]
    notify: [dm, '#ops', 'group:@leads']
"""


@dataclass
class Site:
    sandbox: SandboxHandle
    ids: dict[str, str]
    store: SqlStateStore
    groups: dict[str, str]

    def env(self) -> ActionEnv:
        return ActionEnv(
            jira=FakeJira(),
            slack=adapter_for(self.sandbox)[0],
            confluence=None,
            renderer=Renderer(),
            store=self.store,
            state=EngineState(),
            confluence_space="OPS",
        )

    def run(self, actions: list[PlannedAction]) -> CycleReport:
        report = CycleReport()
        Executor(self.store, f"{socket.gethostname()}:{os.getpid()}").run(
            actions, self.env(), NOW, report
        )
        return report

    def dms(self, who: str) -> list[dict[str, Any]]:
        """The bot's messages in its DM with ``who``."""
        ims = [
            c
            for c in slack_model.all_channels(self.sandbox.ctx)
            if c.get("is_im") and self.ids[who] in c.get("members", [])
        ]
        return [m for c in ims for m in stored_messages(self.sandbox, c["id"]) if m.get("metadata")]


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Site]:
    sandbox.set_clock(NOW)
    ids = {
        name: person(sandbox, name.title(), f"{name}@sandbox.example")
        for name in ("alice", "bob", "pam", "lea")
    }
    oncall = create_usergroup(sandbox.ctx, "@oncall", "On call", [ids["alice"], ids["bob"]])
    leads = create_usergroup(sandbox.ctx, "@leads", "Leads", [ids["bob"], ids["lea"]])
    slack_model.create_channel(sandbox.ctx, "ops")
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield Site(sandbox, ids, store, {"oncall": oncall["id"], "leads": leads["id"]})
    store.close()


def planned() -> list[PlannedAction]:
    t = ticket("T-1", created=CREATED, assignee=ALICE, url="https://jira.example/browse/T-1")
    return list(plan([t], EngineState(), NOW, [policy(POLICY)]).actions)


def test_groups_are_mentioned_by_id_and_messaged_once_per_member(site: Site) -> None:
    actions = planned()
    assert [spec_of(a) for a in actions] == [
        "dm:acc-alice",
        "group:oncall",
        "#ops",
        "group:leads",
    ]

    report = site.run(actions)

    assert report.total_failed == 0, report.failures
    ops = slack_model.find_channel(site.sandbox.ctx, "ops")
    assert ops is not None
    [posted] = [m for m in stored_messages(site.sandbox, ops["id"]) if m.get("metadata")]
    assert posted["text"].startswith(
        f"<@{site.ids['alice']}>, <!subteam^{site.groups['oncall']}>: "
    )
    assert "@oncall" not in posted["text"]
    # Alice: her own DM only (she is in @oncall too); Bob: one DM, though in both groups
    assert [len(site.dms(who)) for who in ("alice", "bob", "lea", "pam")] == [1, 1, 1, 0]
    leads = next(a for a in actions if spec_of(a) == "group:leads")
    assert [m["metadata"]["event_payload"]["key"] for m in site.dms("lea")] == [
        f"{leads.key}:{site.ids['lea']}"
    ]


def test_a_dm_whose_claim_died_with_its_process_is_not_sent_again(site: Site) -> None:
    actions = [a for a in planned() if spec_of(a) in ("dm:acc-alice", "group:leads")]
    env = site.env()
    for action in actions:  # the dead process got as far as sending, not as marking done
        site.store.begin_effect(
            action.key,
            policy=action.policy,
            rule=action.rule,
            issue=action.issue or "",
            kind=action.kind.value,
            owner=f"{socket.gethostname()}:{a_dead_pid()}",
            now=NOW - timedelta(seconds=10),
            claim_for=timedelta(minutes=5),
        )
        post(action, env, False)
    sent = {who: len(site.dms(who)) for who in ("alice", "bob", "lea")}
    # Bob is left out of @leads' DMs: he is in @oncall, which this notification reaches too
    assert sent == {"alice": 1, "bob": 0, "lea": 1}

    report = site.run(actions)

    assert report.total_done == 2, report.failures
    assert {who: len(site.dms(who)) for who in ("alice", "bob", "lea")} == sent
    for action in actions:
        record = site.store.get_effect(action.key)
        assert record is not None and record.status is EffectStatus.DONE
    assert all(a.kind is ActionKind.SLACK_POST for a in actions)


def test_a_group_that_does_not_exist_is_reported_once_with_the_fix(site: Site) -> None:
    [action] = [a for a in planned() if spec_of(a) == "group:leads"]
    missing = PlannedAction(**{**action.__dict__, "channel": GroupMembers("nobody"), "key": "k#g"})
    env = site.env()
    report = CycleReport()
    Executor(site.store, "me").run([missing], env, NOW, report)
    Executor(site.store, "me").run([missing], env, NOW, report)
    assert report.total_done == 1 and report.total_failed == 0
    problems = [*report.problems, *env.problems]  # the executor may move them to the report
    assert len(problems) == 1
    assert "@nobody does not exist" in problems[0]
    assert "fix the handle in the policy" in problems[0]
