"""People whose Atlassian profile hides their email: Jira and Confluence Cloud never show it.

Through the real clients: the issue's people, comments, changelog, watchers,
``user/search`` and ``myself`` carry no ``emailAddress``; Confluence's authors an
empty ``email``; Slack still finds the person by it.
"""

from __future__ import annotations

import requests

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

HIDDEN = "hana@sandbox.example"


def seed(sandbox: SandboxHandle) -> str:
    sandbox.add_user("Agent", AGENT_EMAIL)
    person = sandbox.control(
        "POST", "users", {"name": "Hidden Hana", "email": HIDDEN, "email_visible": False}
    )
    assert person["email_visible"] is False
    jira.create_project(sandbox.ctx, "OPS", "Operations", "lead@sandbox.example")
    issue = jira.create_issue(
        sandbox.ctx,
        {
            "project": {"key": "OPS"},
            "summary": "Checkout fails",
            "issuetype": {"name": "Incident"},
            "assignee": {"accountId": person["accountId"]},
        },
        HIDDEN,
    )
    key = str(issue["key"])
    jira.add_comment(sandbox.ctx, key, "Looking.", HIDDEN)
    jira.edit_issue(sandbox.ctx, key, {"summary": "Checkout fails on EU"}, HIDDEN)
    return key


def test_jira_never_shows_a_hidden_email(sandbox: SandboxHandle) -> None:
    key = seed(sandbox)
    client = sandbox.jira()
    issue = client.issue(key, expand="changelog")
    people = [
        issue.raw["fields"]["assignee"],
        issue.raw["fields"]["reporter"],
        *(c.raw["author"] for c in client.comments(key)),
        *(h["author"] for h in issue.raw["changelog"]["histories"]),
        *(w.raw for w in client.watchers(key).watchers),
    ]
    assert people and all(p["displayName"] == "Hidden Hana" for p in people)
    assert all("emailAddress" not in p for p in people)
    found = client._session.get(f"{sandbox.base}/rest/api/2/user/search", params={"query": "hana"})
    assert [u["displayName"] for u in found.json()] == ["Hidden Hana"]
    assert "emailAddress" not in found.json()[0]
    own = requests.get(f"{sandbox.base}/rest/api/2/myself", auth=(HIDDEN, sandbox.token), timeout=5)
    assert own.json()["displayName"] == "Hidden Hana" and "emailAddress" not in own.json()
    # a person who shows their email keeps it
    agent = client.myself()
    assert agent["emailAddress"] == AGENT_EMAIL


def test_confluence_hides_it_and_slack_still_knows_it(sandbox: SandboxHandle) -> None:
    seed(sandbox)
    confluence.create_space(sandbox.ctx, "OPS", "Operations")
    page = confluence.create_page(sandbox.ctx, "OPS", "Runbook", "<p>x</p>", author_email=HIDDEN)
    read = sandbox.confluence().get_page_by_id(page["id"], expand="version,history")
    assert read["version"]["by"]["displayName"] == "Hidden Hana"
    assert read["version"]["by"]["email"] == ""
    slack = sandbox.slack().users_lookupByEmail(email=HIDDEN)
    assert slack["user"]["profile"]["email"] == HIDDEN


def test_a_bad_profile_setting_answers_400(sandbox: SandboxHandle) -> None:
    for extra in ({"email_visible": "no"}, {"timezone": "Mars/Olympus"}):
        answer = requests.post(
            f"{sandbox.base}/_sandbox/users",
            json={"name": "X", "email": "x@sandbox.example", **extra},
            timeout=5,
        )
        assert answer.status_code == 400, extra
