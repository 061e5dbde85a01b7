"""Issues through the real ``jira`` client and raw REST: create, read, edit,
changelog, bulk, sub-tasks, delete, and Jira's 400/404 answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.test_jira_fixtures import ALICE, BOB, START, api, new_issue, seed_site
from tests.support.sandbox import SandboxHandle


def test_create_and_read_an_issue_with_the_client(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    client = sandbox.jira(ALICE)
    bob = site.account(BOB)
    issue = client.create_issue(
        fields={
            "project": {"key": "INC"},
            "summary": "Checkout is down",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "High"},
            "labels": ["checkout", "p1"],
            "assignee": {"accountId": bob},
            "description": "Customers cannot pay.",
            "duedate": "2026-11-30",
            "timetracking": {"originalEstimate": "1d 2h"},
            site.fields["Impact Level"]: {"value": "High"},
            site.fields["Escalation Contact"]: {"accountId": bob},
            site.fields["Escalation Reason"]: "Revenue loss",
            site.fields["Time of Occurrence"]: "2026-11-22T08:30:00.000+0000",
            site.fields["Credits"]: 12.5,
            site.fields["Tags"]: ["vip"],
            site.fields["Watch List"]: [{"accountId": bob}],
        }
    )
    assert issue.key == "INC-1"
    fields = issue.fields
    assert fields.summary == "Checkout is down"
    assert fields.status.name == "To Do"
    assert fields.status.statusCategory.key == "new"
    assert fields.priority.name == "High"
    assert fields.issuetype.name == "Incident"
    assert fields.labels == ["checkout", "p1"]
    assert fields.assignee.emailAddress == BOB
    assert fields.reporter.emailAddress == ALICE
    assert fields.creator.emailAddress == ALICE
    assert fields.description == "Customers cannot pay."
    assert fields.duedate == "2026-11-30"
    assert fields.timetracking.originalEstimateSeconds == 10 * 3600
    assert fields.created == "2026-11-22T09:00:00.000+0000"
    assert fields.resolution is None
    assert getattr(fields, site.fields["Impact Level"]).value == "High"
    assert getattr(fields, site.fields["Escalation Contact"]).accountId == bob
    assert getattr(fields, site.fields["Escalation Reason"]) == "Revenue loss"
    assert getattr(fields, site.fields["Time of Occurrence"]) == "2026-11-22T08:30:00.000+0000"
    assert getattr(fields, site.fields["Credits"]) == 12.5
    assert getattr(fields, site.fields["Tags"]) == ["vip"]
    assert [u.accountId for u in getattr(fields, site.fields["Watch List"])] == [bob]
    assert issue.self == f"{sandbox.base}/rest/api/2/issue/{issue.id}"


def test_numeric_id_and_key_both_work(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    issue_id = site.issue(key)["id"]
    by_id = api(sandbox, "GET", f"issue/{issue_id}").json()
    by_key = api(sandbox, "GET", f"issue/{key.lower()}").json()
    assert by_id["key"] == by_key["key"] == key
    assert by_id["id"] == issue_id


def test_fields_selection_and_exclusion(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site, labels=["x"])
    some = api(sandbox, "GET", f"issue/{key}", params={"fields": "summary,labels"}).json()
    assert set(some["fields"]) == {"summary", "labels"}
    repeated = api(
        sandbox, "GET", f"issue/{key}", params=[("fields", "summary"), ("fields", "status")]
    ).json()
    assert set(repeated["fields"]) == {"summary", "status"}
    minus = api(sandbox, "GET", f"issue/{key}", params={"fields": "*all,-comment"}).json()
    assert "comment" not in minus["fields"]
    assert "summary" in minus["fields"]
    navigable = api(sandbox, "GET", f"issue/{key}", params={"fields": "*navigable"}).json()
    assert "comment" not in navigable["fields"]
    assert site.fields["Impact Level"] in navigable["fields"]


def test_update_through_the_client_records_changelog(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site, labels=["a"], priority={"name": "Low"})
    client = sandbox.jira(BOB)
    issue = client.issue(key)
    sandbox.set_clock(START + timedelta(hours=1))
    issue.update(
        fields={"summary": "Checkout is slow", site.fields["Impact Level"]: {"value": "Medium"}},
        update={"labels": [{"add": "b"}, {"remove": "a"}], "priority": [{"set": {"name": "High"}}]},
    )
    # the client PUT to the issue's self link and read it back from there
    assert issue.fields.summary == "Checkout is slow"
    assert issue.fields.labels == ["b"]
    assert issue.fields.priority.name == "High"
    assert issue.fields.updated == "2026-11-22T10:00:00.000+0000"
    with_log = client.issue(key, expand="changelog")
    histories = with_log.changelog.histories
    assert len(histories) == 1
    assert histories[0].author.emailAddress == BOB
    assert histories[0].created == "2026-11-22T10:00:00.000+0000"
    items = {item.field: item for item in histories[0].items}
    assert items["summary"].fromString == "Checkout is down"
    assert items["summary"].toString == "Checkout is slow"
    assert items["labels"].fromString == "a"
    assert items["labels"].toString == "b"
    assert (items["priority"].fromString, items["priority"].toString) == ("Low", "High")
    assert items["Impact Level"].fieldtype == "custom"
    assert items["Impact Level"].toString == "Medium"


def test_changelog_endpoint_is_paged(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    for number in range(3):
        client.issue(key).update(summary=f"Edit {number}")
    page = api(sandbox, "GET", f"issue/{key}/changelog", params={"maxResults": 2}).json()
    assert page["total"] == 3
    assert page["isLast"] is False
    assert [v["items"][0]["toString"] for v in page["values"]] == ["Edit 0", "Edit 1"]
    rest = api(
        sandbox, "GET", f"issue/{key}/changelog", params={"startAt": 2, "maxResults": 2}
    ).json()
    assert rest["isLast"] is True
    assert rest["values"][0]["items"][0]["toString"] == "Edit 2"


def test_assign_and_unassign(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    client.assign_issue(key, site.account(BOB))
    assert client.issue(key).fields.assignee.emailAddress == BOB
    response = api(sandbox, "PUT", f"issue/{key}", json={"fields": {"assignee": None}})
    assert response.status_code == 204
    assert client.issue(key).fields.assignee is None
    client.assign_issue(key, site.account(BOB))
    by_account = api(
        sandbox, "PUT", f"issue/{key}", json={"fields": {"assignee": {"accountId": None}}}
    )
    assert by_account.status_code == 204
    assert client.issue(key).fields.assignee is None


def test_v3_description_is_adf_and_v2_is_text(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Pay fails"}]}],
    }
    created = api(
        sandbox,
        "POST",
        "issue",
        version="3",
        json={
            "fields": {
                "project": {"key": "INC"},
                "summary": "ADF",
                "issuetype": {"name": "Task"},
                "description": doc,
            }
        },
    )
    assert created.status_code == 201
    key = created.json()["key"]
    v3 = api(sandbox, "GET", f"issue/{key}", version="3").json()
    assert v3["fields"]["description"] == doc
    v2 = api(sandbox, "GET", f"issue/{key}").json()
    assert v2["fields"]["description"] == "Pay fails"
    plain = new_issue(site, description="First line\n\nSecond")
    v3_plain = api(sandbox, "GET", f"issue/{plain}", version="3").json()["fields"]["description"]
    assert [block["content"][0]["text"] for block in v3_plain["content"]] == [
        "First line",
        "Second",
    ]


def test_bulk_create_reports_each_failure(sandbox: SandboxHandle) -> None:
    seed_site(sandbox)
    good = {"fields": {"project": {"key": "INC"}, "summary": "A", "issuetype": {"name": "Task"}}}
    bad = {"fields": {"project": {"key": "INC"}, "issuetype": {"name": "Task"}}}
    response = api(sandbox, "POST", "issue/bulk", json={"issueUpdates": [good, bad, good]})
    assert response.status_code == 201
    body = response.json()
    assert [i["key"] for i in body["issues"]] == ["INC-1", "INC-2"]
    assert body["errors"][0]["failedElementNumber"] == 1
    assert body["errors"][0]["elementErrors"]["errors"] == {
        "summary": "You must specify a summary of the issue."
    }


def test_bulk_create_with_the_client(sandbox: SandboxHandle) -> None:
    seed_site(sandbox)
    client = sandbox.jira(ALICE)
    made = client.create_issues(
        [
            {"project": "INC", "summary": "One", "issuetype": {"name": "Task"}},
            {"project": "DS", "summary": "Two", "issuetype": {"name": "Bug"}},
        ]
    )
    assert [m["issue"].key for m in made] == ["INC-1", "DS-1"]
    assert all(m["status"] == "Success" for m in made)


def test_subtasks_and_parent(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    parent = new_issue(site, summary="Parent")
    client = sandbox.jira(ALICE)
    child = client.create_issue(
        project="INC", summary="Child", issuetype={"name": "Sub-task"}, parent={"key": parent}
    )
    assert child.fields.parent.key == parent
    assert child.fields.parent.fields.summary == "Parent"
    subtasks = client.issue(parent).fields.subtasks
    assert [s.key for s in subtasks] == [child.key]
    assert subtasks[0].fields.status.name == "To Do"
    refused = api(sandbox, "DELETE", f"issue/{parent}")
    assert refused.status_code == 400
    assert "subtasks" in refused.json()["errorMessages"][0]
    response = api(sandbox, "DELETE", f"issue/{parent}", params={"deleteSubtasks": "true"})
    assert response.status_code == 204
    assert api(sandbox, "GET", f"issue/{child.key}").status_code == 404


def test_subtask_without_parent_is_rejected(sandbox: SandboxHandle) -> None:
    seed_site(sandbox)
    response = api(
        sandbox,
        "POST",
        "issue",
        json={
            "fields": {"project": {"key": "INC"}, "summary": "x", "issuetype": {"name": "Sub-task"}}
        },
    )
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_delete_then_unknown_issue_404(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    assert api(sandbox, "DELETE", f"issue/{key}").status_code == 204
    for path in (f"issue/{key}", "issue/NOPE-1", "issue/999999", f"issue/{key}/comment"):
        response = api(sandbox, "GET", path)
        assert response.status_code == 404
        assert response.json() == {
            "errorMessages": ["Issue does not exist or you do not have permission to see it."],
            "errors": {},
        }


@pytest.mark.no_spec_check
def test_bad_field_values_get_per_field_errors(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    response = api(
        sandbox,
        "POST",
        "issue",
        json={
            "fields": {
                "project": {"key": "NOPE"},
                "summary": "",
                "issuetype": {"name": "Epic"},
                "priority": {"name": "Urgent"},
                "labels": ["has space"],
                "assignee": {"accountId": "712020:nobody"},
                "duedate": "tomorrow",
                "foo": "bar",
                site.fields["Impact Level"]: {"value": "Enormous"},
                site.fields["Credits"]: "many",
            }
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {
        "project",
        "summary",
        "issuetype",
        "priority",
        "labels",
        "assignee",
        "duedate",
        "foo",
        site.fields["Impact Level"],
        site.fields["Credits"],
    }
    assert errors["foo"] == (
        "Field 'foo' cannot be set. It is not on the appropriate screen, or unknown."
    )
    assert errors["summary"] == "You must specify a summary of the issue."
    assert sandbox.ctx.store.count("jira.issue") == 0


@pytest.mark.no_spec_check
def test_malformed_bodies_are_400_not_500(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    cases = [
        ("POST", "issue", {"data": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("POST", "issue", {"json": ["a", "list"]}),
        ("POST", "issue", {"json": {"fields": "nope"}}),
        ("PUT", f"issue/{key}", {"json": {"fields": {"summary": 5}}}),
        ("PUT", f"issue/{key}", {"json": {"update": {"labels": "add"}}}),
        ("PUT", f"issue/{key}", {"json": {"update": {"summary": [{"add": "x"}]}}}),
        ("PUT", f"issue/{key}", {"json": {"fields": {"status": {"name": "Done"}}}}),
    ]
    for method, path, kwargs in cases:
        response = api(sandbox, method, path, **kwargs)
        assert response.status_code == 400, (method, path, kwargs, response.text)
        body = response.json()
        assert set(body) == {"errorMessages", "errors"}
        assert body["errorMessages"] or body["errors"]
    bulk = api(sandbox, "POST", "issue/bulk", json={"issueUpdates": "x"})
    assert bulk.status_code == 400
    assert bulk.json()["errors"][0]["elementErrors"]["errorMessages"]


def test_issue_self_links_follow_the_host_used(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    other_host = sandbox.base.replace("127.0.0.1", "localhost")
    import requests

    response = requests.get(
        f"{other_host}/rest/api/2/issue/{key}", auth=(ALICE, sandbox.token), timeout=10
    )
    body = response.json()
    assert body["self"].startswith(other_host)
    assert body["fields"]["project"]["self"].startswith(other_host)


def test_expand_names_rendered_fields_transitions_and_properties(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site, description="a < b")
    api(sandbox, "PUT", f"issue/{key}/properties/escalation-agent", json={"stage": 1})
    body = api(
        sandbox,
        "GET",
        f"issue/{key}",
        params={
            "fields": "summary,description",
            "expand": "names,renderedFields,transitions",
            "properties": "escalation-agent",
        },
    ).json()
    assert body["names"] == {"summary": "Summary", "description": "Description"}
    assert body["renderedFields"]["description"] == "<p>a &lt; b</p>"
    assert [t["id"] for t in body["transitions"]] == ["21", "31"]
    assert body["properties"] == {"escalation-agent": {"stage": 1}}


def test_v3_text_area_custom_field_is_adf(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    reason = site.fields["Escalation Reason"]
    key = new_issue(site, **{reason: "Customer blocked"})
    v3 = api(sandbox, "GET", f"issue/{key}", version="3", params={"fields": reason}).json()
    assert v3["fields"][reason]["type"] == "doc"
    doc = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "New reason"}]}],
    }
    edit = api(sandbox, "PUT", f"issue/{key}", version="3", json={"fields": {reason: doc}})
    assert edit.status_code == 204
    v2 = api(sandbox, "GET", f"issue/{key}", params={"fields": reason}).json()
    assert v2["fields"][reason] == "New reason"


@pytest.mark.no_spec_check
def test_v3_text_area_rejects_plain_strings(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    reason = site.fields["Escalation Reason"]
    key = new_issue(site)
    response = api(sandbox, "PUT", f"issue/{key}", version="3", json={"fields": {reason: "x"}})
    assert response.status_code == 400
    assert "Atlassian Document" in response.json()["errors"][reason]


def test_data_center_names_users_by_username(sandbox_dc: SandboxHandle) -> None:
    seed_site(sandbox_dc)
    client = sandbox_dc.jira(ALICE)
    issue = client.create_issue(
        project="INC", summary="DC", issuetype={"name": "Task"}, assignee={"name": "bob"}
    )
    assert issue.fields.assignee.name == "bob"
    assert issue.fields.assignee.emailAddress == BOB
    found = client.search_issues("assignee = bob")
    assert [i.key for i in found] == [issue.key]
    client.add_watcher(issue.key, "bob")
    assert {w.name for w in client.watchers(issue.key).watchers} == {"alice", "bob"}


def test_data_center_lacks_cloud_only_endpoints(sandbox_dc: SandboxHandle) -> None:
    site = seed_site(sandbox_dc)
    key = new_issue(site)
    assert api(sandbox_dc, "GET", f"issue/{key}/changelog").status_code == 404
    assert api(sandbox_dc, "GET", f"issue/{key}", version="3").status_code == 404
    with_history = api(sandbox_dc, "GET", f"issue/{key}", params={"expand": "changelog"})
    assert with_history.json()["changelog"]["total"] == 0
