"""Transitions, watchers, attachments, remote links and issue properties."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from tests.sandbox.test_jira_fixtures import ALICE, BOB, START, api, new_issue, seed_site
from tests.support.sandbox import SandboxHandle


def test_transitions_listed_and_done_resolves(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(BOB)
    names = {t["id"]: t["name"] for t in client.transitions(key)}
    assert names == {"21": "In Progress", "31": "Done"}
    client.transition_issue(key, "21")  # the client sends the id as a number
    assert client.issue(key).fields.status.name == "In Progress"
    sandbox.set_clock(START + timedelta(hours=3))
    response = api(sandbox, "POST", f"issue/{key}/transitions", json={"transition": {"id": "31"}})
    assert response.status_code == 204
    issue = client.issue(key, expand="changelog")
    assert issue.fields.status.name == "Done"
    assert issue.fields.status.statusCategory.key == "done"
    assert issue.fields.resolution.name == "Done"
    assert issue.fields.resolutiondate == "2026-11-22T12:00:00.000+0000"
    status_changes = [
        (item.fromString, item.toString)
        for history in issue.changelog.histories
        for item in history.items
        if item.field == "status"
    ]
    assert sorted(status_changes) == [("In Progress", "Done"), ("To Do", "In Progress")]


def test_reopening_clears_the_resolution(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    client.transition_issue(key, "Done")  # by name: the client looks the id up
    client.transition_issue(key, "11")
    issue = client.issue(key)
    assert issue.fields.status.name == "To Do"
    assert issue.fields.resolution is None
    assert issue.fields.resolutiondate is None


def test_transition_with_fields_and_comment(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    client.transition_issue(
        key, "31", fields={"resolution": {"name": "Done"}}, comment="Closing: fixed"
    )
    issue = client.issue(key)
    assert issue.fields.resolution.name == "Done"
    assert [c.body for c in client.comments(key)] == ["Closing: fixed"]


@pytest.mark.no_spec_check
def test_invalid_transitions_are_400(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    for payload in ({"transition": {"id": "99"}}, {"transition": {"id": "11"}}, {}, {"x": 1}):
        response = api(sandbox, "POST", f"issue/{key}/transitions", json=payload)
        assert response.status_code == 400, payload
        assert response.json()["errorMessages"]
    assert site.issue(key)["fields"]["status"] == "10000"


def test_watchers_add_list_remove(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    watchers = client.watchers(key)
    assert [w.emailAddress for w in watchers.watchers] == [ALICE]  # the reporter watches
    assert client.issue(key).fields.watches.isWatching is True
    assert sandbox.jira(BOB).issue(key).fields.watches.isWatching is False
    client.add_watcher(key, site.account(BOB))
    watchers = client.watchers(key)
    assert watchers.watchCount == 2
    assert watchers.isWatching is True
    assert {w.emailAddress for w in watchers.watchers} == {ALICE, BOB}
    client.remove_watcher(key, site.account(BOB))
    assert client.watchers(key).watchCount == 1
    raw = api(sandbox, "POST", f"issue/{key}/watchers", json="712020:nobody")
    assert raw.status_code == 404


def test_attachments_store_metadata(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(BOB)
    attachment = client.add_attachment(key, io.BytesIO(b"timeline,ok\n"), filename="timeline.csv")
    assert attachment.filename == "timeline.csv"
    assert attachment.size == 12
    assert attachment.mimeType == "text/csv"
    assert attachment.author.emailAddress == BOB
    assert attachment.content.startswith(sandbox.base)
    listed = client.issue(key).fields.attachment
    assert [a.filename for a in listed] == ["timeline.csv"]
    meta = api(sandbox, "GET", f"attachment/{attachment.id}").json()
    assert meta["size"] == 12
    history = client.issue(key, expand="changelog").changelog.histories
    assert history[-1].items[0].toString == "timeline.csv"


def test_attachment_needs_the_xsrf_header(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    response = api(sandbox, "POST", f"issue/{key}/attachments", files={"file": ("a.txt", b"x")})
    assert response.status_code == 403
    assert response.json()["errorMessages"] == ["XSRF check failed"]


def test_remote_links_with_global_id_upsert(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    link = {"url": "https://wiki.example/pm-1", "title": "Post-mortem"}
    first = client.add_remote_link(key, link, globalId="pm:1", relationship="documents")
    assert first.id
    updated = client.add_remote_link(
        key, {**link, "title": "Post-mortem v2"}, globalId="pm:1", relationship="documents"
    )
    assert updated.id == first.id
    other = client.add_simple_link(key, {"url": "https://status.example", "title": "Status"})
    assert other.id != first.id
    links = client.remote_links(key)
    assert [(lk.globalId if hasattr(lk, "globalId") else None) for lk in links] == ["pm:1", None]
    assert links[0].object.title == "Post-mortem v2"
    by_global = api(sandbox, "GET", f"issue/{key}/remotelink", params={"globalId": "pm:1"})
    assert by_global.json()["object"]["title"] == "Post-mortem v2"
    assert api(sandbox, "DELETE", f"issue/{key}/remotelink/{first.id}").status_code == 204
    assert len(client.remote_links(key)) == 1


@pytest.mark.no_spec_check
def test_remote_link_needs_url_and_title(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    response = api(sandbox, "POST", f"issue/{key}/remotelink", json={"object": {"url": "x"}})
    assert response.status_code == 400
    assert response.json()["errors"] == {"title": "'title' is required."}


def test_issue_properties(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    client.add_issue_property(key, "escalation-agent", {"stage": "triage"})
    assert client.issue_property(key, "escalation-agent").value.stage == "triage"
    again = api(sandbox, "PUT", f"issue/{key}/properties/escalation-agent", json={"stage": "fix"})
    assert again.status_code == 200
    keys = api(sandbox, "GET", f"issue/{key}/properties").json()["keys"]
    assert [k["key"] for k in keys] == ["escalation-agent"]
    assert api(sandbox, "DELETE", f"issue/{key}/properties/escalation-agent").status_code == 204
    missing = api(sandbox, "GET", f"issue/{key}/properties/escalation-agent")
    assert missing.status_code == 404


def test_setting_an_issue_property_creates_then_replaces_it_within_jiras_size_limit(
    sandbox: SandboxHandle,
) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    path = f"issue/{key}/properties/escalation-agent-followup"
    created = api(sandbox, "PUT", path, version="3", json={"task": "1", "ticked": 0})
    assert created.status_code == 201
    replaced = api(sandbox, "PUT", path, version="3", json={"task": "1"})
    assert replaced.status_code == 200
    assert api(sandbox, "GET", path).json()["value"] == {"task": "1"}
    too_big = api(sandbox, "PUT", path, json={"x": "y" * 32768})
    assert too_big.status_code == 400
    assert api(sandbox, "GET", path).json()["value"] == {"task": "1"}
