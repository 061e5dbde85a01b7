"""Issue links and create-time issue properties, as Jira answers them."""

from __future__ import annotations

from tests.sandbox.test_jira_fixtures import api, new_issue, seed_site
from tests.support.sandbox import SandboxHandle


def test_linking_two_issues_shows_the_link_on_both_once(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    first, second = new_issue(site), new_issue(site, "Follow-up")
    body = {
        "type": {"name": "Relates"},
        "inwardIssue": {"key": first},
        "outwardIssue": {"key": second},
    }
    assert api(sandbox, "POST", "issueLink", json=body).status_code == 201
    assert api(sandbox, "POST", "issueLink", json=body).status_code == 201  # no second link
    links = api(sandbox, "GET", f"issue/{first}", params={"fields": "issuelinks"}).json()
    shown = links["fields"]["issuelinks"]
    assert [(link["type"]["name"], link["outwardIssue"]["key"]) for link in shown] == [
        ("Relates", second)
    ]
    other = api(sandbox, "GET", f"issue/{second}", params={"fields": "issuelinks"}).json()
    assert [link["inwardIssue"]["key"] for link in other["fields"]["issuelinks"]] == [first]
    types = api(sandbox, "GET", "issueLinkType").json()["issueLinkTypes"]
    assert "Relates" in {t["name"] for t in types}


def test_an_unknown_link_type_or_issue_is_refused(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    first = new_issue(site)
    unknown = {
        "type": {"name": "Spawns"},
        "inwardIssue": {"key": first},
        "outwardIssue": {"key": first},
    }
    answer = api(sandbox, "POST", "issueLink", json=unknown)
    assert answer.status_code == 404
    assert "Spawns" in answer.text
    missing = {
        "type": {"name": "Relates"},
        "inwardIssue": {"key": first},
        "outwardIssue": {"key": "INC-999"},
    }
    assert api(sandbox, "POST", "issueLink", json=missing).status_code == 404


def test_properties_given_at_create_are_stored_and_searchable_by_value(
    sandbox: SandboxHandle,
) -> None:
    seed_site(sandbox)
    body = {
        "fields": {"project": {"key": "INC"}, "summary": "Alert", "issuetype": {"name": "Task"}},
        "properties": [{"key": "escalation-agent-followup", "value": {"page": "9", "task": "1"}}],
    }
    made = api(sandbox, "POST", "issue", json=body)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    stored = api(sandbox, "GET", f"issue/{key}/properties/escalation-agent-followup").json()
    assert stored["value"] == {"page": "9", "task": "1"}
    found = api(
        sandbox,
        "GET",
        "search/jql",
        params={"jql": "creator = currentUser()", "properties": "escalation-agent-followup"},
    ).json()
    assert [i["properties"] for i in found["issues"] if i["key"] == key] == [
        {"escalation-agent-followup": {"page": "9", "task": "1"}}
    ]
