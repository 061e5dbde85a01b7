"""The Jira adapter against the running sandbox, on Cloud and on Data Center.

Data is seeded with the sandbox's Python API; everything the adapter does goes
over HTTP with the real ``jira`` client's session and the real call point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from agent.adapters.calls import ServiceCaller
from agent.adapters.jira_adapter import JiraAdapter, build_jira_adapter
from agent.adapters.jira_jql import jql_quote
from agent.adapters.jira_port import UnknownFieldError
from agent.adapters.retry import RetryBudget
from agent.adapters.service_errors import NotFound
from agent.config import load_settings
from agent.sandbox.jira import seeding
from agent.secrets import Redactor
from tests.support.sandbox import AGENT_EMAIL, SLACK_TIME_SCALE, TOKEN, SandboxHandle

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
LEAD = "lead@sandbox.example"
FIELDS = ["Crew Lead", "Impact Level", "Escalation Reason", "Time of Occurrence", "Responders"]


def _never_sleep(seconds: float) -> None:
    raise AssertionError(f"the adapter tried to sleep {seconds}s in a test")


def adapter_for(site: SandboxHandle) -> JiraAdapter:
    settings = load_settings(
        {
            "JIRA_URL": site.base,
            "JIRA_EMAIL": AGENT_EMAIL,
            "JIRA_API_TOKEN": TOKEN,
            "CONFLUENCE_URL": f"{site.base}/wiki",
            "CONFLUENCE_EMAIL": AGENT_EMAIL,
            "CONFLUENCE_API_TOKEN": TOKEN,
            "CONFLUENCE_SPACE": "OPS",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": f"{site.base}/api/",
            "AGENT_SLACK_TIME_SCALE": str(SLACK_TIME_SCALE),
        }
    )
    caller = ServiceCaller("jira", Redactor([TOKEN]), RetryBudget(0), sleep=_never_sleep)
    return build_jira_adapter(settings, caller)


@pytest.fixture(params=["cloud", "datacenter"])
def site(request: pytest.FixtureRequest) -> SandboxHandle:
    handle: SandboxHandle = request.getfixturevalue(
        "sandbox" if request.param == "cloud" else "sandbox_dc"
    )
    handle.set_clock(START)
    ctx = handle.ctx
    seeding.create_project(ctx, "DS", "DS escalations", LEAD)
    seeding.create_custom_field(ctx, "Crew Lead", "userpicker")
    seeding.create_custom_field(ctx, "Impact Level", "select", ["Low", "Medium", "High"])
    seeding.create_custom_field(ctx, "Escalation Reason", "textarea")
    seeding.create_custom_field(ctx, "Time of Occurrence", "datetime")
    seeding.create_custom_field(ctx, "Responders", "multiuserpicker")
    return handle


def user(site: SandboxHandle, name: str, **extra: Any) -> dict[str, Any]:
    email = name.lower().replace(" ", ".") + "@sandbox.example"
    return dict(site.ctx.users.create(name, email, **extra))


def issue(site: SandboxHandle, summary: str, **fields: Any) -> str:
    base = {"project": {"key": "DS"}, "issuetype": {"name": "Task"}, "summary": summary}
    return str(seeding.create_issue(site.ctx, {**base, **fields}, LEAD)["key"])


def jira_requests(site: SandboxHandle, path_part: str) -> list[dict[str, Any]]:
    return [r for r in site.requests_log() if path_part in r["path"]]


def query(entry: dict[str, Any]) -> dict[str, list[str]]:
    return parse_qs(entry["query"])


# -- reading ---------------------------------------------------------------------------------


def test_server_kind_comes_from_server_info(site: SandboxHandle) -> None:
    adapter = adapter_for(site)
    assert adapter.server_kind() == site.ctx.deployment
    me = adapter.myself()
    assert me.email == AGENT_EMAIL and me.active


def test_search_converts_custom_fields_by_name(site: SandboxHandle) -> None:
    mia = user(site, "Mia Lead")
    ben = user(site, "Ben Helper")
    key = issue(
        site,
        "Checkout is down",
        priority={"name": "High"},
        labels=["escalation"],
        **{
            "Crew Lead": {"accountId": mia["accountId"]},
            "Impact Level": {"value": "High"},
            "Escalation Reason": "Top customer blocked",
            "Time of Occurrence": "2026-11-20T08:30:00.000+0100",
            "Responders": [{"accountId": mia["accountId"]}, {"accountId": ben["accountId"]}],
        },
    )
    issue(site, "Second one")
    adapter = adapter_for(site)
    tickets = list(adapter.search("project = DS ORDER BY key ASC", FIELDS))
    assert [t.key for t in tickets] == [key, "DS-2"]
    first = tickets[0]
    assert (first.summary, first.priority, first.status_category) == (
        "Checkout is down",
        "High",
        "new",
    )
    assert first.labels == frozenset({"escalation"})
    assert first.created == START and first.project == "DS"
    lead = first.fields["Crew Lead"]
    expected_id = mia["name"] if site.ctx.deployment == "datacenter" else mia["accountId"]
    assert (lead.account_id, lead.email, lead.display_name) == (
        expected_id,
        mia["emailAddress"],
        "Mia Lead",
    )
    assert first.fields["Impact Level"] == "High"
    assert first.fields["Escalation Reason"] == "Top customer blocked"
    assert first.fields["Time of Occurrence"] == datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
    assert [p.display_name for p in first.fields["Responders"]] == ["Mia Lead", "Ben Helper"]
    assert first.url == f"{site.base}/browse/{key}"
    assert tickets[1].fields["Crew Lead"] is None
    assert adapter.take_problems() == []


def test_search_pages_through_more_than_one_hundred_issues(site: SandboxHandle) -> None:
    many = [
        {"project": {"key": "DS"}, "issuetype": {"name": "Task"}, "summary": f"issue {n}"}
        for n in range(1, 231)
    ]
    seeding.bulk_create(site.ctx, many, LEAD)
    adapter = adapter_for(site)
    adapter.catalogue()
    site.clear_requests()
    keys = [t.key for t in adapter.search("project = DS ORDER BY key ASC", ["Impact Level"])]
    assert keys == [f"DS-{n}" for n in range(1, 231)]
    searches = jira_requests(site, "/search")
    assert len(searches) == 3
    if site.ctx.deployment == "cloud":
        assert {s["path"] for s in searches} == {"/rest/api/2/search/jql"}
        assert "nextPageToken" not in query(searches[0])
        assert all("nextPageToken" in query(s) for s in searches[1:])
    else:
        assert {s["path"] for s in searches} == {"/rest/api/2/search"}
        assert [query(s)["startAt"] for s in searches] == [["0"], ["100"], ["200"]]
    for entry in searches:
        params = query(entry)
        assert params["maxResults"] == ["100"]
        requested = set(params["fields"])
        impact = adapter.field_ids(["Impact Level"])["Impact Level"]
        assert impact in requested
        assert not {"*all", "*navigable", "comment", "description"} & requested
        other_custom = set(adapter.field_ids(["Crew Lead", "Responders"]).values())
        assert not other_custom & requested


def test_updated_since_narrows_the_query(site: SandboxHandle) -> None:
    old = issue(site, "old news")
    site.set_clock(START + timedelta(hours=2))
    fresh = issue(site, "fresh")
    site.set_clock(START + timedelta(hours=3))
    seeding.add_comment(site.ctx, old, "poke", LEAD)  # a comment bumps "updated"
    adapter = adapter_for(site)
    since = START + timedelta(hours=1, minutes=59, seconds=30)
    found = [t.key for t in adapter.search("project = DS ORDER BY key", [], updated_since=since)]
    assert found == [old, fresh]
    later = START + timedelta(hours=2, minutes=30)
    found = [t.key for t in adapter.search("project = DS ORDER BY key", [], updated_since=later)]
    assert found == [old]
    jql = query(jira_requests(site, "/search")[-1])["jql"][0]
    assert jql == '(project = DS) AND updated >= "2026/11/20 11:30" ORDER BY key'


@pytest.mark.parametrize(
    "hostile", ['x" OR project = DS OR summary ~ "', "C:\\temp\\", 'OR 1=1 "\\"']
)
def test_hostile_values_stay_inside_their_jql_string(site: SandboxHandle, hostile: str) -> None:
    issue(site, "harmless")
    adapter = adapter_for(site)
    jql = f"project = DS AND summary ~ {jql_quote(hostile)}"
    assert list(adapter.search(jql, [])) == []


def test_unknown_field_names_fail_before_any_search(site: SandboxHandle) -> None:
    adapter = adapter_for(site)
    with pytest.raises(UnknownFieldError) as caught:
        adapter.search("project = DS", ["Crew Leed", "Impact Level"])  # fails before iterating
    assert caught.value.missing == {"Crew Leed": ("Crew Lead",)}
    assert jira_requests(site, "/search") == []


def test_deleted_people_convert_as_inactive(site: SandboxHandle) -> None:
    gone = user(site, "Old Timer", active=False, deleted=True)
    issue(site, "left behind", **{"Crew Lead": {"accountId": gone["accountId"]}})
    adapter = adapter_for(site)
    (ticket,) = adapter.search("project = DS", ["Crew Lead"])
    assert ticket.fields["Crew Lead"].active is False
    assert ticket.fields["Crew Lead"].display_name == "Old Timer"


def test_details_bring_comments_changelog_watchers_and_subtasks(site: SandboxHandle) -> None:
    mia = user(site, "Mia Lead")
    key = issue(site, "parent")
    child = issue(site, "child", issuetype={"name": "Sub-task"}, parent={"key": key})
    adapter = adapter_for(site)
    site.set_clock(START + timedelta(minutes=5))
    seeding.add_comment(site.ctx, key, "Looking into it", mia["emailAddress"])
    site.set_clock(START + timedelta(minutes=10))
    agent_comment = adapter.add_comment(key, "Reminder", rule="progress", key=f"{key}:p:1")
    site.set_clock(START + timedelta(minutes=15))
    seeding.edit_issue(
        site.ctx, key, {"Crew Lead": {"accountId": mia["accountId"]}}, mia["emailAddress"]
    )
    seeding.transition(site.ctx, child, "Done", mia["emailAddress"])
    adapter.add_watcher(key, _user_ref(site, mia))

    (ticket,) = adapter.search(f"key = {key}", ["Crew Lead"])
    assert [(s.key, s.status_category) for s in ticket.subtasks] == [(child, "done")]
    assert ticket.comments == () and ticket.changelog == ()
    detailed = adapter.with_details(ticket)
    assert [(c.body, c.by_agent) for c in detailed.comments] == [
        ("Looking into it", False),
        ("Reminder", True),
    ]
    mine = detailed.comments[1]
    assert (mine.id, mine.agent_rule, mine.agent_key) == (agent_comment, "progress", f"{key}:p:1")
    assert detailed.comments[0].author is not None
    assert detailed.comments[0].author.email == mia["emailAddress"]
    crew_changes = [i for c in detailed.changelog for i in c.items if i.field == "Crew Lead"]
    assert [(i.from_value, i.to_value) for i in crew_changes] == [(None, "Mia Lead")]
    assert detailed.changelog[-1].created == START + timedelta(minutes=15)
    assert {w.email for w in detailed.watchers} >= {mia["emailAddress"]}
    assert detailed.fields == ticket.fields


def test_details_of_a_deleted_issue_is_not_found(site: SandboxHandle) -> None:
    key = issue(site, "soon gone")
    adapter = adapter_for(site)
    (ticket,) = adapter.search("project = DS", [])
    gone = requests.delete(f"{site.base}/rest/api/2/issue/{key}", auth=(LEAD, TOKEN), timeout=10)
    assert gone.status_code == 204
    with pytest.raises(NotFound):
        adapter.with_details(ticket)


# -- writing ---------------------------------------------------------------------------------


def test_agent_comment_is_marked_in_the_create_request(site: SandboxHandle) -> None:
    key = issue(site, "needs a nudge")
    adapter = adapter_for(site)
    assert adapter.find_agent_comment(key, "DS-1:nudge:1") is None
    site.clear_requests()
    comment_id = adapter.add_comment(key, "Please update", rule="nudge", key="DS-1:nudge:1")
    writes = [r for r in site.requests_log() if r["method"] != "GET"]
    assert [(r["method"], r["path"], r["status"]) for r in writes] == [
        ("POST", f"/rest/api/2/issue/{key}/comment", 201)
    ]
    assert adapter.find_agent_comment(key, "DS-1:nudge:1") == comment_id
    assert adapter.find_agent_comment(key, "DS-1:nudge:2") is None
    stored = seeding.get_issue(site.ctx, key)["comments"][0]["properties"]
    assert stored == {"escalation-agent": {"rule": "nudge", "key": "DS-1:nudge:1"}}


def test_labels_are_added_and_removed_idempotently(site: SandboxHandle) -> None:
    key = issue(site, "labels", labels=["keep"])
    adapter = adapter_for(site)
    adapter.add_labels(key, ["escalated", "escalated"])
    adapter.add_labels(key, ["escalated"])
    assert sorted(seeding.get_issue(site.ctx, key)["fields"]["labels"]) == ["escalated", "keep"]
    adapter.remove_labels(key, ["escalated", "never-there"])
    adapter.remove_labels(key, ["escalated"])
    assert seeding.get_issue(site.ctx, key)["fields"]["labels"] == ["keep"]
    with pytest.raises(ValueError, match="spaces"):
        adapter.add_labels(key, ["two words"])


def test_priority_watchers_and_remote_links(site: SandboxHandle) -> None:
    key = issue(site, "writes")
    ben = user(site, "Ben Watcher")
    adapter = adapter_for(site)
    adapter.set_priority(key, "Highest")
    (ticket,) = adapter.search(f"key = {key}", [])
    assert ticket.priority == "Highest"

    adapter.add_watcher(key, _user_ref(site, ben))
    adapter.add_watcher(key, _user_ref(site, ben))
    watchers = seeding.get_issue(site.ctx, key)["watchers"]
    assert watchers.count(ben["accountId"]) == 1

    first = adapter.add_remote_link(key, "https://wiki/x/1", "Post-mortem", global_id="pm:DS-1")
    again = adapter.add_remote_link(key, "https://wiki/x/1", "Post-mortem v2", global_id="pm:DS-1")
    other = adapter.add_remote_link(key, "https://wiki/x/2", "Timeline", global_id="tl:DS-1")
    assert first == again != other
    links = seeding.get_issue(site.ctx, key)["remotelinks"]
    assert [(link["globalId"], link["object"]["title"]) for link in links] == [
        ("pm:DS-1", "Post-mortem v2"),
        ("tl:DS-1", "Timeline"),
    ]


def _user_ref(site: SandboxHandle, person: dict[str, Any]) -> str:
    """How the agent names a person to Jira: accountId on Cloud, username on Data Center."""
    return str(person["name"] if site.ctx.deployment == "datacenter" else person["accountId"])


def test_long_comment_and_change_histories_are_read_in_full(site: SandboxHandle) -> None:
    key = issue(site, "busy")
    adapter = adapter_for(site)
    for n in range(105):
        seeding.add_comment(site.ctx, key, f"note {n}", LEAD)
    marked = adapter.add_comment(key, "Reminder", rule="nudge", key="busy:1")
    for n in range(105):
        seeding.edit_issue(site.ctx, key, {"summary": f"busy {n}"}, LEAD)
    assert adapter.find_agent_comment(key, "busy:1") == marked
    (ticket,) = adapter.search(f"key = {key}", [])
    detailed = adapter.with_details(ticket)
    assert len(detailed.comments) == 106 and detailed.comments[-1].by_agent
    summaries = [i.to_value for c in detailed.changelog for i in c.items if i.field == "summary"]
    assert summaries == [f"busy {n}" for n in range(105)]
    comment_reads = [r for r in jira_requests(site, "/comment") if r["method"] == "GET"]
    assert all(query(r)["maxResults"] == ["100"] for r in comment_reads)
    assert all(query(r)["expand"] == ["properties"] for r in comment_reads)
    if site.ctx.deployment == "cloud":
        assert len(jira_requests(site, "/changelog")) == 2


def test_details_for_many_leave_out_a_vanished_issue(site: SandboxHandle) -> None:
    keep, lose = issue(site, "keep"), issue(site, "lose")
    adapter = adapter_for(site)
    tickets = list(adapter.search("project = DS ORDER BY key", []))
    requests.delete(f"{site.base}/rest/api/2/issue/{lose}", auth=(LEAD, TOKEN), timeout=10)
    assert [t.key for t in adapter.with_details_many(tickets)] == [keep]
    assert [(p.issue_key, p.field) for p in adapter.take_problems()] == [(lose, "issue")]


def test_description_is_read_only_when_a_policy_names_it(site: SandboxHandle) -> None:
    issue(site, "with text", description="Customer X cannot log in")
    adapter = adapter_for(site)
    (plain,) = adapter.search("project = DS", [])
    (full,) = adapter.search("project = DS", ["Description"])
    assert plain.description is None
    assert full.description == "Customer X cannot log in"
    first, second = (set(query(r)["fields"]) for r in jira_requests(site, "/search"))
    assert "description" not in first and "description" in second
