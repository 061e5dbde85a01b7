"""Comments: v2 strings through the client, v3 ADF through REST (validated),
properties, paging and ordering, authorship and times from the sandbox clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sandbox.test_jira_fixtures import ALICE, BOB, START, api, new_issue, seed_site
from tests.support.sandbox import SandboxHandle

ADF = {
    "type": "doc",
    "version": 1,
    "content": [
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "Escalated to "},
                {"type": "text", "text": "L2", "marks": [{"type": "strong"}]},
            ],
        }
    ],
}


def test_v2_comment_through_the_client(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    comment = sandbox.jira(BOB).add_comment(key, "Looking into it")
    assert comment.body == "Looking into it"
    assert comment.author.emailAddress == BOB
    assert comment.updateAuthor.emailAddress == BOB
    assert comment.created == "2026-11-22T09:00:00.000+0000"
    listed = sandbox.jira(ALICE).comments(key)
    assert [c.body for c in listed] == ["Looking into it"]
    assert site.issue(key)["fields"]["updated"] == "2026-11-22T09:00:00.000+0000"


def test_v3_comment_is_adf_and_reads_back_as_text_in_v2(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    response = api(sandbox, "POST", f"issue/{key}/comment", version="3", json={"body": ADF})
    assert response.status_code == 201
    created = response.json()
    assert created["body"] == ADF
    v2 = api(sandbox, "GET", f"issue/{key}/comment/{created['id']}").json()
    assert v2["body"] == "Escalated to L2"
    plain = sandbox.jira(ALICE).add_comment(key, "Plain words")
    v3 = api(sandbox, "GET", f"issue/{key}/comment/{plain.id}", version="3").json()
    assert v3["body"]["type"] == "doc"
    assert v3["body"]["content"][0]["content"][0]["text"] == "Plain words"


@pytest.mark.no_spec_check
def test_invalid_adf_and_empty_bodies_are_400(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    broken = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": "x"}]}
    cases = [
        ("3", {"body": "just a string"}),
        ("3", {"body": broken}),
        ("3", {"body": {"type": "doc", "version": 1, "content": [{"type": "nonsense"}]}}),
        ("2", {"body": ""}),
        ("2", {"body": {"not": "a string"}}),
        ("2", {}),
    ]
    for version, payload in cases:
        response = api(sandbox, "POST", f"issue/{key}/comment", version=version, json=payload)
        assert response.status_code == 400, (version, payload, response.text)
        assert "comment" in response.json()["errors"]
    assert site.issue(key)["comments"] == []


def test_comment_properties_on_create_and_by_key(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    marker = {"rule": "ds-reason-required", "run": 3}
    response = api(
        sandbox,
        "POST",
        f"issue/{key}/comment",
        json={
            "body": "Reason missing",
            "properties": [{"key": "escalation-agent", "value": marker}],
        },
    )
    assert response.status_code == 201
    comment_id = response.json()["id"]
    listed = api(sandbox, "GET", f"issue/{key}/comment", params={"expand": "properties"}).json()
    assert listed["comments"][0]["properties"] == [{"key": "escalation-agent", "value": marker}]
    without = api(sandbox, "GET", f"issue/{key}/comment").json()
    assert "properties" not in without["comments"][0]
    prop = api(sandbox, "GET", f"comment/{comment_id}/properties/escalation-agent").json()
    assert prop == {"key": "escalation-agent", "value": marker}
    updated = api(
        sandbox, "PUT", f"comment/{comment_id}/properties/escalation-agent", json={"a": 1}
    )
    assert updated.status_code == 200
    new = api(sandbox, "PUT", f"comment/{comment_id}/properties/other", json=[1, 2])
    assert new.status_code == 201
    keys = api(sandbox, "GET", f"comment/{comment_id}/properties").json()["keys"]
    assert [k["key"] for k in keys] == ["escalation-agent", "other"]
    assert api(sandbox, "GET", f"comment/{comment_id}/properties/none").status_code == 404
    assert api(sandbox, "GET", "comment/999999/properties/x").status_code == 404


def test_comment_paging_and_order(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    client = sandbox.jira(ALICE)
    for number in range(5):
        sandbox.set_clock(START + timedelta(minutes=number))
        client.add_comment(key, f"c{number}")
    page = api(sandbox, "GET", f"issue/{key}/comment", params={"startAt": 1, "maxResults": 2})
    body = page.json()
    assert (body["startAt"], body["maxResults"], body["total"]) == (1, 2, 5)
    assert [c["body"] for c in body["comments"]] == ["c1", "c2"]
    newest = api(sandbox, "GET", f"issue/{key}/comment", params={"orderBy": "-created"}).json()
    assert [c["body"] for c in newest["comments"]] == ["c4", "c3", "c2", "c1", "c0"]
    assert newest["comments"][0]["created"] == "2026-11-22T09:04:00.000+0000"


def test_edit_and_delete_a_comment(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    comment = sandbox.jira(ALICE).add_comment(key, "first")
    sandbox.set_clock(START + timedelta(hours=2))
    bob_view = sandbox.jira(BOB).comment(key, comment.id)
    bob_view.update(body="edited")
    again = sandbox.jira(ALICE).comment(key, comment.id)
    assert again.body == "edited"
    assert again.author.emailAddress == ALICE
    assert again.updateAuthor.emailAddress == BOB
    assert again.updated == "2026-11-22T11:00:00.000+0000"
    assert again.created == "2026-11-22T09:00:00.000+0000"
    again.delete()
    assert sandbox.jira(ALICE).comments(key) == []
    missing = api(sandbox, "GET", f"issue/{key}/comment/{comment.id}")
    assert missing.status_code == 404


def test_comment_via_update_and_in_issue_fields(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    key = new_issue(site)
    response = api(
        sandbox,
        "PUT",
        f"issue/{key}",
        json={"update": {"comment": [{"add": {"body": "via update"}}]}},
    )
    assert response.status_code == 204
    fields = api(sandbox, "GET", f"issue/{key}", params={"fields": "comment"}).json()["fields"]
    assert fields["comment"]["total"] == 1
    assert fields["comment"]["comments"][0]["body"] == "via update"
