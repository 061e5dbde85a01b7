"""``plan`` and ``status`` tell the truth about what is owed, through the sandbox and the CLI.

An obligation that is due but waits (outside business hours, held by a limit,
nobody in the role) is listed with why and when it will fire; ``status`` shows
each escalation's earliest obligation not yet met, in the policy's time zone
with the zone named, so after an acknowledgement it is the next update.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 18, 40, tzinfo=UTC)  # Monday 19:40 in Malta, closing at 20:00
ALICE = "alice@sandbox.example"
REPORTER = "rita@sandbox.example"

POLICY = """\
name: support-truth
description: Acknowledge within 15 minutes, update every 30, at most two at once.
select: {projects: [SUP]}
timezone: Europe/Malta
business_hours: {start: "08:00", end: "20:00", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
channels: {escalation: "sup-{number}-{summary}"}
updates: {sources: [jira_comment, channel_message], by: [assignee]}
fallback: []  # nobody stands in for an empty role: its DM waits for someone to be named
rules:
  - rule: limit_active
    max: 2
  - rule: clerical_channel
    invite: [reporter, assignee]
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [dm]
  - rule: update_overdue
    every: 30m
    to: [assignee]
    notify: [escalation_channel]
"""


def seed(sandbox: SandboxHandle, tmp_path: Path, tickets: int) -> tuple[Site, str]:
    site = build_site(sandbox, tmp_path, START, ["SUP"])
    alice = site.person("Alice Assignee", ALICE)
    site.person("Rita Reporter", REPORTER)
    for number in range(tickets):
        sandbox.set_clock(START + timedelta(minutes=number), frozen=True)
        fields: dict[str, Any] = {
            "project": {"key": "SUP"},
            "summary": f"Bets are not settled {number + 1}",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Highest"},
        }
        if number != 1:  # SUP-2 has no assignee
            fields["assignee"] = {"accountId": alice}
        jira.create_issue(site.ctx, fields, REPORTER)
    rules = tmp_path / "support-truth.yaml"
    rules.write_text(POLICY)
    return site, str(rules)


def cli_json(site: Site, rules: str, *args: str) -> dict[str, Any]:
    result = site.cli([*args, "--json"], rules)
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(json.loads(result.stdout))


def plain(site: Site, rules: str, *args: str) -> str:
    result = site.cli([*args, "--no-color"], rules)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def row_of(status: dict[str, Any], issue: str) -> dict[str, Any]:
    return next(e for e in status["escalations"] if e["issue"] == issue)


@pytest.mark.slow
def test_status_after_an_acknowledgement_shows_the_next_update(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site, rules = seed(sandbox, tmp_path, tickets=1)
    first = START + timedelta(minutes=1)
    site.at(first)
    assert site.run_once(first, rules).returncode == 0

    before = row_of(cli_json(site, rules, "status", "--now", first.isoformat()), "SUP-1")
    assert before["timezone"] == "Europe/Malta"
    assert before["next_due"] == {
        "item": "ack",
        "rule": "ack_overdue",
        "due": "2026-11-23T19:55:00+01:00",
        "overdue": False,
        "reason": "SUP-1 was not acknowledged within 15m of reporting.",
        "waiting": None,
    }

    sandbox.set_clock(START + timedelta(minutes=10), frozen=True)
    jira.add_comment(site.ctx, "SUP-1", "Looking into it now", ALICE)
    read = START + timedelta(minutes=11)
    site.at(read)
    assert site.run_once(read, rules).returncode == 0

    now = START + timedelta(minutes=12)
    after = row_of(cli_json(site, rules, "status", "--now", now.isoformat()), "SUP-1")
    assert after["next_due"]["rule"] == "update_overdue"
    assert after["next_due"]["item"] == "update"
    assert after["next_due"]["due"] == "2026-11-23T20:20:00+01:00"  # 30 min after the comment
    assert after["next_due"]["overdue"] is False
    assert [o["rule"] for o in after["obligations"]] == ["update_overdue"]  # the ack is met
    assert after["overdue"] == []

    text = plain(site, rules, "status", "--now", now.isoformat())
    assert "update_overdue:update Mon 23 Nov 20:20 Europe/Malta" in text
    assert "ack_overdue" not in text


@pytest.mark.slow
def test_waiting_obligations_are_listed_with_their_reason_and_when_they_fire(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site, rules = seed(sandbox, tmp_path, tickets=3)
    now = START + timedelta(minutes=18)  # 19:58 in Malta: every acknowledgement is due
    site.at(now)

    planned = plain(site, rules, "plan", "--now", now.isoformat())
    waits = planned.split("due but waiting", 1)[1]
    sup2 = next(line for line in waits.splitlines() if "SUP-2" in line)
    assert "ack_overdue:ack" in sup2 and "role empty" in sup2  # nobody to DM
    sup3 = next(line for line in waits.splitlines() if "SUP-3" in line)
    assert "ack_overdue:ack" in sup3 and "held by a limit" in sup3
    assert "when an active escalation is resolved" in waits
    assert "SUP-1  " not in waits  # its nudge goes out now
    assert site.writes() == []

    assert site.run_once(now, rules).returncode == 0
    status = cli_json(site, rules, "status", "--now", now.isoformat())
    held = row_of(status, "SUP-3")
    assert held["held"] == "limit_active"
    assert held["next_due"]["overdue"] is True
    assert held["next_due"]["waiting"]["reason"] == "held by a limit"
    assert held["next_due"]["waiting"]["fires_at"] is None
    nobody = row_of(status, "SUP-2")["next_due"]
    assert nobody["waiting"]["reason"] == "role empty" and "assignee" in nobody["waiting"]["why"]
    assert row_of(status, "SUP-1")["next_due"]["waiting"] is None  # nudged: not waiting
    dm, _ = slack.open_dm(site.ctx, site.slack_id(ALICE))
    (nudge,) = [m for m in site.messages(str(dm["id"])) if "ack_overdue" in str(m["metadata"])]
    assert "To answer, comment on the ticket or post in #sup-1-" in nudge["text"]
    assert "reply in this thread" not in nudge["text"]  # a reply in a DM is never read

    evening = START + timedelta(minutes=52)  # 20:32 in Malta: business hours are over
    site.at(evening)
    assert site.run_once(evening, rules).returncode == 0
    later = row_of(cli_json(site, rules, "status", "--now", evening.isoformat()), "SUP-1")
    update = next(o for o in later["obligations"] if o["rule"] == "update_overdue")
    assert update["overdue"] is True
    assert update["waiting"]["reason"] == "outside business hours"
    assert update["waiting"]["fires_at"] == "2026-11-24T08:00:00+01:00"
    text = plain(site, rules, "status", "--now", evening.isoformat())
    assert "due but waiting" in text
    assert "from Tue 24 Nov 08:00 Europe/Malta" in text
