"""Slack errors only a person can fix, met by the handlers against the sandbox, say the fix;
and a rendered message longer than Slack allows is cut with a link to the ticket."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from agent.adapters.slack_blocks import MAX_MESSAGE_TEXT
from agent.core.actions import ActionKind, PlannedAction
from agent.core.destinations import parse_destination
from agent.core.state import EngineState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.sandbox.slack import workspace as slack_model
from agent.store import SqlStateStore, open_store
from tests.adapters.test_slack_support import adapter_for, person, stored_messages
from tests.runtime.fakes import FakeJira
from tests.support.sandbox import SandboxHandle
from tests.unit.factories import utc

NOW = utc(2026, 11, 23, 10, 0)
URL = "https://jira.example/browse/T-1"


class LongRenderer:
    """Renders a message far over Slack's 40,000 characters (a huge pasted log, say)."""

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return "log line that goes on\n" * 3000


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def run(
    sandbox: SandboxHandle, store: SqlStateStore, channel: str, known: str | None = None
) -> CycleReport:
    """Post one message to ``channel``; ``known``: the id of T-1's escalation channel."""
    action = PlannedAction(
        key=f"nudge:T-1:late#{channel}",
        policy="p",
        rule="nudge",
        issue="T-1",
        kind=ActionKind.SLACK_POST,
        reason="late",
        due=NOW,
        template="slack/nudge.j2",
        channel=parse_destination(channel),
        context={"url": URL, "summary": "Down"},
    )
    env = ActionEnv(
        jira=FakeJira(),
        slack=adapter_for(sandbox)[0],
        confluence=None,
        renderer=LongRenderer(),
        store=store,
        state=EngineState(),
        confluence_space="OPS",
        learned_channels={"T-1": known} if known else {},
    )
    report = CycleReport()
    Executor(store, "me").run([action], env, NOW, report)
    return report


def test_an_unknown_channel_names_the_policy_and_the_invite(
    sandbox: SandboxHandle, store: SqlStateStore
) -> None:
    report = run(sandbox, store, "#no-such-channel")
    [failure] = report.failures
    assert "no channel #no-such-channel that the bot can see" in failure.error
    assert "check the name in the policy, or invite the bot" in failure.error


def test_an_archived_channel_says_to_unarchive_or_change_the_procedure(
    sandbox: SandboxHandle, store: SqlStateStore
) -> None:
    channel = slack_model.create_channel(sandbox.ctx, "ops")
    slack_model.set_archived(sandbox.ctx, channel, True, slack_model.bot_slack_id(sandbox.ctx))
    report = run(sandbox, store, "#ops")
    [failure] = report.failures
    assert failure.error.startswith("ChannelArchived: ")
    assert "unarchive it or point the procedure at another channel" in failure.error


def test_a_private_channel_without_the_bot_says_to_invite_it(
    sandbox: SandboxHandle, store: SqlStateStore
) -> None:
    owner = person(sandbox, "Owner", "owner@sandbox.example")
    channel = slack_model.create_channel(sandbox.ctx, "secret", owner, is_private=True)
    # e.g. the ticket's private escalation channel, which someone removed the bot from:
    # Slack answers channel_not_found for a private channel the bot is not in
    report = run(sandbox, store, "escalation:T-1", known=channel["id"])
    [failure] = report.failures
    assert failure.error.startswith("ChannelNotFound: ")
    assert "private and the bot is not in it" in failure.error
    assert "invite the bot" in failure.error


def test_an_overlong_message_is_cut_with_a_link_to_the_ticket(
    sandbox: SandboxHandle, store: SqlStateStore
) -> None:
    slack_model.create_channel(sandbox.ctx, "ops")
    report = run(sandbox, store, "#ops")
    assert report.total_done == 1, report.failures
    ops = slack_model.find_channel(sandbox.ctx, "ops")
    assert ops is not None
    [posted] = [m for m in stored_messages(sandbox, ops["id"]) if m.get("metadata")]
    assert len(posted["text"]) <= MAX_MESSAGE_TEXT
    assert posted["text"].endswith(f"… <{URL}|read the full text>")
