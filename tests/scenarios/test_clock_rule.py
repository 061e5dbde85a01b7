"""A clock rule end to end (support pack): acknowledge within 15 minutes or be nudged.

A ticket made in Jira gets its incident thread in #operator-support (one message the
agent posts, whose label the ticket then carries). The nudge goes to that thread once;
a second cycle at the same moment writes nothing; the repeat replies in the same
thread; once the assignee acknowledges, the thread gets a "done" reply. A reply in the
thread by the assignee acknowledges as a comment does, and neither a repeated cycle nor
a lost state file opens a second thread.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Malta
RULES = "support-p1-p4.yaml"
ALICE = "alice@sandbox.example"
REPORTER = "rita@sandbox.example"


def seed(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, START, ["SUP"])
    alice = site.person("Alice Assignee", ALICE)
    site.person("Rita Reporter", REPORTER)
    site.person("Sam Lead", "support-lead@sandbox.example")
    slack.create_channel(site.ctx, "operator-support", site.slack_id(ALICE))
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "SUP"},
            "summary": "Bets are not settled",
            "description": "Since 09:40 no bet on the EU site settles.",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Highest"},
            "assignee": {"accountId": alice},
            "Severity": {"value": "P1"},
            "Product Impacted": "Sportsbook",
            "Impact": "No bet settles for EU players",
            "Time of Occurrence": "2026-11-23T09:40:00.000+0000",
        },
        REPORTER,
    )
    return site


def channel_messages(site: Site) -> list[dict[str, Any]]:
    """#operator-support's messages, thread replies included."""
    return site.messages(str(site.channel("operator-support")["id"]))


def opened_thread(site: Site) -> dict[str, Any]:
    """The one message the agent opened SUP-1's thread with, which the ticket's label names."""
    (opener,) = keyed(channel_messages(site), "slack_intake:SUP-1:thread")
    assert opener.get("thread_ts") in (None, opener["ts"])  # top level
    assert "SUP-1" in opener["text"] and "Bets are not settled" in opener["text"]
    channel = site.channel("operator-support")["id"]
    assert f"slack-thread-{channel}-{opener['ts']}" in site.issue("SUP-1")["fields"]["labels"]
    return opener


def keyed(messages: list[dict[str, Any]], part: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if part in str(m.get("metadata", {}).get("event_payload", {}).get("key", ""))
    ]


@pytest.mark.slow
def test_ack_overdue_nudges_once_repeats_in_thread_and_closes(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    early = START + timedelta(minutes=1)
    site.at(early)
    setup = site.run_once(early, RULES)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert keyed(channel_messages(site), "ack_overdue") == []  # not due yet
    opener = opened_thread(site)
    (ask,) = [c for c in agent_comments(site, "SUP-1") if "intake" in str(c["properties"])]
    assert "*evidence* is required" in str(ask["body"])  # the description was read: only this

    overdue = START + timedelta(minutes=16)
    site.at(overdue)
    nudging = site.run_once(overdue, RULES)
    assert nudging.returncode == 0, nudging.stdout + nudging.stderr
    (nudge,) = keyed(channel_messages(site), "ack_overdue")
    assert nudge["thread_ts"] == opener["ts"]  # in the incident's thread
    assert f"<@{site.slack_id(ALICE)}>" in nudge["text"]
    assert "reply in this thread or comment on the ticket" in nudge["text"]  # replies count here
    assert nudge["metadata"]["event_type"] == "escalation_agent_ack_overdue"
    assert nudge["metadata"]["event_payload"]["issue"] == "SUP-1"

    site.sandbox.clear_requests()
    same = site.run_once(overdue, RULES)
    assert same.returncode == 0, same.stdout + same.stderr
    assert site.writes() == []
    assert len(keyed(channel_messages(site), "ack_overdue")) == 1

    later = START + timedelta(minutes=31)
    site.at(later)
    repeating = site.run_once(later, RULES)
    assert repeating.returncode == 0, repeating.stdout + repeating.stderr
    (repeat,) = keyed(channel_messages(site), ":repeat@")
    assert repeat["thread_ts"] == opener["ts"]  # the same thread (Slack has no nested ones)

    jira.add_comment(site.ctx, "SUP-1", "Looking into it now", ALICE)
    acked = START + timedelta(minutes=33)
    site.at(acked)
    closing = site.run_once(acked, RULES)
    assert closing.returncode == 0, closing.stdout + closing.stderr
    done = [
        m
        for m in keyed(channel_messages(site), ":done#")
        if m["metadata"]["event_payload"]["rule"] == "ack_overdue"
    ]
    assert [m["thread_ts"] for m in done] == [opener["ts"]]
    assert opened_thread(site)["ts"] == opener["ts"]  # one thread, for good


@pytest.mark.slow
def test_a_reply_in_the_thread_acknowledges_and_a_lost_state_opens_no_second_thread(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    early = START + timedelta(minutes=1)
    site.at(early)
    first = site.run_once(early, RULES)
    assert first.returncode == 0, first.stdout + first.stderr
    opener = opened_thread(site)

    os.remove(tmp_path / "state.db")  # the state file is lost before the label is read
    again = START + timedelta(minutes=2)
    site.at(again)
    recovered = site.run_once(again, RULES)
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert opened_thread(site)["ts"] == opener["ts"]
    site.sandbox.clear_requests()
    quiet_thread = site.run_once(START + timedelta(minutes=3), RULES)
    assert quiet_thread.returncode == 0, quiet_thread.stdout + quiet_thread.stderr
    reads = [e for e in site.sandbox.requests_log() if e["path"] == "/api/conversations.replies"]
    assert reads == []  # the channel's listing shows nobody replied: the thread is not read

    site.at(START + timedelta(minutes=5))
    body = {
        "as": ALICE,
        "channel": "#operator-support",
        "text": "Acknowledged, looking at settlement now",
        "thread_ts": opener["ts"],
    }
    answer = requests.post(f"{site.sandbox.base}/_sandbox/slack/post", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    overdue = START + timedelta(minutes=16)
    site.at(overdue)
    quiet = site.run_once(overdue, RULES)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert keyed(channel_messages(site), "ack_overdue") == []  # acknowledged in the thread
    copies = [c for c in agent_comments(site, "SUP-1") if "copy@" in str(c["properties"])]
    assert len(copies) == 1  # Jira holds the record of the thread
