"""Getting started: alert (and pin), acknowledgement, estimate, call, after-hours page."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agent.core.actions import ActionKind
from tests.unit.factories import (
    ALICE,
    PAM,
    RITA,
    Runner,
    comment,
    of_kind,
    policy,
    resolved,
    spec_of,
    ticket,
    utc,
)

MONDAY = utc(2026, 3, 2, 10, 0)

ALERT = """
roles:
  cto: 'email:oleh@sandbox.example'
  account_manager: 'field:Account Manager'
  leads: ['email:oleh@sandbox.example', 'email:alex@sandbox.example']
channels: {project: '#inc-project'}
after_hours: {contacts: [leads], notify: [dm]}
rules:
  - rule: escalation_alert
    mention: [assignee, cto, account_manager]
    notify: [project_channel]
    pin: true
    urgent: true
"""


def test_alert_tags_the_people_in_the_project_channel_and_pins_it() -> None:
    runner = Runner([policy(ALERT)])
    t = ticket(created=MONDAY, fields={"Account Manager": PAM})
    result = runner.cycle([t], MONDAY + timedelta(minutes=1))
    post, pin = result.actions
    assert post.kind is ActionKind.SLACK_POST and spec_of(post) == "#inc-project"
    assert post.template == "slack/alert.j2"
    assert [r.role for r in post.audience] == ["assignee", "cto", "account_manager"]
    assert pin.kind is ActionKind.SLACK_PIN and pin.context["message_key"] == post.key
    assert runner.cycle([t], MONDAY + timedelta(minutes=5)).actions == ()
    closed = runner.cycle([resolved(t, MONDAY + timedelta(hours=3))], MONDAY + timedelta(hours=3))
    (unpin,) = closed.actions
    assert unpin.kind is ActionKind.SLACK_UNPIN and spec_of(unpin) == "#inc-project"


def test_alert_at_night_goes_to_the_after_hours_contacts() -> None:
    runner = Runner([policy(ALERT)])
    t = ticket(created=utc(2026, 3, 7, 23, 0), fields={"Account Manager": PAM})  # Saturday night
    result = runner.cycle([t], utc(2026, 3, 7, 23, 1))
    assert sorted(spec_of(a) or "" for a in result.actions) == [
        "dm:alex@sandbox.example",
        "dm:oleh@sandbox.example",
    ]
    assert of_kind(result, ActionKind.SLACK_PIN) == []


def test_ack_within_15_minutes_else_nudge_then_lead() -> None:
    body = """
roles: {lead: 'email:lead@sandbox.example'}
updates: {by: [assignee, lead]}
rules:
  - rule: ack_overdue
    within: 15m
    notify: [dm]
    chain: [{after: 15m, to: [lead]}]
"""
    runner = Runner([policy(body)])
    t = ticket(created=MONDAY)
    assert runner.cycle([t], MONDAY + timedelta(minutes=14)).actions == ()
    (nudge,) = runner.cycle([t], MONDAY + timedelta(minutes=15)).actions
    assert "not acknowledged within 15m" in nudge.reason
    (lead,) = runner.cycle([t], MONDAY + timedelta(minutes=30)).actions
    assert spec_of(lead) == "dm:lead@sandbox.example"
    acked = replace(t, comments=(comment(ALICE, MONDAY + timedelta(minutes=31), "on it"),))
    (done,) = runner.cycle([acked], MONDAY + timedelta(minutes=32)).actions
    assert done.kind is ActionKind.SLACK_THREAD_DONE
    on_time = replace(t, key="T-2", comments=(comment(ALICE, MONDAY + timedelta(minutes=5)),))
    assert Runner([policy(body)]).cycle([on_time], MONDAY + timedelta(hours=1)).actions == ()


def test_estimate_asked_until_an_estimate_or_due_date_exists() -> None:
    body = """
rules:
  - rule: estimate_missing
    within: 10m
"""
    runner = Runner([policy(body)])
    t = ticket(created=MONDAY)
    result = runner.cycle([t], MONDAY + timedelta(minutes=10))
    assert [a.kind for a in result.actions] == [ActionKind.JIRA_COMMENT, ActionKind.SLACK_POST]
    assert result.actions[0].template == "jira/ask_estimate.j2"
    estimated = replace(t, original_estimate_seconds=7200)
    assert [a.kind for a in runner.cycle([estimated], MONDAY + timedelta(minutes=20)).actions] == [
        ActionKind.SLACK_THREAD_DONE
    ]
    dated = replace(t, key="T-2", due_date=MONDAY + timedelta(days=1))
    assert Runner([policy(body)]).cycle([dated], MONDAY + timedelta(hours=1)).actions == ()


def test_call_needed_after_an_hour_without_progress() -> None:
    body = """
roles: {cto: 'email:oleh@sandbox.example', account_manager: 'field:Account Manager'}
channels: {project: '#inc-project'}
rules:
  - rule: call_needed
    after: 1h
    participants: [assignee, cto, account_manager]
"""
    runner = Runner([policy(body)])
    t = ticket(created=MONDAY, fields={"Account Manager": PAM})
    assert runner.cycle([t], MONDAY + timedelta(minutes=59)).actions == ()
    (call,) = runner.cycle([t], MONDAY + timedelta(hours=1)).actions
    assert spec_of(call) == "#inc-project" and call.template == "slack/call_needed.j2"
    assert call.context["participants"] == ["Alice Assignee", "oleh@sandbox.example", "Pam PM"]
    assert runner.cycle([t], MONDAY + timedelta(hours=1, minutes=30)).actions == ()
    # Reassignment restarts the clock.
    from tests.unit.factories import change

    moved = replace(t, changelog=(change(RITA, MONDAY + timedelta(hours=2), "assignee", "a", "b"),))
    assert runner.cycle([moved], MONDAY + timedelta(hours=2, minutes=30)).actions == ()
    assert len(runner.cycle([moved], MONDAY + timedelta(hours=3)).actions) == 1


def test_after_hours_page_only_for_tickets_raised_off_hours() -> None:
    body = """
roles: {leads: ['email:oleh@sandbox.example', 'email:sophia@sandbox.example']}
after_hours: {contacts: [leads]}
rules:
  - rule: after_hours_page
    urgent: true
"""
    runner = Runner([policy(body)])
    night = ticket(created=utc(2026, 3, 2, 22, 0))
    result = runner.cycle([night], utc(2026, 3, 2, 22, 1))
    assert sorted(spec_of(a) or "" for a in result.actions) == [
        "dm:oleh@sandbox.example",
        "dm:sophia@sandbox.example",
    ]
    assert result.actions[0].urgent
    assert runner.cycle([night], utc(2026, 3, 2, 23, 0)).actions == ()
    # Seen only the next business morning: too late to page.
    assert Runner([policy(body)]).cycle([night], utc(2026, 3, 3, 9, 30)).actions == ()
    day = ticket("T-2", created=MONDAY)
    assert Runner([policy(body)]).cycle([day], MONDAY).actions == ()


HEADS_UP = """
roles: {lead: 'email:lead@sandbox.example'}
rules:
  - rule: ack_overdue
    within: 15m
    warn_before: 5m
    notify: [dm]
"""


def test_a_heads_up_goes_once_before_the_ack_deadline_to_the_nudge_audience() -> None:
    runner = Runner([policy(HEADS_UP)])
    t = ticket(created=MONDAY)
    assert runner.cycle([t], MONDAY + timedelta(minutes=9, seconds=59)).actions == ()
    (soon,) = runner.cycle([t], MONDAY + timedelta(minutes=10)).actions
    assert soon.key == "ack_overdue:T-1:ack@2026-03-02T10:15Z:soon#dm:acc-alice"
    assert (soon.rule, soon.event, soon.template) == (
        "ack_overdue",
        "due_soon",
        "slack/due_soon.j2",
    )
    assert soon.reason == "5m left to acknowledge T-1."
    assert soon.context["task"] == "acknowledge T-1" and soon.context["due"] == "2026-03-02T10:15Z"
    assert runner.cycle([t], MONDAY + timedelta(minutes=12)).actions == ()  # never twice
    (nudge,) = runner.cycle([t], MONDAY + timedelta(minutes=15)).actions
    assert nudge.event is None and ":soon" not in nudge.key


def test_no_heads_up_after_the_deadline_nor_once_it_is_met() -> None:
    late = Runner([policy(HEADS_UP)]).cycle(
        [ticket(created=MONDAY)], MONDAY + timedelta(minutes=15)
    )
    assert [a.event for a in late.actions] == [None]  # the nudge only
    acked = ticket(created=MONDAY, comments=(comment(ALICE, MONDAY + timedelta(minutes=3)),))
    assert Runner([policy(HEADS_UP)]).cycle([acked], MONDAY + timedelta(minutes=11)).actions == ()


def test_a_heads_up_keeps_quiet_hours_like_its_nudge() -> None:
    saturday = utc(2026, 3, 7, 10, 0)
    quiet = Runner([policy(HEADS_UP)]).cycle(
        [ticket(created=saturday)], saturday + timedelta(minutes=11)
    )
    assert quiet.actions == ()
    urgent = Runner([policy(HEADS_UP + "    urgent: true\n")])
    (soon,) = urgent.cycle([ticket(created=saturday)], saturday + timedelta(minutes=11)).actions
    assert soon.event == "due_soon" and soon.reason.startswith("4m left")


def test_a_slotted_rule_warns_before_its_next_slot_after_the_last_was_met() -> None:
    body = """
rules:
  - rule: sev1_daily_update
    at: "17:00"
    grace: 1h
    warn_before: 2h
    notify: [dm]
"""
    runner = Runner([policy(body)])
    t = ticket(created=utc(2026, 3, 2, 9, 0), comments=(comment(ALICE, utc(2026, 3, 2, 16, 50)),))
    assert runner.cycle([t], utc(2026, 3, 3, 15, 59)).actions == ()  # Monday's was met
    (soon,) = runner.cycle([t], utc(2026, 3, 3, 16, 0)).actions
    assert soon.key == "sev1_daily_update:T-1:update@2026-03-03T18:00Z:soon#dm:acc-alice"
    assert soon.reason.startswith("2h left to give T-1 its daily status (17:00) update")
