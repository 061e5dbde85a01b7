"""Site-level Jira routes: server info, myself, fields, catalogs, projects, users."""

from __future__ import annotations

import pytest
from jira import JIRAError

from tests.sandbox.test_jira_fixtures import ALICE, LEAD, api, seed_site
from tests.support.sandbox import SandboxHandle


def test_server_info_says_cloud_and_points_at_the_sandbox(sandbox: SandboxHandle) -> None:
    sandbox.set_clock("2026-11-22T09:00:00+00:00")
    info = api(sandbox, "GET", "serverInfo").json()
    assert info["deploymentType"] == "Cloud"
    assert info["baseUrl"] == sandbox.base
    assert info["serverTime"] == "2026-11-22T09:00:00.000+0000"
    assert info["versionNumbers"][0] == 1001
    client = sandbox.jira(ALICE)
    assert client._is_cloud  # the real client switched to its Cloud behaviour


def test_server_info_in_data_center_mode(sandbox_dc: SandboxHandle) -> None:
    info = api(sandbox_dc, "GET", "serverInfo").json()
    assert info["deploymentType"] == "Server"
    assert info["versionNumbers"] == [9, 12, 0]
    assert not sandbox_dc.jira(ALICE)._is_cloud


def test_myself_is_the_basic_auth_user(sandbox: SandboxHandle) -> None:
    me = sandbox.jira(ALICE).myself()
    assert me["emailAddress"] == ALICE
    assert me["accountId"].startswith("712020:")
    assert me["active"] is True
    assert me["self"].startswith(sandbox.base)


def test_fields_list_system_and_custom_with_clause_names(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    fields = {f["id"]: f for f in sandbox.jira(ALICE).fields()}
    assert fields["summary"]["custom"] is False
    assert fields["issuetype"]["clauseNames"] == ["issuetype", "type"]
    reason = fields[site.fields["Escalation Reason"]]
    number = int(site.fields["Escalation Reason"].split("_")[1])
    assert reason["custom"] is True
    assert reason["clauseNames"] == [f"cf[{number}]", "Escalation Reason"]
    assert reason["schema"]["custom"].endswith(":textarea")
    assert fields[site.fields["Escalation Contact"]]["schema"]["type"] == "user"


def test_create_custom_field_over_rest(sandbox: SandboxHandle) -> None:
    response = api(
        sandbox,
        "POST",
        "field",
        json={
            "name": "Root Cause",
            "type": "com.atlassian.jira.plugin.system.customfieldtypes:textarea",
        },
    )
    assert response.status_code == 201
    created = response.json()
    assert created["id"].startswith("customfield_")
    assert created["name"] == "Root Cause"
    names = [f["name"] for f in api(sandbox, "GET", "field").json()]
    assert "Root Cause" in names


@pytest.mark.no_spec_check
def test_create_custom_field_rejects_unknown_type(sandbox: SandboxHandle) -> None:
    response = api(sandbox, "POST", "field", json={"name": "X", "type": "nonsense"})
    assert response.status_code == 400
    assert "type" in response.json()["errors"]
    missing = api(sandbox, "POST", "field", json={"type": "textfield"})
    assert missing.status_code == 400
    assert "name" in missing.json()["errors"]


def test_priorities_statuses_and_issue_types(sandbox: SandboxHandle) -> None:
    client = sandbox.jira(ALICE)
    assert [(p.name, p.id) for p in client.priorities()] == [
        ("Highest", "1"),
        ("High", "2"),
        ("Medium", "3"),
        ("Low", "4"),
        ("Lowest", "5"),
    ]
    categories = {s.name: s.statusCategory.key for s in client.statuses()}
    assert categories == {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}
    types = {t.name: t.subtask for t in client.issue_types()}
    assert types == {"Task": False, "Bug": False, "Incident": False, "Sub-task": True}
    assert api(sandbox, "GET", "priority/9").status_code == 404


def test_projects_list_get_and_search(sandbox: SandboxHandle) -> None:
    seed_site(sandbox)
    client = sandbox.jira(ALICE)
    assert sorted(p.key for p in client.projects()) == ["DS", "INC"]
    inc = client.project("INC")
    assert inc.name == "Incidents"
    assert inc.lead.emailAddress == LEAD
    assert client.project(inc.id).key == "INC"
    page = api(sandbox, "GET", "project/search", params={"maxResults": 1}).json()
    assert page["total"] == 2
    assert page["isLast"] is False
    assert len(page["values"]) == 1
    found = api(sandbox, "GET", "project/search", params={"query": "escal"}).json()
    assert [p["key"] for p in found["values"]] == ["DS"]
    missing = api(sandbox, "GET", "project/NOPE")
    assert missing.status_code == 404
    assert missing.json()["errorMessages"]


def test_create_project_over_rest_and_its_errors(sandbox: SandboxHandle) -> None:
    lead = sandbox.add_user("Lead", LEAD)
    body = {
        "key": "SUP",
        "name": "Support",
        "leadAccountId": lead["accountId"],
        "projectTypeKey": "software",
    }
    response = api(sandbox, "POST", "project", json=body)
    assert response.status_code == 201
    assert response.json()["key"] == "SUP"
    again = api(sandbox, "POST", "project", json=body)
    assert again.status_code == 400
    assert set(again.json()["errors"]) == {"projectKey", "projectName"}
    bad = api(sandbox, "POST", "project", json={**body, "key": "lower", "name": "Other"})
    assert bad.status_code == 400
    assert "projectKey" in bad.json()["errors"]
    no_lead = api(
        sandbox, "POST", "project", json={**body, "key": "NEW", "name": "N", "leadAccountId": "x"}
    )
    assert no_lead.json()["errors"] == {"projectLead": "You must specify a valid project lead."}


def test_user_lookup_and_search(sandbox: SandboxHandle) -> None:
    alice = sandbox.add_user("Alice Example", ALICE)
    client = sandbox.jira(ALICE)
    found = client.user(alice["accountId"])
    assert found.emailAddress == ALICE
    assert found.active is True
    hits = client.search_users(query="alice")
    assert [u.accountId for u in hits] == [alice["accountId"]]
    unknown = api(sandbox, "GET", "user", params={"accountId": "712020:nobody"})
    assert unknown.status_code == 404
    assert unknown.json()["errorMessages"]


def test_deleted_user_comes_back_inactive(sandbox: SandboxHandle) -> None:
    gone = sandbox.add_user("Gone Person", "gone@sandbox.example")
    sandbox.control("DELETE", f"users/{gone['accountId']}")
    found = api(sandbox, "GET", "user", params={"accountId": gone["accountId"]}).json()
    assert found["active"] is False


def test_data_center_users_by_username(sandbox_dc: SandboxHandle) -> None:
    sandbox_dc.add_user("Alice Example", ALICE)
    found = api(sandbox_dc, "GET", "user", params={"username": "alice"}).json()
    assert found["name"] == "alice"
    assert found["emailAddress"] == ALICE
    client = sandbox_dc.jira(ALICE)
    assert client.user("alice").emailAddress == ALICE


def test_unknown_jira_path_is_a_jira_shaped_404(sandbox: SandboxHandle) -> None:
    response = api(sandbox, "GET", "nothing/here")
    assert response.status_code == 404
    assert set(response.json()) == {"errorMessages", "errors"}
    with pytest.raises(JIRAError) as caught:
        sandbox.jira(ALICE).project("ZZZ")
    assert caught.value.status_code == 404


def test_select_options_through_the_field_context(sandbox: SandboxHandle) -> None:
    created_field = api(
        sandbox,
        "POST",
        "field",
        json={
            "name": "Severity",
            "type": "com.atlassian.jira.plugin.system.customfieldtypes:select",
        },
    ).json()
    field_id = created_field["id"]
    contexts = api(sandbox, "GET", f"field/{field_id}/context").json()
    assert contexts["total"] == 1
    context_id = contexts["values"][0]["id"]
    added = api(
        sandbox,
        "POST",
        f"field/{field_id}/context/{context_id}/option",
        json={"options": [{"value": "P1"}, {"value": "P2"}]},
    )
    assert added.status_code == 200
    assert [o["value"] for o in added.json()["options"]] == ["P1", "P2"]
    listed = api(sandbox, "GET", f"field/{field_id}/context/{context_id}/option").json()
    assert [o["value"] for o in listed["values"]] == ["P1", "P2"]
    duplicate = api(
        sandbox,
        "POST",
        f"field/{field_id}/context/{context_id}/option",
        json={"options": [{"value": "p1"}]},
    )
    assert duplicate.status_code == 400
    seed_site(sandbox)
    bad_value = api(
        sandbox,
        "POST",
        "issue",
        json={
            "fields": {
                "project": {"key": "INC"},
                "summary": "s",
                "issuetype": {"name": "Task"},
                field_id: {"value": "P9"},
            }
        },
    )
    assert bad_value.status_code == 400
    assert bad_value.json()["errors"] == {field_id: "Option value 'P9' is not valid"}
    assert api(sandbox, "GET", "field/customfield_1/context").status_code == 404
