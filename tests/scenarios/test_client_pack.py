"""Client communication (CLI pack) end to end: the real CLI against the sandbox, through a day.

On a Monday in London an urgent ticket (Highest, CLI-1) and a low one (CLI-2)
are open. The Project Manager is added as a watcher on both; CLI-1 gets an
hourly update nudge by DM, once per missed slot (a second cycle at the same
time writes nothing); CLI-2, never updated, gets the 16:30 end-of-day nudge.
CLI-1 is closed without cause, resolution and prevention: a comment asks for
them and the incident response report is drafted with those sections still
to complete; CLI-2, closed with them set, gets no ask and a complete report.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 in London
RULES = "client-communication.yaml"
ALICE = "alice@sandbox.example"
BOB = "bob@sandbox.example"
PAUL = "paul@sandbox.example"
REPORTER = "rita@sandbox.example"
FIRST_NUDGE = re.compile(r"urgent_hourly:CLI-1:update@\d{4}-\d\d-\d\dT\d\d:\d\dZ#dm:")


def seed(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, START, ["CLI"])
    jira.create_custom_field(site.ctx, "Project Manager", "userpicker", None)
    jira.create_custom_field(site.ctx, "Prevention", "textarea", None)
    alice = site.person("Alice Assignee", ALICE)
    bob = site.person("Bob Builder", BOB)
    paul = site.person("Paul Manager", PAUL)
    site.person("Rita Reporter", REPORTER)
    confluence.create_space(site.ctx, "CLI", "Client incidents")
    slack.create_channel(site.ctx, "cli-status")
    for summary, priority, owner, impact in (
        ("Client portal is down", "Highest", alice, "Clients cannot log in"),
        ("Typo on invoice PDF", "Low", bob, "Invoices show the old company name"),
    ):
        jira.create_issue(
            site.ctx,
            {
                "project": {"key": "CLI"},
                "summary": summary,
                "issuetype": {"name": "Bug"},
                "priority": {"name": priority},
                "assignee": {"accountId": owner},
                "Project Manager": {"accountId": paul},
                "Impact": impact,
            },
            REPORTER,
        )
    return site


def keyed(messages: list[dict[str, Any]], part: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if part in str(m.get("metadata", {}).get("event_payload", {}).get("key", ""))
    ]


def hourly_nudges(site: Site) -> list[dict[str, Any]]:
    """Alice's first nudge of each missed hour (not repeats, escalations or "done" replies)."""
    found = keyed(dm_messages(site, ALICE), "urgent_hourly:CLI-1:update@")
    return [m for m in found if FIRST_NUDGE.match(m["metadata"]["event_payload"]["key"])]


def dm_messages(site: Site, email: str) -> list[dict[str, Any]]:
    dm, _existed = slack.open_dm(site.ctx, site.slack_id(email))
    return site.messages(str(dm["id"]))


def report_title(key: str, summary: str) -> str:
    return f"Incident response report {key}: {summary}"


def ran(site: Site, now: datetime) -> None:
    site.at(now)
    result = site.run_once(now, RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def nothing_written_again(site: Site, now: datetime) -> None:
    site.sandbox.clear_requests()
    again = site.run_once(now, RULES)
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.writes() == []


def comment_at(site: Site, at: datetime, key: str, text: str, email: str) -> None:
    site.at(at)
    jira.add_comment(site.ctx, key, text, email)


@pytest.mark.slow
def test_client_tickets_through_a_day(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = seed(sandbox, tmp_path)
    paul = site.ctx.users.by_email(PAUL)["accountId"]

    ran(site, START + timedelta(minutes=5))
    for key in ("CLI-1", "CLI-2"):  # the PM is copied on every ticket
        watchers = site.sandbox.jira().watchers(key).watchers
        assert paul in [w.accountId for w in watchers], key

    # urgent: an hour without an update -> the assignee is nudged by DM, once
    ten = START + timedelta(hours=1, minutes=5)
    ran(site, ten)
    (nudge,) = keyed(dm_messages(site, ALICE), "urgent_hourly:CLI-1:update@2026-11-23T10:00Z")
    assert "CLI-1 needs an update" in nudge["text"] and "every 1h" in nudge["text"]
    assert f"<@{site.slack_id(ALICE)}>" in nudge["text"]
    nothing_written_again(site, ten)
    assert len(keyed(dm_messages(site, ALICE), "urgent_hourly")) == 1

    # an update at 10:30 resets the hour: nothing at 11:05, a new slot's nudge at 11:35
    comment_at(
        site,
        START + timedelta(hours=1, minutes=30),
        "CLI-1",
        "Restarted the auth service; next update at 11:30.",
        ALICE,
    )
    ran(site, START + timedelta(hours=2, minutes=5))
    assert len(hourly_nudges(site)) == 1
    (done,) = keyed(dm_messages(site, ALICE), ":done")  # the update closes the first nudge
    assert done["thread_ts"] == nudge["ts"]
    half_past = START + timedelta(hours=2, minutes=35)
    ran(site, half_past)
    assert keyed(dm_messages(site, ALICE), "urgent_hourly:CLI-1:update@2026-11-23T11:30Z")
    assert len(hourly_nudges(site)) == 2
    nothing_written_again(site, half_past)

    # 16:30: CLI-2 was never updated -> end-of-day nudge to its assignee; CLI-1 was
    comment_at(
        site,
        START + timedelta(hours=7, minutes=10),
        "CLI-1",
        "Fix deployed, monitoring; next update at 17:10.",
        ALICE,
    )
    eod = START + timedelta(hours=7, minutes=35)
    ran(site, eod)
    (late,) = keyed(dm_messages(site, BOB), "eod_update_overdue")
    assert late["metadata"]["event_payload"]["issue"] == "CLI-2"
    assert "end-of-day (16:30) update" in late["text"]
    assert keyed(dm_messages(site, ALICE), "eod_update_overdue") == []

    # closed without cause, resolution and prevention: a comment asks for each, and the
    # report is drafted at once with those sections left "To be completed"
    site.at(START + timedelta(hours=7, minutes=40))
    jira.transition(site.ctx, "CLI-1", "Done", ALICE)
    ran(site, START + timedelta(hours=7, minutes=45))
    (ask,) = [c for c in agent_comments(site, "CLI-1") if "closure_missing_fields" in str(c)]
    for name in ("Root Cause", "Resolution Details", "Prevention"):
        assert name in str(ask["body"]), name
    draft = confluence.find_page(site.ctx, "CLI", report_title("CLI-1", "Client portal is down"))
    assert draft is not None
    drafted = confluence.page_body(site.ctx, draft["id"])
    assert "Clients cannot log in" in drafted and "To be completed" in drafted

    # CLI-2 is closed with cause, resolution and prevention set: no ask, a complete report
    site.at(START + timedelta(hours=7, minutes=50))
    jira.edit_issue(
        site.ctx,
        "CLI-2",
        {
            "Root Cause": "A template used the old company name",
            "Resolution Details": "Corrected the invoice template",
            "Prevention": "Invoice templates are reviewed on every rebrand",
        },
        BOB,
    )
    jira.transition(site.ctx, "CLI-2", "Done", BOB)
    five = START + timedelta(hours=8)
    ran(site, five)
    assert not [c for c in agent_comments(site, "CLI-2") if "closure_missing_fields" in str(c)]
    page = confluence.find_page(site.ctx, "CLI", report_title("CLI-2", "Typo on invoice PDF"))
    assert page is not None
    body = confluence.page_body(site.ctx, page["id"])
    for text in (
        "A template used the old company name",
        "Corrected the invoice template",
        "Invoice templates are reviewed on every rebrand",
        "Invoices show the old company name",
    ):
        assert text in body, text
    nothing_written_again(site, five + timedelta(minutes=5))
    assert confluence.page_body(site.ctx, page["id"]) == body
    assert len([c for c in agent_comments(site, "CLI-1") if "closure_missing" in str(c)]) == 1
