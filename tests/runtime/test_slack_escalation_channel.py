"""The escalation channel end to end: planned by clerical_channel, carried out by the executor
against the sandbox over HTTP (real slack-sdk and jira clients, real templates).

One plan makes the channel, posts and pins the ticket in it, invites people (a user
group as its members), tells the channel once about someone without Slack, comments
on the ticket and links the channel from it. Run again with a store that lost its
memory (every handler reconciles), nothing is posted, pinned or linked twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent.core.actions import ActionKind, Plan
from agent.core.model import Person
from agent.core.planner import plan
from agent.core.state import EngineState
from agent.render.environment import Renderer
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.sandbox.jira import seeding as jira_model
from agent.sandbox.slack import create_usergroup
from agent.sandbox.slack import workspace as slack_model
from agent.store import SqlStateStore, open_store
from tests.adapters.test_jira_adapter_sandbox import adapter_for as jira_adapter_for
from tests.adapters.test_slack_support import adapter_for, person, stored_messages
from tests.support.sandbox import SandboxHandle
from tests.unit.factories import policy, ticket, utc

NOW = utc(2026, 11, 23, 10, 0)
RITA = Person("acc-rita", "Rita Reporter", "rita@sandbox.example")
ALICE = Person("acc-alice", "Alice <!channel> Assignee", "alice@sandbox.example")
IVAN = Person("acc-ivan", "Ivan Initiator", "ivan@sandbox.example")  # no Slack account

HEADER = """
name: test
description: test policy
select: {projects: [TT]}
timezone: UTC
business_hours: {start: "09:00", end: "17:00"}
"""
POLICY = """
roles: {initiator: 'field:Initiator'}
channels: {escalation: 'tt-{number}-{summary}'}
rules:
  - rule: clerical_channel
    invite: [reporter, assignee, initiator]
    always_include: ['group:@oncall', 'group:@no-such-group']
"""


@dataclass
class Site:
    sandbox: SandboxHandle
    tmp: Path
    ids: dict[str, str]

    def store(self, name: str = "state") -> SqlStateStore:
        return open_store(f"sqlite:///{self.tmp / name}.db")

    def run(self, actions: Any, store: SqlStateStore, *, recovering: bool = False) -> CycleReport:
        env = ActionEnv(
            jira=jira_adapter_for(self.sandbox),
            slack=adapter_for(self.sandbox)[0],
            confluence=None,
            renderer=Renderer(),
            store=store,
            state=EngineState(),
            confluence_space="OPS",
        )
        report = CycleReport()
        Executor(store, "me", recovering=recovering).run(actions, env, NOW, report)
        report.problems.extend(env.problems)
        return report


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[Site]:
    sandbox.set_clock(NOW)
    ids = {
        "rita": person(sandbox, "Rita Reporter", RITA.email or ""),
        "alice": person(sandbox, "Alice Assignee", ALICE.email or ""),
        "bob": person(sandbox, "Bob Oncall", "bob@sandbox.example"),
        "pam": person(sandbox, "Pam Oncall", "pam@sandbox.example"),
    }
    sandbox.add_user("Ivan Initiator", IVAN.email or "", slack=False)
    create_usergroup(sandbox.ctx, "@oncall", "On call", [ids["bob"], ids["pam"]])
    jira_model.create_project(sandbox.ctx, "TT", "Test", RITA.email or "")
    jira_model.create_issue(
        sandbox.ctx,
        {"project": {"key": "TT"}, "summary": "Checkout is down", "issuetype": {"name": "Task"}},
        RITA.email or "",
    )
    yield Site(sandbox, tmp_path, ids)


def planned(text: str = POLICY) -> Plan:
    t = ticket(
        "TT-1",
        created=NOW,
        reporter=RITA,
        assignee=ALICE,
        fields={"Initiator": IVAN},
        url="https://jira.example/browse/TT-1",
    )
    return plan([t], EngineState(), NOW, [policy(text, HEADER)])


def agent_messages(site: Site, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in stored_messages(site.sandbox, channel_id) if m.get("metadata")]


def test_channel_intro_pin_invites_note_comment_and_link_exactly_once(site: Site) -> None:
    actions = planned().actions
    store = site.store()
    report = site.run(actions, store)
    assert report.total_failed == 0, report.failures

    channel = slack_model.find_channel(site.sandbox.ctx, "tt-1-checkout-is-down")
    assert channel is not None
    # the user group's members are invited, the person without Slack is not
    assert set(site.ids.values()) <= set(channel["members"])
    messages = agent_messages(site, channel["id"])
    keys = sorted(m["metadata"]["event_payload"]["key"] for m in messages)
    assert keys[0] == "clerical_channel:TT-1:channel:intro"
    assert keys[1].startswith("clerical_channel:TT-1:invite:no-slack:")
    assert len(keys) == 2
    intro = next(m for m in messages if m["metadata"]["event_payload"]["key"].endswith("intro"))
    assert [pin["ts"] for pin in channel["pins"]] == [intro["ts"]]
    assert "<https://jira.example/browse/TT-1|TT-1>" in intro["text"]
    assert "Alice &lt;!channel&gt; Assignee" in intro["text"]  # a name never pings anyone
    note = next(m for m in messages if m is not intro)
    assert (
        "Ivan Initiator (initiator) has no Slack account under ivan@sandbox.example; "
        "add them to AGENT_USER_MAP or invite them by hand"
    ) in note["text"]
    # reported once in the cycle's problems too, with the missing group's fix
    assert sum("Ivan Initiator" in p for p in report.problems) == 1
    assert any("@no-such-group does not exist" in p and "policy" in p for p in report.problems)

    links = jira_model.get_issue(site.sandbox.ctx, "TT-1")["remotelinks"]
    assert [link["object"]["title"] for link in links] == ["Slack #tt-1-checkout-is-down"]
    assert links[0]["object"]["url"] == f"{site.sandbox.base}/archives/{channel['id']}"

    # the state is lost: every handler looks for its marker first, nothing doubles
    again = site.run(actions, site.store("fresh"), recovering=True)
    assert again.total_failed == 0, again.failures
    channel = slack_model.find_channel(site.sandbox.ctx, "tt-1-checkout-is-down")
    assert channel is not None
    assert len(agent_messages(site, channel["id"])) == 2
    assert len(channel["pins"]) == 1
    assert len(jira_model.get_issue(site.sandbox.ctx, "TT-1")["remotelinks"]) == 1
    assert not any("Ivan Initiator" in p for p in again.problems)  # said once, not again


@pytest.mark.parametrize("mode", ["unarchive", "replace"])
def test_an_archived_channel_is_passed_over_for_a_successor(site: Site, mode: str) -> None:
    """A bot token cannot unarchive (``unarchive`` asks, Slack refuses), nor rejoin."""
    text = POLICY + f"    archived: {mode}\n"
    actions = [a for a in planned(text).actions if a.kind is ActionKind.SLACK_CREATE_CHANNEL]
    assert actions[0].context["on_archived"] == mode
    site.run(actions, site.store("first"))
    old = slack_model.find_channel(site.sandbox.ctx, "tt-1-checkout-is-down")
    assert old is not None
    slack_model.set_archived(site.sandbox.ctx, old, True, site.ids["rita"])

    report = site.run(actions, site.store("second"))  # a later cycle, channel not known

    assert report.total_failed == 0, report.failures
    old = slack_model.find_channel(site.sandbox.ctx, "tt-1-checkout-is-down")
    assert old is not None and old["is_archived"] is True  # left as it is
    fresh = slack_model.find_channel(site.sandbox.ctx, "tt-1-checkout-is-down-2")
    assert fresh is not None and fresh["is_archived"] is False
    assert "TT-1" in fresh["topic"]["value"]
    notes = [m["text"] for m in agent_messages(site, fresh["id"])]
    assert len(notes) == 1 and f"<#{old['id']}>" in notes[0]  # says what it replaces
