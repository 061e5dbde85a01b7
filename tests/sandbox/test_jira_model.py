"""The Python seeding API (no HTTP to build data; REST to check what it built),
persistence across a restart, and ADF conversion helpers."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from agent.sandbox.jira import adf
from agent.sandbox.jira import seeding as jira_seeding
from agent.sandbox.server import SandboxServer
from tests.sandbox.test_jira_fixtures import ALICE, BOB, START, api, seed_site
from tests.support.sandbox import TOKEN, SandboxHandle


def test_projects_and_fields(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    ctx = sandbox.ctx
    with pytest.raises(jira_seeding.SeedError, match="projectKey"):
        jira_seeding.create_project(ctx, "INC", "Another", ALICE)
    again = jira_seeding.create_custom_field(ctx, "Impact Level", "select", ["Critical"])
    assert again == site.fields["Impact Level"]  # same name and type: the same field
    assert jira_seeding.field_id_by_name(ctx, "impact level") == again
    with pytest.raises(KeyError):
        jira_seeding.field_id_by_name(ctx, "Nope")
    full = jira_seeding.create_custom_field(
        ctx, "Root Cause", "com.atlassian.jira.plugin.system.customfieldtypes:textarea"
    )
    assert full.startswith("customfield_")
    with pytest.raises(jira_seeding.SeedError):
        jira_seeding.create_custom_field(ctx, "Odd", "cascadingselect")


def test_create_issue_with_custom_fields_by_name(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    ctx = sandbox.ctx
    doc = jira_seeding.create_issue(
        ctx,
        {
            "project": {"key": "DS"},
            "summary": "Escalation",
            "issuetype": {"name": "Task"},
            "Impact Level": {"value": "Medium"},
            "Escalation Contact": {"accountId": site.account(BOB)},
        },
        ALICE,
    )
    assert doc["key"] == "DS-1"
    fields = api(sandbox, "GET", "issue/DS-1").json()["fields"]
    assert fields[site.fields["Impact Level"]]["value"] == "Medium"
    assert fields[site.fields["Escalation Contact"]]["emailAddress"] == BOB
    assert fields["reporter"]["emailAddress"] == ALICE
    assert fields["created"] == "2026-11-22T09:00:00.000+0000"
    with pytest.raises(jira_seeding.SeedError, match="summary"):
        jira_seeding.create_issue(
            ctx, {"project": {"key": "DS"}, "issuetype": {"name": "Task"}}, ALICE
        )


def test_comment_transition_and_edit_leave_history(sandbox: SandboxHandle) -> None:
    site = seed_site(sandbox)
    ctx = sandbox.ctx
    jira_seeding.create_issue(
        ctx,
        {"project": {"key": "INC"}, "summary": "S", "issuetype": {"name": "Incident"}},
        ALICE,
    )
    sandbox.set_clock(START + timedelta(minutes=5))
    comment = jira_seeding.add_comment(
        ctx, "INC-1", "Paged on-call", BOB, {"escalation-agent": {"n": 1}}
    )
    jira_seeding.transition(ctx, "INC-1", "In Progress", BOB)
    jira_seeding.edit_issue(ctx, "INC-1", {"Impact Level": {"value": "High"}}, ALICE)
    jira_seeding.transition(ctx, "INC-1", "Done", ALICE)
    listed = api(sandbox, "GET", "issue/INC-1/comment", params={"expand": "properties"}).json()[
        "comments"
    ]
    assert listed[0]["id"] == comment["id"]
    assert listed[0]["author"]["emailAddress"] == BOB
    assert listed[0]["properties"] == [{"key": "escalation-agent", "value": {"n": 1}}]
    histories = api(sandbox, "GET", "issue/INC-1/changelog").json()["values"]
    fields_changed = [[i["field"] for i in h["items"]] for h in histories]
    assert fields_changed == [["status"], ["Impact Level"], ["status", "resolution"]]
    assert histories[0]["author"]["emailAddress"] == BOB
    assert histories[0]["created"] == "2026-11-22T09:05:00.000+0000"
    issue = site.issue("INC-1")
    assert issue["fields"]["resolution"] == "10000"
    with pytest.raises(jira_seeding.SeedError):
        jira_seeding.transition(ctx, "INC-1", "Closed", ALICE)


def test_bulk_create_ten_thousand_issues_quickly(sandbox: SandboxHandle) -> None:
    seed_site(sandbox)
    batch = [
        {
            "project": {"key": "INC"},
            "summary": f"Issue {n}",
            "issuetype": {"name": "Task"},
            "priority": {"name": "High" if n % 2 else "Low"},
            "labels": ["bulk"],
        }
        for n in range(10_000)
    ]
    started = time.perf_counter()
    made = jira_seeding.bulk_create(sandbox.ctx, batch, ALICE)
    elapsed = time.perf_counter() - started
    assert len(made) == 10_000
    assert made[-1]["key"] == "INC-10000"
    assert elapsed < 15, f"bulk_create took {elapsed:.1f} s"
    page = api(
        sandbox,
        "GET",
        "search/jql",
        params={"jql": "project = INC AND priority = High ORDER BY key DESC", "maxResults": 5},
    ).json()
    assert [i["key"] for i in page["issues"]] == [
        f"INC-{n}" for n in (10000, 9998, 9996, 9994, 9992)
    ]
    assert page["isLast"] is False


def test_data_survives_a_restart(tmp_path: Path) -> None:
    first = SandboxServer(port=0, token=TOKEN, data_dir=tmp_path)
    jira_seeding.create_project(first.ctx, "INC", "Incidents", ALICE)
    field = jira_seeding.create_custom_field(first.ctx, "Impact Level", "select", ["High"])
    jira_seeding.create_issue(
        first.ctx,
        {
            "project": {"key": "INC"},
            "summary": "Persisted",
            "issuetype": {"name": "Task"},
            field: {"value": "High"},
        },
        ALICE,
    )
    jira_seeding.add_comment(first.ctx, "INC-1", "kept", ALICE)
    first.ctx.store.close()
    second = SandboxServer(port=0, token=TOKEN, data_dir=tmp_path)
    issue = jira_seeding.get_issue(second.ctx, "inc-1")
    assert issue["fields"]["summary"] == "Persisted"
    assert issue["comments"][0]["body"] == "kept"
    again = jira_seeding.create_issue(
        second.ctx,
        {"project": {"key": "INC"}, "summary": "Next", "issuetype": {"name": "Task"}},
        ALICE,
    )
    assert again["key"] == "INC-2"
    second.ctx.store.close()


def test_adf_round_trip_helpers() -> None:
    doc = adf.text_to_adf("Line one\nline two\n\nSecond paragraph")
    assert adf.adf_errors(doc) == []
    assert doc["content"][0]["content"][1] == {"type": "hardBreak"}
    assert adf.adf_to_text(doc) == "Line one\nline two\n\nSecond paragraph"
    listed = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "a"}]}
                        ],
                    }
                ],
            },
            {
                "type": "paragraph",
                "content": [{"type": "mention", "attrs": {"id": "712020:abc", "text": "@A"}}],
            },
        ],
    }
    assert adf.adf_errors(listed) == []
    assert adf.adf_to_text(listed) == "* a\n[~accountid:712020:abc]"
    assert adf.adf_errors({"type": "doc", "version": 1, "content": [{"type": "bogus"}]})
    assert adf.adf_errors("text")
