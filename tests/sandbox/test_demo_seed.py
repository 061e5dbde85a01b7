"""The ``demo`` seed as the real clients see it: projects, fields, tickets with
histories, people in Slack, channels and groups the packs name, Confluence spaces.

The ``sandbox_demo`` fixture lives here (tests/conftest.py was being edited by
another helper); its traffic is not spec-checked.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError

from agent.policy import load_policies
from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.jira_setup import FIELDS
from agent.sandbox.jira.customfields import TYPE_PREFIX
from agent.sandbox.seed import apply_seed
from agent.sandbox.server import SandboxServer
from tests.support.sandbox import TOKEN, SandboxHandle

RULES = Path(__file__).resolve().parents[2] / "rules"
PROJECT_KEYS = ("INC", "PS", "SUP", "DS", "CLI")
ALL_JQL = "project in (INC, PS, SUP, DS, CLI) ORDER BY created ASC"


@pytest.fixture
def sandbox_demo() -> Iterator[SandboxHandle]:
    """A sandbox started with ``--seed demo`` (Jira Cloud mode)."""
    server = SandboxServer(port=0, token=TOKEN, seed="demo")
    handle = SandboxHandle(server)
    server.start()
    yield handle
    server.stop()


@pytest.fixture
def demo_issues(sandbox_demo: SandboxHandle) -> list[object]:
    jira = sandbox_demo.jira()
    return list(jira.search_issues(ALL_JQL, maxResults=200, expand="changelog"))


def test_one_project_per_procedure(sandbox_demo: SandboxHandle) -> None:
    projects = {p.key: p.name for p in sandbox_demo.jira().projects()}
    assert set(PROJECT_KEYS) <= set(projects)
    assert projects["INC"] == "Incidents"


def test_every_field_the_packs_read_exists_with_its_type(sandbox_demo: SandboxHandle) -> None:
    fields = {f["name"]: f for f in sandbox_demo.jira().fields() if f["custom"]}
    needed = {name for policy in load_policies(RULES) for name in policy.required_fields()}
    assert needed, "the packs name custom fields"
    assert needed <= set(fields), f"missing: {sorted(needed - set(fields))}"
    for name, (suffix, _options) in FIELDS.items():
        assert fields[name]["schema"]["custom"] == TYPE_PREFIX + suffix, name


def test_tickets_cover_priorities_states_and_histories(demo_issues: list[object]) -> None:
    assert 20 <= len(demo_issues) <= 40
    priorities = Counter(i.fields.priority.name for i in demo_issues)  # type: ignore[attr-defined]
    statuses = Counter(i.fields.status.name for i in demo_issues)  # type: ignore[attr-defined]
    assert {"Highest", "High", "Medium", "Low"} <= set(priorities)
    assert {"To Do", "In Progress", "Done"} <= set(statuses)
    by_key = {i.key: i for i in demo_issues}  # type: ignore[attr-defined]
    assert {key.split("-")[0] for key in by_key} == set(PROJECT_KEYS)
    resolved = by_key["INC-2"]
    assert resolved.fields.resolution.name == "Done"
    assert len(resolved.fields.comment.comments) >= 3
    histories = sorted(resolved.changelog.histories, key=lambda h: h.created)
    moved = [item.toString for h in histories for item in h.items if item.field == "status"]
    assert moved == ["In Progress", "Done"]


def test_ps_sev1_has_milestone_subtasks(sandbox_demo: SandboxHandle) -> None:
    parent = sandbox_demo.jira().issue("PS-3")
    subtasks = [s.key for s in parent.fields.subtasks]
    assert subtasks == ["PS-4", "PS-5", "PS-6"]
    assert "sev1" in parent.fields.labels


def test_ds_has_more_escalations_than_its_limits(sandbox_demo: SandboxHandle) -> None:
    jira = sandbox_demo.jira()
    reason = next(f["id"] for f in jira.fields() if f["name"] == "Escalation Reason")
    escalations = jira.search_issues(
        'project = DS AND statusCategory != Done AND (labels = ESCALATION OR "Escalation Reason" '
        "is not EMPTY)",
        maxResults=100,
        fields=f"assignee,labels,{reason}",
    )
    assert len(escalations) > 5  # more than the 5 active escalations allowed
    assignees = Counter(i.fields.assignee.emailAddress for i in escalations if i.fields.assignee)
    assert max(assignees.values()) > 1  # someone holds more than one escalation
    missing_contact = jira.search_issues('project = DS AND "Escalation Contact" is EMPTY')
    assert any(i.key == "DS-9" for i in missing_contact)


def test_agent_and_named_people_exist(sandbox_demo: SandboxHandle) -> None:
    me = sandbox_demo.jira().myself()
    assert me["displayName"] == "Escalation Agent"
    slack = sandbox_demo.slack()
    for handle in ("oleh", "alex", "sophia", "pmo", "support-lead", "ds-always-1", "ds-always-2"):
        user = slack.users_lookupByEmail(email=f"{handle}@sandbox.example")["user"]
        assert user["profile"]["email"] == f"{handle}@sandbox.example"


@pytest.mark.parametrize("handle", ["victor", "wendy"])
def test_people_without_slack_or_deactivated_are_not_found(
    sandbox_demo: SandboxHandle, handle: str
) -> None:
    with pytest.raises(SlackApiError) as caught:
        sandbox_demo.slack().users_lookupByEmail(email=f"{handle}@sandbox.example")
    assert caught.value.response["error"] == "users_not_found"


def test_channels_and_user_groups_the_packs_name(sandbox_demo: SandboxHandle) -> None:
    slack = sandbox_demo.slack()
    names = {c["name"] for c in slack.conversations_list(exclude_archived=False)["channels"]}
    assert {"inc-project", "ps-project-leadership", "sre-escalations", "cli-status"} <= names
    assert "ds-3-autopay-not-triggering-for-utility-payers" in names
    groups = {g["handle"] for g in slack.usergroups_list()["usergroups"]}
    assert {"ps-leadership", "gamnify-support", "dev-support"} <= groups


def test_confluence_spaces_and_parents(sandbox_demo: SandboxHandle) -> None:
    confluence = sandbox_demo.confluence()
    assert confluence.get_space("OPS")["name"] == "Operations"
    for key in ("INC", "PS", "SUP", "CLI"):
        assert confluence.get_space(key)["key"] == key
    assert len(confluence.get_page_by_title("OPS", "Incident logs")["results"]) == 1
    (log,) = confluence.get_page_by_title(
        "INC", "INC Incident Log", expand="body.storage,version,ancestors"
    )["results"]
    assert [a["title"] for a in log["ancestors"]] == ["Incidents Home", "Incident logs"]
    assert '<ac:parameter ac:name="key">INC-2</ac:parameter>' in log["body"]["storage"]["value"]
    assert log["version"]["number"] == 2


def _seeded_at(moment: datetime) -> SandboxContext:
    ctx = SandboxContext.open(None, TOKEN)
    ctx.clock.set(moment, frozen=True)
    apply_seed(ctx, "demo")
    return ctx


def _issue(ctx: SandboxContext, key: str) -> dict[str, object]:
    pointer = ctx.store.get("jira.issuekey", key)
    assert pointer is not None
    doc = ctx.store.get("jira.issue", pointer["id"])
    assert doc is not None
    return doc


def test_times_follow_the_clock_and_the_clock_is_restored() -> None:
    moment = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    ctx = _seeded_at(moment)
    assert ctx.clock.state() == {"now": moment.isoformat(), "frozen": True}
    fields = _issue(ctx, "INC-6")["fields"]
    assert fields["created"] == "2026-03-04T09:48:00.000+0000"  # 12 minutes before
    oldest = min(doc["fields"]["created"] for doc in ctx.store.all("jira.issue"))
    assert oldest == (moment - timedelta(days=20)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def test_seed_is_deterministic_and_fast() -> None:
    moment = datetime(2026, 5, 6, 15, 30, tzinfo=UTC)
    started = time.perf_counter()
    first = _seeded_at(moment)
    elapsed = time.perf_counter() - started
    second = _seeded_at(moment)
    assert elapsed < 2.0
    for kind in ("jira.issue", "slack.channel", "confluence.page", "user"):
        a = [{k: v for k, v in d.items() if k != "_rev"} for d in first.store.all(kind)]
        b = [{k: v for k, v in d.items() if k != "_rev"} for d in second.store.all(kind)]
        assert a == b, kind


def test_demo_data_read_by_the_clients_is_spec_shaped(sandbox: SandboxHandle) -> None:
    """Through the spec-checked ``sandbox`` fixture: reset to the demo, then read it all."""
    sandbox.control("POST", "reset", {"seed": "demo"})
    jira = sandbox.jira()
    issues = jira.search_issues(ALL_JQL, maxResults=100, fields="*all")
    assert len(issues) == 36
    for key in ("INC-2", "PS-3", "SUP-4", "DS-3", "CLI-6"):
        assert jira.issue(key, expand="changelog").key == key
        assert jira.comments(key) is not None
    confluence = sandbox.confluence()
    log = confluence.get_page_by_title("INC", "Projects Incident Log")["results"][0]
    assert (
        "SHOP-118"
        in confluence.get_page_by_id(log["id"], expand="body.storage")["body"]["storage"]["value"]
    )
    slack = sandbox.slack()
    channel = next(
        c for c in slack.conversations_list()["channels"] if c["name"] == "ps-project-leadership"
    )
    history = slack.conversations_history(channel=channel["id"])["messages"]
    thread = next(m for m in history if m.get("reply_count"))
    replies = slack.conversations_replies(channel=channel["id"], ts=thread["ts"])["messages"]
    assert len(replies) == 1 + thread["reply_count"]
    assert [p["message"]["ts"] for p in slack.pins_list(channel=channel["id"])["items"]] == [
        thread["ts"]
    ]
