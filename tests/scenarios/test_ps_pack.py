"""PS customer escalations (PS pack) end to end: the real CLI against the sandbox, through a day.

On a Monday morning a Sev1 escalation (PS-1) and a Sev2 with Customer Impact =
Yes (PS-2) arrive. PS-2 is upgraded to Sev1 (comment naming the upgrade); both
get the pinned thread in #ps-project-leadership. Only PS-2 gets a status update
that day, so next morning PS-1 alone is nudged for the Monday 17:00 update, and
PS-1, still without severity level, DRI and milestones after 24 h, gets a
comment and a DM naming what is missing. Repeating a cycle writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, agent_comments, build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
RULES = "ps-customer-escalation.yaml"
ALICE = "alice@sandbox.example"
DORA = "dora@sandbox.example"
REPORTER = "rita@sandbox.example"
LEADERS = {"Diane Director": "diane@sandbox.example", "Kevin Head": "kevin@sandbox.example"}
# PS fields the packs read that tests/scenarios/support.py does not create
PS_FIELDS: dict[str, tuple[str, list[str] | None]] = {
    "Escalation Sev": ("select", ["Sev1", "Sev2"]),
    "Escalation Severity Level": ("select", ["Critical", "High", "Medium"]),
    "DRI": ("userpicker", None),
    "Customer Impact": ("select", ["Yes", "No"]),
    "Customer Sign-off": ("select", ["Yes", "No"]),
}


def seed(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, START, ["PS"])
    for name, (kind, options) in PS_FIELDS.items():
        jira.create_custom_field(site.ctx, name, kind, options)
    alice = site.person("Alice Assignee", ALICE)
    dora = site.person("Dora Dri", DORA)
    site.person("Rita Reporter", REPORTER)
    site.person("Pat PMO", "pmo@sandbox.example")
    for name, email in LEADERS.items():
        site.person(name, email)
    leaders = [site.slack_id(email) for email in LEADERS.values()]
    slack.create_usergroup(site.ctx, "ps-leadership", "PS Leadership", leaders)
    slack.create_channel(site.ctx, "ps-project-leadership")
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "PS"},
            "summary": "Acme threatens to cancel the rollout",
            "issuetype": {"name": "Task"},
            "priority": {"name": "High"},
            "assignee": {"accountId": alice},
            "Escalation Sev": {"value": "Sev1"},
        },
        REPORTER,
    )
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "PS"},
            "summary": "Globex data migration two weeks late",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": alice},
            "Escalation Sev": {"value": "Sev2"},
            "labels": ["sev2"],
            "Customer Impact": {"value": "Yes"},
            "DRI": {"accountId": dora},
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


def nudges(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The daily update's overdue nudges (not its heads-ups, whose keys end in ``:soon``)."""
    found = keyed(messages, "sev1_daily_update")
    return [m for m in found if ":soon#" not in m["metadata"]["event_payload"]["key"]]


def shown(comment: dict[str, Any]) -> str:
    return str(comment["body"]).replace("\\", "")  # wiki escapes: "\-" shows as "-"


def ran(site: Site, now: datetime) -> None:
    site.at(now)
    result = site.run_once(now, RULES)
    assert result.returncode == 0, result.stdout + result.stderr


def dm_messages(site: Site, email: str) -> list[dict[str, Any]]:
    dm, _existed = slack.open_dm(site.ctx, site.slack_id(email))
    return site.messages(str(dm["id"]))


@pytest.mark.slow
def test_ps_sev1_setup_thread_daily_update_and_sev2_upgrade(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    leadership = site.channel("ps-project-leadership")["id"]

    morning = START + timedelta(minutes=10)
    ran(site, morning)

    # Sev2 + Customer Impact = Yes: upgraded, said on the ticket to the DRI and assignee
    (upgrade,) = [c for c in agent_comments(site, "PS-2") if "severity_upgrade" in str(c)]
    text = shown(upgrade)
    assert "upgraded to Sev1" in text and "was Sev2" in text
    assert "Customer Impact = Yes" in text
    assert "Dora Dri" in text and "Alice Assignee" in text
    labels = site.sandbox.jira().issue("PS-2", fields="labels").fields.labels
    assert "sev1" in labels and "sev2" not in labels  # the old level's label is swapped
    # both escalations (PS-2 now as Sev1) get the pinned thread in the leadership channel
    posted = site.messages(leadership)
    for key in ("PS-1", "PS-2"):
        (alert,) = keyed(posted, f"escalation_alert:{key}:alert")
        assert key in alert["text"] and "Sev1" in alert["text"]
        assert f"<@{site.slack_id(ALICE)}>" in alert["text"]
        # the @ps-leadership user group is mentioned by its id, not named
        group = next(g for g in slack.all_usergroups(site.ctx) if g["handle"] == "ps-leadership")
        assert f"<!subteam^{group['id']}>" in alert["text"]
        assert leadership in alert.get("pinned_to", [])
    assert f"<@{site.slack_id(DORA)}>" in keyed(posted, "PS-2:alert")[0]["text"]
    # the set-up has 24 h: nothing asked yet
    assert not [c for c in agent_comments(site, "PS-1") if "sev1_setup_missing" in str(c)]

    site.sandbox.clear_requests()
    again = site.run_once(morning, RULES)
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.writes() == []

    # the assignee updates PS-2 during Monday; PS-1 gets no update
    site.at(START + timedelta(hours=6))
    jira.add_comment(site.ctx, "PS-2", "Migration batch 3 of 5 done; path to green agreed.", ALICE)

    # 16:30, in business hours: a heads-up for PS-1's update due by 18:00, once
    for afternoon in (START + timedelta(hours=7, minutes=30), START + timedelta(hours=8)):
        ran(site, afternoon)
    (soon,) = keyed(site.messages(leadership), "sev1_daily_update:PS-1:update@")
    assert soon["metadata"]["event_type"] == "escalation_agent_due_soon"
    assert "left to give PS-1 its daily status (17:00) update" in soon["text"]
    assert keyed(dm_messages(site, ALICE), ":soon#")  # the nudge's audience: DM too
    assert keyed(site.messages(leadership), "sev1_daily_update:PS-2") == []  # updated today

    # after 17:00 + 1 h grace it is past business hours (17:30): the nudge waits
    evening = START + timedelta(hours=9, minutes=5)  # Monday 18:05 in New York
    ran(site, evening)
    assert nudges(site.messages(leadership)) == []

    # Tuesday 09:10: PS-1 is nudged for Monday's 17:00 update, PS-2 is not
    tuesday = START + timedelta(days=1, minutes=10)
    ran(site, tuesday)
    (nudge,) = nudges(site.messages(leadership))
    assert nudge["metadata"]["event_payload"]["issue"] == "PS-1"
    assert "daily status (17:00) update" in nudge["text"]
    assert f"<@{site.slack_id(ALICE)}>" in nudge["text"]
    assert keyed(dm_messages(site, ALICE), "sev1_daily_update:PS-1")
    assert keyed(dm_messages(site, DORA), "sev1_daily_update") == []

    # 24 h after becoming Sev1, PS-1 still lacks its set-up: comment + DM naming each gap
    (setup,) = [c for c in agent_comments(site, "PS-1") if "sev1_setup_missing" in str(c)]
    for missing in ("Escalation Severity Level", "DRI", "milestones (sub-tasks)"):
        assert missing in shown(setup), missing
    (setup_dm,) = keyed(dm_messages(site, ALICE), "sev1_setup_missing:PS-1")
    assert "Escalation Severity Level" in setup_dm["text"]
    # PS-1 was Sev1 from the start: it is never "upgraded"
    assert not [c for c in agent_comments(site, "PS-1") if "severity_upgrade" in str(c)]

    site.sandbox.clear_requests()
    same = site.run_once(tuesday, RULES)
    assert same.returncode == 0, same.stdout + same.stderr
    assert site.writes() == []
    assert len(nudges(site.messages(leadership))) == 1
