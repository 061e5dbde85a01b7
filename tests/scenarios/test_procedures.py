"""The procedures as written (issue 16), end to end: the real CLI against the sandbox.

Each test is one gap between a pack and its seed procedure, closed: a DS escalation
naming no initiator is asked of its reporter; the end-of-day update of the client
procedure must come late in the day (a window before 16:30) and be public (an internal
note does not count); support hears 5 minutes
before its acknowledgement deadline, once; the incident pack's after-hours contacts get
one message for a critical incident at night, not the alert as well.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios import test_clock_rule as support_pack
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

REPORTER = "rita@sandbox.example"
ALICE = "alice@sandbox.example"


def ran(site: Site, now: datetime, rules: str) -> None:
    site.at(now)
    result = site.run_once(now, rules)
    assert result.returncode == 0, result.stdout + result.stderr


def dm_messages(site: Site, email: str) -> list[dict[str, Any]]:
    dm, _existed = slack.open_dm(site.ctx, site.slack_id(email))
    return site.messages(str(dm["id"]))


def keys(messages: list[dict[str, Any]]) -> list[str]:
    return [str(m.get("metadata", {}).get("event_payload", {}).get("key")) for m in messages]


@pytest.mark.slow
def test_medium_client_ticket_updated_only_in_the_morning_is_nudged_after_1630(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 09:00 in London
    rules = "client-communication.yaml"
    site = build_site(sandbox, tmp_path, start, ["CLI"])
    jira.create_custom_field(site.ctx, "Project Manager", "userpicker", None)
    jira.create_custom_field(site.ctx, "Prevention", "textarea", None)
    alice = site.person("Alice Assignee", ALICE)
    site.person("Rita Reporter", REPORTER)
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "CLI"},
            "summary": "Export button greyed out",
            "issuetype": {"name": "Bug"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": alice},
        },
        REPORTER,
    )
    ran(site, start + timedelta(minutes=5), rules)
    site.at(start + timedelta(minutes=10))
    jira.add_comment(site.ctx, "CLI-1", "Looking into it, next update this afternoon", ALICE)

    # a Jira Service Management internal note is no update to the client (visibility: public)
    site.at(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    internal = {"sd.public.comment": {"internal": True}}
    jira.add_comment(site.ctx, "CLI-1", "Internal: root cause found", ALICE, properties=internal)

    ran(site, datetime(2026, 11, 23, 16, 29, tzinfo=UTC), rules)
    assert keys(dm_messages(site, ALICE)) == []  # the medium daily update is met at 09:10

    ran(site, datetime(2026, 11, 23, 16, 31, tzinfo=UTC), rules)
    assert keys(dm_messages(site, ALICE)) == [
        "eod_update_overdue:CLI-1:update@2026-11-23T16:30Z#dm:" + alice
    ]


@pytest.mark.slow
def test_escalation_naming_no_initiator_asks_its_reporter_on_the_ticket_in_one_cycle(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    start = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
    rules = "ds-ticket-escalation.yaml"
    site = build_site(sandbox, tmp_path, start, ["DS"])
    rita = site.person("Rita Reporter", REPORTER)
    owner = site.person("Alice Assignee", ALICE)
    slack.create_channel(site.ctx, "sre-escalations")
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "DS"},
            "summary": "Invoices not sent",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": owner},
            "labels": ["ESCALATION"],
            "Impact Level": {"value": "High"},
        },
        REPORTER,
    )

    ran(site, start + timedelta(minutes=2), rules)

    key = "intake_missing_fields:DS-1:fields@2026-11-23T14:00Z"
    (ask,) = [c for c in agent_comments(site, "DS-1") if key in str(c["properties"])]
    assert str(ask["body"]).startswith(
        "Rita Reporter: *Escalation Reason* and *Escalation Contact*"
    )
    assert keys(dm_messages(site, REPORTER)) == [f"{key}#dm:{rita}"]


@pytest.mark.slow
def test_support_hears_five_minutes_before_the_ack_deadline_once_and_never_after(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = support_pack.seed(sandbox, tmp_path)  # SUP-1 reported at 10:00 UTC
    start, rules = support_pack.START, support_pack.RULES
    ran(site, start + timedelta(minutes=1), rules)
    assert support_pack.keyed(support_pack.channel_messages(site), ":soon") == []

    for minute in (10, 12, 14):  # every cycle inside the five minutes before 10:15
        ran(site, start + timedelta(minutes=minute), rules)
    (soon,) = support_pack.keyed(support_pack.channel_messages(site), ":soon")
    assert soon["metadata"]["event_type"] == "escalation_agent_due_soon"
    assert soon["metadata"]["event_payload"]["rule"] == "ack_overdue"
    assert soon["metadata"]["event_payload"]["issue"] == "SUP-1"
    assert "5m left to acknowledge SUP-1" in soon["text"]
    assert f"<@{site.slack_id(ALICE)}>" in soon["text"]

    ran(site, start + timedelta(minutes=16), rules)  # overdue: the nudge, no second heads-up
    posted = support_pack.channel_messages(site)
    assert len(support_pack.keyed(posted, ":soon")) == 1
    assert [m["metadata"]["event_type"] for m in support_pack.keyed(posted, "ack_overdue:")] == [
        "escalation_agent_due_soon",
        "escalation_agent_ack_overdue",
    ]


@pytest.mark.slow
def test_after_hours_contacts_get_one_message_for_a_critical_incident_at_night(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    saturday = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # Saturday 22:00 in Kyiv
    rules = "incident-critical.yaml"
    site = build_site(sandbox, tmp_path, saturday, ["INC"])
    dev = site.person("Dana Developer", "dev@sandbox.example")
    leads = ["oleh@sandbox.example", "alex@sandbox.example", "sophia@sandbox.example"]
    for email in leads:
        site.person(email.split("@")[0].title(), email)
    site.person("Mia Manager", "mia@sandbox.example")
    channel = slack.create_channel(site.ctx, "inc-project")
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "INC"},
            "summary": "Checkout returns 500",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Highest"},
            "assignee": {"accountId": dev},
        },
        "mia@sandbox.example",
    )

    ran(site, saturday + timedelta(minutes=1), rules)

    for email in leads:
        (page,) = dm_messages(site, email)
        assert page["metadata"]["event_type"] == "escalation_agent_after_hours_page", email
    assert site.messages(str(channel["id"])) == []  # the alert is posted when business opens
