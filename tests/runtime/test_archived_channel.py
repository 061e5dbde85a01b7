"""An escalation channel someone archives: the agent opens a successor, once (issue #13, item 1).

On Slack, archiving removes every member, and a bot token can neither unarchive
nor rejoin the channel. Full cycles of the in-process agent against the sandbox
over HTTP (real slack-sdk and jira clients): a person archives the ticket's
channel with ``/_sandbox/slack/archive``; the agent finds out (reading the
channel for updates, or posting into it), opens ``<name>-2`` with the same
people, says there which channel it replaces, pins the ticket, comments and
links the new channel on the ticket, reports it once, and then is quiet.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from agent.runtime.report import CycleReport
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.runtime.paperwork_site import DEV, LEAD, PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

POLICY = """
name: war-rooms
description: a channel per incident, updates counted in it
select: {projects: [PAP]}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
channels: {escalation: "pap-{number}-{summary}"}
updates: {sources: [jira_comment, channel_message], by: [assignee]}
rules:
  - rule: clerical_channel
    invite: [assignee, reporter]
  - rule: progress_overdue
    within: 2h
    to: [assignee]
    notify: [escalation_channel]
    repeat: 2h
"""
NAME = "pap-1-checkout-returns-500"


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path, POLICY)


@pytest.fixture
def unread_site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    """Only Jira comments count as updates: the agent never reads the channel."""
    yield from open_site(sandbox, tmp_path, POLICY.replace(", channel_message]", "]"))


def archive_as(sandbox: SandboxHandle, email: str, channel: str) -> None:
    answer = requests.post(
        f"{sandbox.base}/_sandbox/slack/archive", json={"as": email, "channel": channel}, timeout=5
    )
    assert answer.status_code == 200, answer.text


def say(sandbox: SandboxHandle, email: str, channel: str, text: str) -> None:
    answer = requests.post(
        f"{sandbox.base}/_sandbox/slack/post",
        json={"as": email, "channel": channel, "text": text},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text


def agent_keys(site: PaperSite, channel_id: str) -> list[str]:
    return [
        m["metadata"]["event_payload"]["key"]
        for m in slack.channel_messages(site.ctx, channel_id)
        if m.get("metadata")
    ]


def archived_lines(reports: list[CycleReport]) -> list[str]:
    return [p for r in reports for p in r.problems if "was archived" in p]


def test_an_archived_channel_gets_one_successor_with_the_same_people(site: PaperSite) -> None:
    key = site.incident()
    first = site.cycle(later(minutes=1))
    assert first.total_failed == 0, first.failures
    old = slack.find_channel(site.ctx, NAME)
    assert old is not None
    people = {site.ctx.users.by_email(e)["slackId"] for e in (DEV, LEAD)}
    assert people <= set(old["members"])
    say(site.sandbox, DEV, old["id"], "Looking at the logs now")  # an update, in the channel

    archive_as(site.sandbox, LEAD, f"#{NAME}")  # a tidy-up: everyone is out, the bot too
    reports = [site.cycle(later(minutes=30 + 10 * n)) for n in range(4)]

    assert [r.total_failed for r in reports] == [0, 0, 0, 0], [r.failures for r in reports]
    successor = slack.find_channel(site.ctx, f"{NAME}-2")
    assert successor is not None and not successor["is_archived"]
    assert slack.find_channel(site.ctx, f"{NAME}-3") is None
    assert people <= set(successor["members"])  # the same people, in one invite
    assert key in successor["topic"]["value"]
    keys = agent_keys(site, successor["id"])
    assert keys[:2] == [
        "clerical_channel:PAP-1:channel@2:replaces",
        "clerical_channel:PAP-1:channel:intro@2",
    ]
    messages = {
        m["metadata"]["event_payload"]["key"]: m
        for m in slack.channel_messages(site.ctx, successor["id"])
        if m.get("metadata")
    }
    replaces = messages["clerical_channel:PAP-1:channel@2:replaces"]
    assert f"<#{old['id']}>" in replaces["text"]
    assert "archiv" in replaces["text"]
    intro = messages["clerical_channel:PAP-1:channel:intro@2"]
    assert [pin["ts"] for pin in successor["pins"]] == [intro["ts"]]
    # the ticket links the new channel and says so; the old link stays (its history)
    titles = [link["object"]["title"] for link in site.remote_links(key)]
    assert titles == [f"Slack #{NAME}", f"Slack #{NAME}-2"]
    bodies = [str(c["body"]).replace("\\", "") for c in jira.get_issue(site.ctx, key)["comments"]]
    assert len([b for b in bodies if f"#{NAME}-2" in b]) == 1, bodies
    # reported once, not every cycle; the bot never tried to unarchive or rejoin
    assert len(archived_lines(reports)) == 1, [r.problems for r in reports]
    calls = [e["path"] for e in site.sandbox.requests_log()]
    assert "/api/conversations.unarchive" not in calls
    assert slack.get_channel(site.ctx, old["id"])["is_archived"] is True  # type: ignore[index]

    # the update given in the archived channel still counts: no nudge for two hours
    nudges = [k for k in agent_keys(site, successor["id"]) if k.startswith("progress_overdue")]
    assert nudges == []
    site.sandbox.clear_requests()
    quiet = site.cycle(later(minutes=75))
    assert (quiet.total_failed, archived_lines([quiet])) == (0, [])
    writes = [e for e in site.sandbox.requests_log() if e["path"].startswith("/api/")]
    assert not [e for e in writes if "conversations.create" in e["path"]]


def test_a_post_into_an_archived_channel_is_how_the_agent_finds_out(
    unread_site: PaperSite,
) -> None:
    """Nobody reads the channel for updates here: the refused nudge tells the agent."""
    site = unread_site
    site.incident()
    site.cycle(later(minutes=1))
    archive_as(site.sandbox, LEAD, f"#{NAME}")
    reports: list[CycleReport] = []
    for minutes in (130, 140, 150):  # the progress nudge is due after two hours
        reports.append(site.cycle(later(minutes=minutes)))
    successor = slack.find_channel(site.ctx, f"{NAME}-2")
    assert successor is not None
    keys = agent_keys(site, successor["id"])
    assert any(k.startswith("progress_overdue") for k in keys), keys
    assert len(archived_lines(reports)) == 1
    failed: list[Any] = [f for r in reports for f in r.failures]
    assert len(failed) <= 1  # at most the nudge that met the archived channel, retried there
