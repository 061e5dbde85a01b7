"""Intake checks and clerical steps (priority, label, channel, watcher)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from agent.core.actions import ActionKind
from agent.core.routing import escalation_channel_name
from agent.policy.errors import PolicyErrors
from tests.unit.factories import (
    ALICE,
    CARL,
    GONE,
    IVAN,
    PAM,
    RITA,
    Runner,
    of_kind,
    policy,
    spec_of,
    ticket,
    utc,
)

NOW = utc(2026, 3, 2, 10, 0)

INTAKE = """
roles: {initiator: 'field:Initiator'}
rules:
  - rule: intake_missing_fields
    fields: [Summary, Product Impacted, Description, evidence, Escalation Reason]
    to: [initiator]
    notify: [jira, dm]
    within: 10m
"""


def test_missing_fields_ask_the_named_role_once() -> None:
    runner = Runner([policy(INTAKE)])
    t = ticket(created=NOW, description="", fields={"Initiator": IVAN, "Product Impacted": "Feed"})
    assert runner.cycle([t], NOW + timedelta(minutes=5)).actions == ()
    result = runner.cycle([t], NOW + timedelta(minutes=10))
    comment = of_kind(result, ActionKind.JIRA_COMMENT)[0]
    assert comment.template == "jira/ask_fields.j2"
    assert comment.context["missing"] == ["Description", "evidence", "Escalation Reason"]
    assert [r.account_id for r in comment.audience] == [IVAN.account_id]
    dm = of_kind(result, ActionKind.SLACK_POST)[0]
    assert spec_of(dm) == f"dm:{IVAN.account_id}"
    assert runner.cycle([t], NOW + timedelta(minutes=20)).actions == ()


def test_complete_report_needs_nothing_and_evidence_may_be_a_link() -> None:
    runner = Runner([policy(INTAKE)])
    t = ticket(
        created=NOW,
        description="Feed stopped",
        link_count=1,
        fields={"Initiator": IVAN, "Product Impacted": "Feed", "Escalation Reason": "VIP"},
    )
    assert runner.cycle([t], NOW + timedelta(hours=1)).actions == ()


def test_missing_initiator_is_a_ticket_problem_not_a_crash() -> None:
    runner = Runner([policy(INTAKE)])
    broken = ticket("T-1", created=NOW, fields={"Initiator": GONE})
    fine = ticket("T-2", created=NOW, fields={"Initiator": IVAN})
    result = runner.cycle([broken, fine], NOW + timedelta(minutes=15))
    assert [p.issue for p in result.problems] == ["T-1"]
    assert "deactivated or deleted user" in result.problems[0].message
    assert any(a.issue == "T-2" for a in result.actions)


CLERICAL = """
roles:
  initiator: 'field:Initiator'
  contact: 'field:Escalation Contact'
  crew_lead: 'field:Crew Lead'
channels: {escalation: 'ds-{number}-{summary}'}
rules:
  - rule: clerical_label
    label: ESCALATION
  - rule: clerical_priority
    priority: Highest
  - rule: clerical_channel
    invite: [reporter, initiator, contact, assignee, crew_lead]
    always_include: ['email:always@sandbox.example', 'group:@dev-support']
    announce_in: ['#sre-escalations']
"""


def test_clerical_actions_for_a_new_escalation() -> None:
    runner = Runner([policy(CLERICAL)])
    t = ticket(
        "T-1234",
        created=NOW,
        priority="Medium",
        summary="Payments: API 502s for ACME!",
        fields={"Initiator": IVAN, "Escalation Contact": RITA, "Crew Lead": CARL},
    )
    result = runner.cycle([t], NOW)
    kinds = [a.kind for a in result.actions]
    assert kinds[:3] == [
        ActionKind.JIRA_ADD_LABEL,
        ActionKind.JIRA_SET_PRIORITY,
        ActionKind.SLACK_CREATE_CHANNEL,
    ]
    create = of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0]
    assert create.context["channel_name"] == "ds-1234-payments-api-502s-for-acme"
    assert create.context["is_private"] is False
    assert spec_of(create) == "escalation:T-1234"
    (invite,) = of_kind(result, ActionKind.SLACK_INVITE)  # everyone in one invite
    invited = list(invite.audience)
    assert [r.role for r in invited] == [
        "reporter",
        "initiator",
        "assignee",
        "crew_lead",
        "always_include",
        "always_include",
    ]
    assert invited[-1].group == "@dev-support"
    announce = of_kind(result, ActionKind.JIRA_COMMENT)[0]
    assert announce.template == "jira/channel_announce.j2"
    posts = of_kind(result, ActionKind.SLACK_POST)
    assert [(a.key, spec_of(a)) for a in posts] == [
        ("clerical_channel:T-1234:channel:intro", "escalation:T-1234"),
        ("clerical_channel:T-1234:announce##sre-escalations", "#sre-escalations"),
    ]
    # Contact == reporter here: invited once.
    assert len({r.account_id or r.email or r.group for r in invited}) == len(invited)


def test_clerical_is_quiet_once_done_and_invites_a_new_crew_lead() -> None:
    runner = Runner([policy(CLERICAL)])
    t = ticket(
        created=NOW,
        labels=frozenset({"ESCALATION"}),
        fields={"Initiator": IVAN, "Escalation Contact": RITA, "Crew Lead": CARL},
    )
    runner.cycle([t], NOW)
    assert runner.cycle([t], NOW + timedelta(minutes=5)).actions == ()
    new_lead = replace(t, fields={**t.fields, "Crew Lead": PAM})
    (invite,) = runner.cycle([new_lead], NOW + timedelta(minutes=10)).actions
    assert invite.kind is ActionKind.SLACK_INVITE
    # one call for everyone: those already in the channel are no harm to Slack (force)
    assert PAM.account_id in [r.account_id for r in invite.audience]
    assert CARL.account_id not in [r.account_id for r in invite.audience]


def test_priority_set_again_if_someone_lowers_it() -> None:
    runner = Runner([policy(CLERICAL)])
    t = ticket(created=NOW, labels=frozenset({"ESCALATION"}), priority="High")
    first = of_kind(runner.cycle([t], NOW), ActionKind.JIRA_SET_PRIORITY)
    assert first[0].context["priority"] == "Highest"
    lowered = replace(t, priority="Low")
    again = of_kind(runner.cycle([lowered], NOW + timedelta(hours=1)), ActionKind.JIRA_SET_PRIORITY)
    assert len(again) == 1 and again[0].key != first[0].key


def test_channel_name_is_slack_safe_and_bounded() -> None:
    pol = policy(CLERICAL)
    long = ticket("T-7", summary="Ünïcode & very " + "long " * 30)
    name = escalation_channel_name(pol, long)
    assert name is not None and len(name) <= 80
    assert name.startswith("ds-7-n-code-very-long")
    assert all(c.isalnum() or c == "-" for c in name) and not name.endswith("-")


def test_pm_watcher_adds_the_project_manager_once() -> None:
    pol = policy("""
roles: {project_manager: 'field:Project Manager'}
rules:
  - rule: pm_watcher
    role: project_manager
""")
    runner = Runner([pol])
    t = ticket(created=NOW, fields={"Project Manager": PAM})
    (watch,) = runner.cycle([t], NOW).actions
    assert watch.kind is ActionKind.JIRA_ADD_WATCHER
    assert watch.audience[0].account_id == PAM.account_id
    watching = replace(t, watchers=(PAM, ALICE))
    assert Runner([pol]).cycle([watching], NOW).actions == ()
    no_pm = Runner([pol]).cycle([ticket(created=NOW)], NOW)
    assert no_pm.actions == ()
    assert "role project_manager comes from 'Project Manager', which is empty" in (
        no_pm.problems[0].message
    )


def test_no_initiator_the_ask_falls_back_to_the_reporter_then_the_assignee() -> None:
    runner = Runner([policy(INTAKE)])  # the default chain: reporter, then assignee
    t = ticket(created=NOW, fields={"Product Impacted": "Feed"})
    result = runner.cycle([t], NOW + timedelta(minutes=10))
    ask = of_kind(result, ActionKind.JIRA_COMMENT)[0]
    assert [(r.role, r.account_id) for r in ask.audience] == [("reporter", RITA.account_id)]
    assert [spec_of(a) for a in of_kind(result, ActionKind.SLACK_POST)] == [f"dm:{RITA.account_id}"]
    assert [p.message for p in result.problems] == [
        "role initiator comes from 'Initiator', which is empty; told the reporter instead"
    ]
    (owed,) = result.obligations
    assert owed.waiting is None

    nobody_reported = Runner([policy(INTAKE)])
    t2 = ticket(created=NOW, reporter=None, fields={"Product Impacted": "Feed"})
    later = nobody_reported.cycle([t2], NOW + timedelta(minutes=10))
    assert [spec_of(a) for a in of_kind(later, ActionKind.SLACK_POST)] == [f"dm:{ALICE.account_id}"]


def test_the_policy_declares_its_own_chain_and_the_comment_goes_whatever_the_audience() -> None:
    chained = INTAKE.replace("rules:", "fallback: [assignee]\nrules:", 1)
    result = Runner([policy(chained)]).cycle(
        [ticket(created=NOW, fields={"Product Impacted": "Feed"})], NOW + timedelta(minutes=10)
    )
    assert [r.role for r in of_kind(result, ActionKind.JIRA_COMMENT)[0].audience] == ["assignee"]

    off = INTAKE.replace("rules:", "fallback: []\nrules:", 1)
    result = Runner([policy(off)]).cycle(
        [ticket(created=NOW, fields={"Product Impacted": "Feed"})], NOW + timedelta(minutes=10)
    )
    (ask,) = result.actions  # still asked on the ticket, addressed to nobody; no DM
    assert ask.kind is ActionKind.JIRA_COMMENT and ask.audience == ()
    assert result.problems[0].message == "role initiator comes from 'Initiator', which is empty"


def test_a_fallback_role_must_be_declared() -> None:
    with pytest.raises(PolicyErrors, match="unknown role 'lead'"):
        policy(INTAKE.replace("rules:", "fallback: [lead]\nrules:", 1))
