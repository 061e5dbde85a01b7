"""Three actions that used to fail every cycle for facts the agent cannot change.

- unpinning a message that was never posted (nothing is pinned: done);
- a DM to someone without a Slack account (done with a warning, reported once
  as a ticket problem naming the person and the fix);
- setting a field through a Jira adapter that can (``set_field``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.destinations import parse_destination
from agent.core.state import EngineState, TicketState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import ticket

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ALICE = Recipient("assignee", account_id="acc-alice", email="alice@x.example", display_name="Alice")
VICTOR = Recipient("pmo", account_id="acc-victor", email="victor@x.example", display_name="Victor")


@dataclass
class RecordingSlack(FakeSlack):
    unpins: list[tuple[str, str]] = field(default_factory=list)

    def unpin(self, channel: str, ts: str) -> bool:
        self.unpins.append((channel, ts))
        return True


@dataclass
class FieldSettingJira(FakeJira):
    fields_set: list[tuple[str, str, Any]] = field(default_factory=list)

    def set_field(self, issue: str, name: str, value: Any) -> None:
        self.fields_set.append((issue, name, value))


class World:
    def __init__(self, store: SqlStateStore) -> None:
        self.store = store
        self.jira = FieldSettingJira(tickets={"PS-1": ticket("PS-1")})
        self.slack = RecordingSlack(users={"alice@x.example": "UALICE"}, channels={"lead": "CLEAD"})
        self.state = EngineState().with_ticket("PS-1", TicketState(first_seen=NOW))

    def run(self, actions: list[PlannedAction], now: datetime = NOW) -> CycleReport:
        env = ActionEnv(
            jira=self.jira,
            slack=self.slack,
            confluence=FakeConfluence(),
            renderer=FakeRenderer(),
            store=self.store,
            state=self.state,
            confluence_space="OPS",
        )
        report = CycleReport()
        self.state = Executor(self.store, "me").run(actions, env, now, report).state
        return report


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield World(store)
    store.close()


def act(key: str, kind: ActionKind, **extra: Any) -> PlannedAction:
    values: dict[str, Any] = {
        "key": key,
        "policy": "ps-customer-escalation",
        "rule": "escalation_alert",
        "issue": "PS-1",
        "kind": kind,
        "reason": f"because {key}",
        "due": NOW,
        "template": None,
        "context": {"issue": "PS-1", "url": "https://jira/browse/PS-1"},
    }
    values.update(extra)
    if isinstance(values.get("channel"), str):  # written as the spec its key ends with
        values["channel"] = parse_destination(values["channel"])
    return PlannedAction(**values)


def alert(channel: str = "#lead") -> PlannedAction:
    return act(
        f"escalation_alert:PS-1:alert#{channel}",
        ActionKind.SLACK_POST,
        template="slack/alert.j2",
        channel=channel,
    )


def unpin(channel: str = "#lead") -> PlannedAction:
    return act(
        f"escalation_alert:PS-1:unpin#{channel}",
        ActionKind.SLACK_UNPIN,
        channel=channel,
        context={"message_key": alert(channel).key},
    )


def dm(to: Recipient, rule: str = "eod_update_overdue") -> PlannedAction:
    return act(
        f"{rule}:PS-1:nudge#dm:{to.account_id}",
        ActionKind.SLACK_POST,
        rule=rule,
        template="slack/nudge.j2",
        channel=f"dm:{to.account_id}",
        audience=(to,),
    )


def test_unpinning_a_message_never_posted_is_done_without_a_call(world: World) -> None:
    report = world.run([unpin()])
    assert (report.total_done, report.total_failed) == (1, 0)
    assert report.ok and world.slack.unpins == []
    record = world.store.get_effect(unpin().key)
    assert record is not None and record.status is EffectStatus.DONE
    assert record.external_ref == {"message": alert().key, "unpinned": False}

    again = world.run([unpin()], NOW + timedelta(hours=1))
    assert (again.total_skipped, again.total_failed) == (1, 0)  # not retried every cycle


def test_unpinning_a_posted_message_still_unpins_it(world: World) -> None:
    world.run([alert()])
    report = world.run([unpin()], NOW + timedelta(hours=1))
    assert (report.total_done, report.total_failed) == (1, 0)
    assert world.slack.unpins == [("CLEAD", world.slack.posts[0]["ts"])]


def test_a_pin_of_a_message_not_posted_yet_still_waits(world: World) -> None:
    pin = act(
        "escalation_alert:PS-1:pin##lead",
        ActionKind.SLACK_PIN,
        channel="#lead",
        context={"message_key": alert().key},
    )
    report = world.run([pin])
    assert report.total_failed == 1
    assert "has not been posted yet" in report.failures[0].error


def test_a_dm_to_someone_without_slack_is_a_one_time_ticket_problem(world: World) -> None:
    report = world.run([dm(VICTOR), dm(ALICE)])

    assert (report.total_done, report.total_failed) == (2, 0)
    assert report.ok  # `run --once` exits 0: only a human can give Victor a Slack account
    assert [p["channel"] for p in world.slack.posts] == ["D-UALICE"]
    (problem,) = report.problems
    assert problem.startswith("PS-1 [eod_update_overdue]: victor@x.example has no Slack account")
    assert "so Victor was not sent this message" in problem
    assert "add them to Slack with the email Jira shows" in problem
    assert "will not be retried" in problem
    record = world.store.get_effect(dm(VICTOR).key)
    assert record is not None and record.status is EffectStatus.DONE
    assert record.external_ref is not None
    assert record.external_ref["skipped"] == ["victor@x.example"]

    again = world.run([dm(VICTOR)], NOW + timedelta(hours=1))
    assert (again.total_skipped, again.total_failed, again.problems) == (1, 0, [])


def test_set_field_uses_the_adapter_when_it_can(world: World) -> None:
    upgrade = act(
        "severity_upgrade:PS-1:upgrade:Escalation Sev=Sev1",
        ActionKind.JIRA_SET_FIELD,
        rule="severity_upgrade",
        context={"field": "Escalation Sev", "value": "Sev1"},
    )
    report = world.run([upgrade])
    assert (report.total_done, report.total_failed) == (1, 0)
    assert world.jira.fields_set == [("PS-1", "Escalation Sev", "Sev1")]
