"""The DS escalation procedure end to end: the real CLI against the sandbox, through a day.

Four escalations arrive on a Monday morning: the first three get the label,
Highest priority, a public channel with everyone invited and the channel posted
on the ticket and in #sre-escalations; the fourth is held by the 3-a-day limit
(label + comment) and released the next morning.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
RULES = "ds-ticket-escalation.yaml"
REPORTER = "rita@sandbox.example"
PEOPLE = {
    "Rita Reporter": REPORTER,
    "Ivan Initiator": "ivan@sandbox.example",
    "Connie Contact": "connie@sandbox.example",
    "Always One": "ds-always-1@sandbox.example",
    "Always Two": "ds-always-2@sandbox.example",
}
ASSIGNEES = ["alice", "bob", "carol", "dan"]


def seed(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, START, ["DS"])
    ids = {email: site.person(name, email) for name, email in PEOPLE.items()}
    crew = site.person("Carl Crew", "carl@sandbox.example", slack_account=False)
    owners = [site.person(n.title(), f"{n}@sandbox.example") for n in ASSIGNEES]
    slack.create_channel(site.ctx, "sre-escalations")
    for number, owner in enumerate(owners, start=1):
        fields = {
            "project": {"key": "DS"},
            "summary": f"Payments stuck for client {number}",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": owner},
            "labels": [] if number == 1 else ["ESCALATION"],
            "Escalation Reason": "Key client cannot settle invoices",
            "Escalation Contact": {"accountId": ids["connie@sandbox.example"]},
            "Initiator": {"accountId": ids["ivan@sandbox.example"]},
            "Crew Lead": {"accountId": crew},
            "Impact Level": {"value": "High"},
        }
        jira.create_issue(site.ctx, fields, REPORTER)
    return site


def labels(site: Site, key: str) -> list[str]:
    return list(site.sandbox.jira().issue(key, fields="labels").fields.labels)


def priority(site: Site, key: str) -> str:
    return str(site.sandbox.jira().issue(key, fields="priority").fields.priority.name)


@pytest.mark.slow
def test_ds_escalations_through_a_day(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = seed(sandbox, tmp_path)
    now = START + timedelta(minutes=10)
    site.at(now)

    first = site.run_once(now, RULES)
    assert first.returncode == 0, first.stdout + first.stderr

    for key in ("DS-1", "DS-2", "DS-3"):
        assert "ESCALATION" in labels(site, key)
        assert priority(site, key) == "Highest"
    channels = {c["name"]: c for c in site.channels("ds-")}
    assert sorted(channels) == [
        "ds-1-payments-stuck-for-client-1",
        "ds-2-payments-stuck-for-client-2",
        "ds-3-payments-stuck-for-client-3",
    ]
    members = set(channels["ds-1-payments-stuck-for-client-1"]["members"])
    for email in [*PEOPLE.values(), "alice@sandbox.example"]:
        assert site.slack_id(email) in members, email
    announce = [c for c in agent_comments(site, "DS-1") if "announce" in str(c["properties"])]
    assert len(announce) == 1
    shown = str(announce[0]["body"]).replace("\\", "")  # wiki escapes: "\-" shows as "-"
    assert "#ds-1-payments-stuck-for-client-1" in shown
    posted = site.messages(site.channel("sre-escalations")["id"])
    assert len([m for m in posted if m.get("metadata")]) == 3

    # the fourth is held by "at most 3 new escalations a day"
    assert "escalation-held" in labels(site, "DS-4")
    assert priority(site, "DS-4") == "Medium"
    held = agent_comments(site, "DS-4")
    assert len(held) == 1 and "limit_daily" in str(held[0]["properties"])

    # a second cycle at the same moment changes nothing anywhere
    site.sandbox.clear_requests()
    again = site.run_once(now, RULES)
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.writes() == []

    # next morning there is room again: DS-4 is released and gets its clerical steps
    tomorrow = START + timedelta(days=1)
    site.at(tomorrow)
    third = site.run_once(tomorrow, RULES)
    assert third.returncode == 0, third.stdout + third.stderr
    assert "escalation-held" not in labels(site, "DS-4")
    assert priority(site, "DS-4") == "Highest"
    assert any("release" in str(c["properties"]) for c in agent_comments(site, "DS-4"))
    assert site.channels("ds-4-")


@pytest.mark.slow
def test_a_failed_action_exits_1_the_others_run_and_it_is_retried(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = build_site(sandbox, tmp_path, START, ["DS"])
    owner = site.person("Alice", "alice@sandbox.example")
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "DS"},
            "summary": "Refunds fail",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": owner},
            "labels": ["ESCALATION"],
            "Escalation Reason": "Refunds fail for a key client",
            "Escalation Contact": {"accountId": owner},
            "Impact Level": {"value": "Medium"},
        },
        REPORTER,
    )
    now = START + timedelta(minutes=5)
    site.at(now)

    first = site.run_once(now, RULES)  # there is no #sre-escalations to announce in

    assert first.returncode == 1, first.stdout + first.stderr
    assert "failed: clerical_channel:DS-1:announce##sre-escalations" in first.stdout
    assert priority(site, "DS-1") == "Highest"
    assert site.channels("ds-1-refunds-fail")

    announce_channel = slack.create_channel(site.ctx, "sre-escalations")
    second = site.run_once(now + timedelta(minutes=1), RULES)
    assert second.returncode == 0, second.stdout + second.stderr
    (posted,) = [m for m in site.messages(announce_channel["id"]) if m.get("metadata")]
    assert (
        posted["metadata"]["event_payload"]["key"]
        == "clerical_channel:DS-1:announce##sre-escalations"
    )


@pytest.mark.slow
def test_the_same_cycle_works_against_jira_data_center(
    sandbox_dc: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox_dc, tmp_path)
    now = START + timedelta(minutes=10)
    site.at(now)
    result = site.run_once(now, RULES)
    assert result.returncode == 0, result.stdout + result.stderr
    assert priority(site, "DS-1") == "Highest"
    assert "escalation-held" in labels(site, "DS-4")
    searches = [e for e in sandbox_dc.requests_log() if e["path"].endswith("/search")]
    assert searches, "Data Center is searched with /rest/api/2/search"
