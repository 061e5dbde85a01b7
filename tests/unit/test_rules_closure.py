"""Closure checklists, severity upgrade, Sev1 setup, post-mortems, paperwork and digests."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agent.core.actions import ActionKind
from agent.core.severity import severity
from tests.unit.factories import (
    ALICE,
    PAM,
    Runner,
    change,
    comment,
    of_kind,
    policy,
    resolved,
    spec_of,
    subtask,
    ticket,
    utc,
)

MONDAY = utc(2026, 3, 2, 10, 0)


def test_closure_fields_asked_on_resolution() -> None:
    body = """
rules:
  - rule: closure_missing_fields
    fields: [Root Cause, Resolution Details, Prevention]
"""
    runner = Runner([policy(body)])
    t = ticket(created=MONDAY, fields={"Root Cause": "bad deploy"})
    assert runner.cycle([t], MONDAY + timedelta(hours=1)).actions == ()
    done = resolved(t, MONDAY + timedelta(hours=2))
    result = runner.cycle([done], MONDAY + timedelta(hours=2))
    ask = of_kind(result, ActionKind.JIRA_COMMENT)[0]
    assert ask.context["missing"] == ["Resolution Details", "Prevention"]
    assert ask.context["trigger"] == "the ticket is resolved"
    complete = replace(
        done, fields={**done.fields, "Resolution Details": "rollback", "Prevention": "canary"}
    )
    assert [a.kind for a in runner.cycle([complete], MONDAY + timedelta(hours=3)).actions] == [
        ActionKind.SLACK_THREAD_DONE
    ]


def test_findings_required_once_root_cause_is_set() -> None:
    body = """
rules:
  - rule: closure_missing_fields
    name: findings
    fields: [Summary of Findings]
    after_field: Root Cause
    within: 4h
"""
    runner = Runner([policy(body)])
    t = ticket(created=MONDAY)
    assert runner.cycle([t], MONDAY + timedelta(hours=8)).actions == ()
    set_at = MONDAY + timedelta(hours=1)
    rooted = replace(
        t,
        fields={"Root Cause": "cache"},
        changelog=(change(ALICE, set_at, "Root Cause", None, "cache"),),
    )
    assert runner.cycle([rooted], set_at + timedelta(hours=3)).actions == ()
    result = runner.cycle([rooted], set_at + timedelta(hours=4))
    assert {a.rule for a in result.actions} == {"closure_missing_fields"}
    assert result.actions[0].key.startswith("findings:T-1:closure@2026-03-02T15:00Z")


PS = """
name: ps
description: ps
select: {projects: [T], labels: [sev1, sev2], fields_set: [Escalation Sev]}
timezone: America/New_York
business_hours: {start: "09:00", end: "17:30"}
severity:
  levels: [Sev1, Sev2]
  field: {name: Escalation Sev, map: {Sev1: Sev1, Sev2: Sev2}}
  labels: {sev1: Sev1, sev2: Sev2}
roles: {dri: 'field:DRI'}
"""


def test_sev2_with_customer_impact_becomes_sev1() -> None:
    body = """
rules:
  - rule: severity_upgrade
    field: Customer Impact
    equals: "Yes"
    from_level: Sev2
    to_level: Sev1
    set_field: Escalation Sev
"""
    pol = policy(body, PS)
    t = ticket(created=MONDAY, fields={"Escalation Sev": "Sev2", "Customer Impact": "Yes"})
    assert severity(pol, t) == "Sev1"
    assert severity(pol, replace(t, fields={"Escalation Sev": "Sev2"})) == "Sev2"
    result = Runner([pol]).cycle([t], MONDAY + timedelta(minutes=5))
    setter = of_kind(result, ActionKind.JIRA_SET_FIELD)[0]
    assert setter.context["field"] == "Escalation Sev" and setter.context["value"] == "Sev1"
    assert of_kind(result, ActionKind.JIRA_COMMENT)[0].template == "jira/severity_upgrade.j2"
    upgraded = replace(t, fields={"Escalation Sev": "Sev1", "Customer Impact": "Yes"})
    assert Runner([pol]).cycle([upgraded], MONDAY).actions == ()


def test_sev1_setup_within_24h_lists_what_is_missing() -> None:
    body = """
rules:
  - rule: sev1_setup_missing
    severities: [Sev1]
    within: 24h
    fields: [Escalation Severity Level, DRI]
    notify: [jira]
"""
    runner = Runner([policy(body, PS)])
    became = MONDAY + timedelta(hours=6)  # 11:00 in New York
    t = ticket(
        created=MONDAY,
        labels=frozenset({"sev2"}),
        changelog=(change(ALICE, became, "labels", "sev2", "sev1"),),
    )
    t = replace(t, labels=frozenset({"sev1"}))
    assert runner.cycle([t], became + timedelta(hours=23)).actions == ()
    (ask,) = runner.cycle([t], became + timedelta(hours=24)).actions
    assert ask.context["missing"] == ["Escalation Severity Level", "DRI", "milestones (sub-tasks)"]
    assert ask.context["since"] == "2026-03-02T16:00Z"
    ready = replace(
        t, fields={"Escalation Severity Level": "High", "DRI": PAM}, subtasks=(subtask("T-5"),)
    )
    assert [a.kind for a in runner.cycle([ready], became + timedelta(hours=25)).actions] == [
        ActionKind.SLACK_THREAD_DONE
    ]


def test_postmortem_for_p1_with_resolution_time_and_credits_deadline() -> None:
    header = """
name: sup
description: sup
select: {projects: [T]}
severity:
  levels: [P1, P2, P3, P4]
  field: {name: Severity, map: {P1: P1, P2: P2, P3: P3, P4: P4}}
"""
    body = """
rules:
  - rule: postmortem_due
    severities: [P1, P2]
    within: 48h
    fields: [Service Credits, Root Cause]
    space: SUP
"""
    runner = Runner([policy(body, header)])
    t = ticket(created=MONDAY, fields={"Severity": "P1", "Root Cause": "disk"})
    done = resolved(t, MONDAY + timedelta(hours=3, minutes=20))
    result = runner.cycle([done], MONDAY + timedelta(hours=4))
    page, link = result.actions
    assert page.kind is ActionKind.CONFLUENCE_PAGE
    assert link.kind is ActionKind.JIRA_REMOTE_LINK
    assert link.context["link_from_ref"] == page.key
    assert page.template == "confluence/postmortem.xml.j2"
    assert page.context["resolution_time"] == "3h20m"
    assert page.context["title"] == "Post-mortem T-1: Checkout is down"
    assert page.context["fields"] == {"Service Credits": None, "Root Cause": "disk"}
    assert runner.cycle([done], MONDAY + timedelta(hours=51)).actions == ()
    late = runner.cycle([done], MONDAY + timedelta(hours=51, minutes=20))
    assert late.actions[0].context["missing"] == ["Service Credits"]
    p3 = replace(done, key="T-2", fields={"Severity": "P3"})
    assert Runner([policy(body, header)]).cycle([p3], MONDAY + timedelta(days=3)).actions == ()


def test_incident_paperwork_on_resolution() -> None:
    body = """
roles: {pmo: 'email:pmo@sandbox.example'}
rules:
  - rule: incident_log
    space: INC
    pages: ["{project} Incident Log", "Projects Incident Log"]
    fields: [Root Cause]
  - rule: pmo_notify
    to: [pmo]
    notify: [dm]
  - rule: incident_summary
    space: INC
    title: "Incident summary {key}"
    fields: [Root Cause]
"""
    runner = Runner([policy(body)])
    t = ticket(
        created=MONDAY,
        fields={"Root Cause": "dns"},
        comments=(
            comment(ALICE, MONDAY + timedelta(minutes=5), "Investigating"),
            comment(ALICE, MONDAY + timedelta(minutes=6), "bot", agent=True),
        ),
    )
    assert runner.cycle([t], MONDAY + timedelta(hours=1)).actions == ()
    done = resolved(t, MONDAY + timedelta(hours=2))
    result = runner.cycle([done], MONDAY + timedelta(hours=2, minutes=1))
    rows = of_kind(result, ActionKind.CONFLUENCE_LOG_ROW)
    assert [r.context["page_title"] for r in rows] == ["T Incident Log", "Projects Incident Log"]
    assert rows[0].context["fields"] == {"Root Cause": "dns"}
    assert [e["text"] for e in rows[0].context["timeline"]] == ["Investigating"]
    (pmo,) = of_kind(result, ActionKind.SLACK_POST)
    assert spec_of(pmo) == "dm:pmo@sandbox.example" and pmo.template == "slack/pmo_notify.j2"
    (page,) = of_kind(result, ActionKind.CONFLUENCE_PAGE)
    assert page.template == "confluence/incident_summary.xml.j2"
    assert page.context["title"] == "Incident summary T-1"
    assert runner.cycle([done], MONDAY + timedelta(hours=5)).actions == ()


def test_weekly_digest_and_stakeholder_summary() -> None:
    body = """
channels: {project: '#cli-status'}
rules:
  - rule: weekly_digest
    weekday: fri
    at: "15:00"
  - rule: stakeholder_summary
    weekday: fri
    at: "15:00"
    notify: ['#leadership']
"""
    runner = Runner([policy(body)])
    tickets = [
        ticket("T-1", created=MONDAY),
        ticket("T-2", created=MONDAY, subtasks=(subtask("T-3", done=True),)),
        resolved(ticket("T-4", created=MONDAY), MONDAY + timedelta(hours=1)),
    ]
    result = runner.cycle(tickets, utc(2026, 3, 6, 15, 0))
    digest = [a for a in result.actions if a.rule == "weekly_digest"]
    assert len(digest) == 1 and spec_of(digest[0]) == "#cli-status" and digest[0].issue is None
    assert [t["issue"] for t in digest[0].context["tickets"]] == ["T-1", "T-2"]
    summaries = [a for a in result.actions if a.rule == "stakeholder_summary"]
    assert [(a.issue, spec_of(a)) for a in summaries] == [
        ("T-1", "#leadership"),
        ("T-2", "#leadership"),
    ]
    assert summaries[1].context["milestones"] == [
        {"key": "T-3", "summary": "Milestone T-3", "done": True}
    ]
    assert runner.cycle(tickets, utc(2026, 3, 7, 10, 0)).actions == ()
    next_week = runner.cycle(tickets, utc(2026, 3, 13, 15, 0))
    assert len([a for a in next_week.actions if a.rule == "weekly_digest"]) == 1
