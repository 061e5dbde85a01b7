"""``slack.open_thread``: a Jira-made ticket's incident thread is opened once, whatever happens.

The first message goes to the intake channel with the action key in its metadata,
then the ticket is labelled with it. Jira failing after the post (as a crash
between the two would) leaves the action to retry: the retry finds the message by
its key and only labels. A store that lost its memory finds it the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.adapters.service_errors import ServiceError
from agent.core.actions import ActionKind, PlannedAction
from agent.core.destinations import Channel
from agent.core.state import EngineState, TicketState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import ticket

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KEY = "slack_intake:SUP-1:thread##operator-support"


def opening() -> PlannedAction:
    return PlannedAction(
        key=KEY,
        policy="support-p1-p4",
        rule="slack_intake",
        issue="SUP-1",
        kind=ActionKind.SLACK_OPEN_THREAD,
        reason="SUP-1 was made in Jira; its incident thread is opened in #operator-support.",
        due=NOW,
        template="slack/incident_thread.j2",
        channel=Channel("#operator-support"),
        context={"issue": "SUP-1", "summary": "Bets are not settled"},
    )


class World:
    def __init__(self, store: SqlStateStore) -> None:
        self.store = store
        self.jira = FakeJira(tickets={"SUP-1": ticket("SUP-1")})
        self.slack = FakeSlack(channels={"operator-support": "C0OPS"})
        self.state = EngineState().with_ticket("SUP-1", TicketState(first_seen=NOW))

    def run(self, *, recovering: bool = False) -> CycleReport:
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
        executor = Executor(self.store, "me", recovering=recovering)
        self.state = executor.run([opening()], env, NOW, report).state
        return report


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield World(store)
    store.close()


def test_the_thread_is_one_top_level_message_and_the_ticket_carries_it(world: World) -> None:
    world.run()
    (post,) = world.slack.posts
    assert post["channel"] == "C0OPS" and post["thread_ts"] is None
    assert post["key"] == KEY  # the metadata that finds it again
    assert world.jira.labels_added == [("SUP-1", f"slack-thread-C0OPS-{post['ts']}")]
    record = world.store.get_effect(KEY)
    assert record is not None and record.status is EffectStatus.DONE


def test_a_failed_label_is_retried_without_a_second_message(world: World) -> None:
    world.jira.fail.add("add_labels", ServiceError("jira", "edit", "503 from Jira", 503))
    failed = world.run()
    assert failed.failed and world.jira.labels_added == []
    assert len(world.slack.posts) == 1
    world.run()
    (post,) = world.slack.posts
    assert world.jira.labels_added == [("SUP-1", f"slack-thread-C0OPS-{post['ts']}")]


def test_a_store_that_lost_its_memory_finds_the_message_again(world: World, tmp_path: Path) -> None:
    world.run()
    world.store.close()
    world.store = open_store(f"sqlite:///{tmp_path / 'other.db'}")  # nothing remembered
    world.run(recovering=True)
    (post,) = world.slack.posts
    assert world.jira.labels_added == [("SUP-1", f"slack-thread-C0OPS-{post['ts']}")] * 2
