"""Whole cycles over fake adapters, the real planner, the DS pack and the real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agent.adapters.service_errors import ServiceUnavailable
from agent.config import Settings, load_settings
from agent.core.actions import ActionKind
from agent.core.model import Person
from agent.policy import Policy, load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.cycle import load_state, read_and_plan, run_cycle
from agent.runtime.deps import Deps
from agent.runtime.read.reader import TicketReader, fields_to_fetch
from agent.runtime.report import CycleReport
from agent.store import MemoryStateStore, SqlStateStore, open_store
from agent.store.readonly import ReadOnlyStore
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import ALICE, CARL, IVAN, RITA, message, ticket, utc

START = utc(2026, 3, 2, 14, 0)  # Monday 09:00 in New York
FIELDS = {
    "Escalation Reason": "Payments stuck for a key client",
    "Initiator": IVAN,
    "Escalation Contact": RITA,
    "Crew Lead": CARL,
    "Impact Level": "High",
}


def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "JIRA_URL": "https://jira.example",
            "JIRA_EMAIL": "agent@x.example",
            "JIRA_API_TOKEN": "token-123456",
            "CONFLUENCE_URL": "https://jira.example/wiki",
            "CONFLUENCE_EMAIL": "agent@x.example",
            "CONFLUENCE_API_TOKEN": "token-123456",
            "CONFLUENCE_SPACE": "OPS",
            "SLACK_BOT_TOKEN": "xoxb-123456",
            "AGENT_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
        }
    )


@pytest.fixture
def ds_policy() -> list[Policy]:
    return [p for p in load_policies(bundled_rules_dir()) if p.name == "ds-ticket-escalation"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def ds_tickets(count: int = 4) -> FakeJira:
    owners = [ALICE] + [Person(f"acc-{i}", f"Eng {i}", f"eng{i}@x.example") for i in range(4)]
    jira = FakeJira()
    for i in range(count):
        key = f"DS-{100 + i}"
        jira.tickets[key] = ticket(
            key,
            created=START + timedelta(minutes=i),
            priority="Medium",
            fields=FIELDS,
            assignee=owners[i],
            labels=frozenset({"ESCALATION"}),
        )
    return jira


def make_deps(
    tmp_path: Path, store: SqlStateStore, policies: list[Policy], jira: FakeJira
) -> tuple[Deps, FakeSlack]:
    slack = FakeSlack(
        users={"alice@sandbox.example": "UALICE", "ivan@sandbox.example": "UIVAN"},
        channels={"sre-escalations": "CSRE"},
    )
    deps = Deps(
        settings=settings(tmp_path),
        policies=policies,
        store=store,
        jira=jira,
        slack=slack,
        confluence=FakeConfluence(),
        renderer=FakeRenderer(),
        owner="test",
    )
    return deps, slack


def test_a_ds_cycle_acts_and_a_second_cycle_at_the_same_time_does_nothing_new(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets()
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    now = START + timedelta(minutes=10)

    report = run_cycle(deps, now)

    assert report.ok, (report.failures, report.read_errors)
    assert report.tickets_read == 4
    assert report.total_done == report.total_planned > 0
    # the 4th escalation is held by the per-day limit: no clerical steps for it
    assert sorted(jira.priorities) == [(f"DS-{100 + i}", "Highest") for i in range(3)]
    created = [k for k in slack.channels if k.startswith("ds-")]
    assert len(created) == 3
    assert [k.split(":")[0] for k in jira.comment_keys("DS-103")] == ["limit_daily"]
    assert jira.labels_added == [("DS-103", "escalation-held")]
    state = load_state(store)
    ds100 = state.ticket("DS-100")
    # tickets' lanes run concurrently, so channels need not be created in ticket order
    (ds100_channel,) = [name for name in created if name.startswith("ds-100-")]
    assert ds100 is not None and ds100.channel_id == slack.channels[ds100_channel]

    writes = (len(slack.posts), len(slack.invites), sum(map(len, jira.comments.values())))
    again = run_cycle(deps, now)
    assert again.total_planned == 0 and again.total_done == 0
    assert (len(slack.posts), len(slack.invites), sum(map(len, jira.comments.values()))) == writes


def test_details_are_read_only_for_tickets_that_changed(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(2)
    deps, _slack = make_deps(tmp_path, store, ds_policy, jira)
    now = START + timedelta(minutes=10)
    first = run_cycle(deps, now)
    assert sorted(jira.detail_reads) == ["DS-100", "DS-101"] and first.details_read == 2

    jira.tickets["DS-101"] = replace(jira.tickets["DS-101"], updated=now)
    second = run_cycle(deps, now + timedelta(minutes=1))
    assert sorted(jira.detail_reads) == ["DS-100", "DS-101", "DS-101"]
    assert second.details_read == 1 and second.tickets_read == 2


def test_a_ticket_whose_details_fail_is_left_out_and_the_others_go_on(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(2)
    jira.detail_failures["DS-100"] = ServiceUnavailable("jira", "comments", "503", 503)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    report = run_cycle(deps, START + timedelta(minutes=10))
    assert not report.ok and len(report.read_errors) == 1 and "DS-100" in report.read_errors[0]
    assert report.service_errors["jira"] == 1
    assert {issue for issue, _ in jira.priorities} == {"DS-101"}
    assert load_state(store).ticket("DS-100") is None
    assert any(name.startswith("ds-101-") for name in slack.channels)


def test_channel_messages_are_read_for_policies_that_count_them(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(1)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    run_cycle(deps, START + timedelta(minutes=10))
    channel = load_state(store).ticket("DS-100")
    assert channel is not None and channel.channel_id is not None
    slack.messages[channel.channel_id] = [
        message(START + timedelta(minutes=12), ALICE.email or "", channel=channel.channel_id)
    ]
    report = CycleReport()
    planned = read_and_plan(deps, START + timedelta(minutes=20), report)
    assert slack.channel_reads == [channel.channel_id]
    assert report.ok and planned.actions == ()


def test_a_failed_channel_read_leaves_the_ticket_out(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(1)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    run_cycle(deps, START + timedelta(minutes=10))
    slack.fail.add("channel_messages", ServiceUnavailable("slack", "history", "down", 503))
    report = CycleReport()
    read_and_plan(deps, START + timedelta(hours=30), report)
    assert report.service_errors["slack"] == 1 and report.total_planned == 0


def test_messages_are_told_which_named_user_groups_their_authors_are_in(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    """The DS pack names @dev-support: its member's message says so, for roles to match."""
    jira = ds_tickets(1)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    run_cycle(deps, START + timedelta(minutes=10))
    channel = load_state(store).ticket("DS-100")
    assert channel is not None and channel.channel_id is not None
    slack.groups["dev-support"] = ("S1", ("U1", "U9"))
    slack.messages[channel.channel_id] = [
        message(START + timedelta(minutes=12), "dev@x.example", channel=channel.channel_id),
        replace(
            message(START + timedelta(minutes=13), "eve@x.example", channel=channel.channel_id),
            user_slack_id="UEVE",
        ),
    ]
    reader = TicketReader(jira, slack, store, save_snapshots=False)
    read = reader.read(ds_policy, load_state(store), CycleReport(), START + timedelta(minutes=20))
    member, other = read.messages["DS-100"]
    assert member.author_groups == {"dev-support"} and other.author_groups == frozenset()


def test_an_unreadable_user_group_leaves_its_policys_tickets_out(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    """Without the members, a member's update would look missing: no nudge on that."""
    jira = ds_tickets(1)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    run_cycle(deps, START + timedelta(minutes=10))
    channel = load_state(store).ticket("DS-100")
    assert channel is not None and channel.channel_id is not None
    slack.messages[channel.channel_id] = [
        message(START + timedelta(minutes=12), "dev@x.example", channel=channel.channel_id)
    ]
    slack.fail.add("usergroup_members", ServiceUnavailable("slack", "members", "down", 503))
    report = CycleReport()
    read_and_plan(deps, START + timedelta(hours=30), report)
    assert report.service_errors["slack"] == 1 and report.total_planned == 0
    assert any("@dev-support" in error for error in report.read_errors)


def test_planning_read_only_writes_nothing(
    tmp_path: Path, store: SqlStateStore, ds_policy: list[Policy]
) -> None:
    jira = ds_tickets(2)
    deps, slack = make_deps(tmp_path, store, ds_policy, jira)
    deps.store = ReadOnlyStore(MemoryStateStore())  # every write raises
    deps.read_only = True
    report = CycleReport()
    planned = read_and_plan(deps, START + timedelta(minutes=10), report)
    kinds = {a.kind for a in planned.actions}
    assert ActionKind.SLACK_CREATE_CHANNEL in kinds and ActionKind.JIRA_SET_PRIORITY in kinds
    assert slack.posts == [] and jira.comments == {} and jira.priorities == []
    with pytest.raises(Exception, match="writable store"):
        run_cycle(deps, START)


def test_the_description_is_fetched_only_for_policies_that_read_it() -> None:
    packs = {p.name: p for p in load_policies(bundled_rules_dir())}
    assert "description" in fields_to_fetch(packs["support-p1-p4"])
    assert "Product Impacted" in fields_to_fetch(packs["support-p1-p4"])
    ds = fields_to_fetch(packs["ds-ticket-escalation"])
    assert "description" not in ds and "Escalation Reason" in ds and "Impact Level" in ds
