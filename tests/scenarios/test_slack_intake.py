"""Support intake in Slack, end to end through the sandbox and the CLI (the support pack: one
shared channel, 002).

An operator reports in #operator-support; one cycle later it is one SUP ticket whose key,
link and missing report items are replied in the report's thread. Nobody answering for 15
minutes of the message gets support nudged in that thread; the support lead's reply there
acknowledges it, and is copied to the ticket once. Neither a repeated cycle, nor a crash
between creating the ticket and replying, nor a lost state makes a second ticket or reply.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from agent.runtime.first_contact import declare_first_contact
from agent.sandbox.jira.documents import ISSUE
from agent.sandbox.slack import workspace as slack
from agent.store import open_store
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 11:00 in Malta
RULES = "support-p1-p4.yaml"
OLGA = "olga@operator.example"
LEAD = "support-lead@sandbox.example"
GINA = "gina@sandbox.example"  # in @gamnify-support, holding no role on any ticket
EVE = "eve@operator.example"  # an operator's colleague
REPORT = (
    "Bundesliga odds feed stopped updating\n"
    "Product Impacted: Scheduled Feed for Bundliga\n"
    "Impact: in-play markets suspended since 10:55\n"
    "Severity: P1"
)


def seed(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, START, ["SUP"])
    site.person("Olga Operator", OLGA)
    site.person("Sam Lead", LEAD)
    site.person("Gina Support", GINA)
    site.person("Eve Operator", EVE)
    slack.create_channel(site.ctx, "operator-support", site.slack_id(LEAD))
    slack.create_usergroup(
        site.ctx, "gamnify-support", "Gamnify support", [site.slack_id(LEAD), site.slack_id(GINA)]
    )
    return site


def post_as(site: Site, email: str, text: str, thread_ts: str | None = None) -> str:
    body: dict[str, Any] = {"as": email, "channel": "#operator-support", "text": text}
    if thread_ts:
        body["thread_ts"] = thread_ts
    answer = requests.post(f"{site.sandbox.base}/_sandbox/slack/post", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["ts"])


def thread(site: Site, ts: str) -> list[dict[str, Any]]:
    channel = site.channel("operator-support")
    return [
        m
        for m in slack.channel_messages(site.ctx, str(channel["id"]))
        if m.get("thread_ts") == ts and m["ts"] != ts
    ]


def by_agent(messages: list[dict[str, Any]], part: str) -> list[dict[str, Any]]:
    return [
        m
        for m in messages
        if part in str(m.get("metadata", {}).get("event_payload", {}).get("key", ""))
    ]


def sup_issues(site: Site) -> list[str]:
    return sorted(str(doc["key"]) for doc in site.ctx.store.all(ISSUE))


def run_once(site: Site, now: datetime) -> subprocess.CompletedProcess[str]:
    return site.run_once(now, RULES)


def running_since(site: Site, at: datetime) -> None:
    store = open_store(site.env(RULES)["AGENT_STATE_URL"])
    try:
        declare_first_contact(store, "support-p1-p4", at)
    finally:
        store.close()


def cycle(site: Site, now: datetime) -> None:
    site.at(now)
    result = run_once(site, now)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_a_report_becomes_one_ticket_nudged_then_acknowledged_in_its_thread(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    running_since(site, START - timedelta(hours=1))
    site.at(START)
    post_as(site, OLGA, "joined to say hi, no: this is a report too?")  # a report (top level)
    site.at(START + timedelta(minutes=1))
    report = post_as(site, OLGA, REPORT)

    cycle(site, START + timedelta(minutes=2))
    assert sup_issues(site) == ["SUP-1", "SUP-2"]
    made = site.issue("SUP-2")["fields"]
    assert made["summary"] == "Bundesliga odds feed stopped updating"
    assert f"slack-report-{site.channel('operator-support')['id']}-{report}" in made["labels"]
    olga = site.ctx.users.by_email(OLGA)
    assert made["reporter"] == olga["accountId"]
    described = str(made["description"])  # names the reporter as Jira does, not by address
    assert olga["displayName"] in described and OLGA not in described
    assert site.field("SUP-2", "Severity") and not site.field("SUP-1", "Severity")
    (logged,) = by_agent(thread(site, report), ":reply")
    assert "SUP-2" in logged["text"] and "/browse/SUP-2" in logged["text"]
    assert "*description, evidence*" in logged["text"]  # what the report still lacks

    cycle(site, START + timedelta(minutes=3))  # the same again: nothing new
    assert sup_issues(site) == ["SUP-1", "SUP-2"]
    assert len(by_agent(thread(site, report), ":reply")) == 1

    cycle(site, START + timedelta(minutes=16))  # 15 minutes after the message: nudged
    (nudge,) = by_agent(thread(site, report), "ack_overdue")
    assert "SUP-2" in nudge["text"]

    site.at(START + timedelta(minutes=17))
    answer = post_as(site, LEAD, "Acknowledged, P1 agreed; looking at the feed", report)
    cycle(site, START + timedelta(minutes=31))  # acknowledged: no repeat, the thread is done
    replies = thread(site, report)
    assert len(by_agent(replies, "ack_overdue")) == 2  # the nudge and its "done" reply
    assert "done" in str(by_agent(replies, ":done")[0]["text"]).lower() or by_agent(
        replies, ":done"
    )
    copies = [c for c in agent_comments(site, "SUP-2") if f"copy@{answer}" in str(c)]
    assert len(copies) == 1
    assert "Copied from the Slack thread" in str(copies[0]["body"])
    lead = site.ctx.users.by_email(LEAD)
    assert lead["displayName"] in str(copies[0]["body"]) and LEAD not in str(copies[0]["body"])
    cycle(site, START + timedelta(minutes=32))
    assert len([c for c in agent_comments(site, "SUP-2") if f"copy@{answer}" in str(c)]) == 1


@pytest.mark.slow
def test_a_lost_state_makes_no_second_ticket_or_reply(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    running_since(site, START - timedelta(hours=1))
    site.at(START)
    report = post_as(site, OLGA, REPORT)
    cycle(site, START + timedelta(minutes=1))
    assert sup_issues(site) == ["SUP-1"]
    os.remove(tmp_path / "state.db")  # the state file is lost
    running_since(site, START - timedelta(hours=1))
    cycle(site, START + timedelta(minutes=2))
    assert sup_issues(site) == ["SUP-1"]
    assert len(by_agent(thread(site, report), ":reply")) == 1


@pytest.mark.slow
def test_a_crash_after_creating_the_ticket_neither_recreates_it_nor_replies_twice(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    """The ticket is made, then Slack refuses the reply (as a crash before it would leave
    it): the next cycles find the ticket by its label and reply once."""
    site = seed(sandbox, tmp_path)
    running_since(site, START - timedelta(hours=1))
    site.at(START)
    report = post_as(site, OLGA, REPORT)
    sandbox.control(
        "POST",
        "faults",
        {"rate": 1.0, "statuses": [503], "retry_after": 0, "path": "chat.postMessage"},
    )
    site.at(START + timedelta(minutes=1))
    result = run_once(site, START + timedelta(minutes=1))
    assert result.returncode == 1, result.stdout + result.stderr  # the reply is left undone
    assert sup_issues(site) == ["SUP-1"]
    assert by_agent(thread(site, report), ":reply") == []
    sandbox.control("POST", "faults", {"rate": 0.0})
    cycle(site, START + timedelta(minutes=2))
    cycle(site, START + timedelta(minutes=3))
    assert sup_issues(site) == ["SUP-1"]
    assert len(by_agent(thread(site, report), ":reply")) == 1


@pytest.mark.slow
def test_a_reply_by_a_member_of_the_support_group_acknowledges(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    """Nobody is assigned: Gina, in @gamnify-support, answering one report acknowledges it;
    Eve, not in the group, answering the other does not, and that one is nudged."""
    site = seed(sandbox, tmp_path)
    running_since(site, START - timedelta(hours=1))
    site.at(START)
    answered = post_as(site, OLGA, REPORT)
    other = post_as(site, OLGA, "Live scores delayed\nSeverity: P3")
    cycle(site, START + timedelta(minutes=1))
    assert sup_issues(site) == ["SUP-1", "SUP-2"]
    site.at(START + timedelta(minutes=5))
    post_as(site, GINA, "Seen, looking at the feed now", answered)
    post_as(site, EVE, "Same here on our side", other)
    cycle(site, START + timedelta(minutes=16))
    assert by_agent(thread(site, answered), "ack_overdue") == []
    (nudge,) = by_agent(thread(site, other), "ack_overdue")
    assert "SUP-2" in nudge["text"]
