"""Each deployment answers only as the real one does: Data Center knows no account ids."""

from __future__ import annotations

import pytest
from jira.exceptions import JIRAError

from agent.sandbox.jira import seeding as jira
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle


def seed(sandbox: SandboxHandle) -> tuple[str, dict[str, object]]:
    sandbox.add_user("Agent", AGENT_EMAIL)
    dana = sandbox.add_user("Dana Developer", "dana@sandbox.example")
    jira.create_project(sandbox.ctx, "OPS", "Operations", "lead@sandbox.example")
    issue = jira.create_issue(
        sandbox.ctx,
        {"project": {"key": "OPS"}, "summary": "Down", "issuetype": {"name": "Task"}},
        "lead@sandbox.example",
    )
    return str(issue["key"]), dana


def test_data_center_people_are_name_and_key_only(sandbox_dc: SandboxHandle) -> None:
    key, dana = seed(sandbox_dc)
    client = sandbox_dc.jira()
    me = client.myself()
    assert me["name"] == "agent" and me["key"].startswith("JIRAUSER")
    assert "accountId" not in me and "accountType" not in me
    client.assign_issue(key, "dana")  # Data Center names people by username
    assignee = client.issue(key).raw["fields"]["assignee"]
    assert assignee["name"] == "dana" and "accountId" not in assignee
    with pytest.raises(JIRAError) as refused:  # an account id means nothing there
        client._session.put(
            f"{sandbox_dc.base}/rest/api/2/issue/{key}",
            json={"fields": {"assignee": {"accountId": dana["accountId"]}}},
        )
    assert refused.value.status_code == 400
    with pytest.raises(JIRAError):
        client.add_watcher(key, str(dana["accountId"]))


def test_cloud_people_are_account_ids_only(sandbox: SandboxHandle) -> None:
    key, dana = seed(sandbox)
    client = sandbox.jira()
    client.assign_issue(key, str(dana["accountId"]))
    assignee = client.issue(key).raw["fields"]["assignee"]
    assert assignee["accountId"] == dana["accountId"]
    assert "name" not in assignee and "key" not in assignee
