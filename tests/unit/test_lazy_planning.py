"""Nudges already carried out are not built again, and what they need is not looked up.

A steady cycle at 10,000 escalations re-plans thousands of sent nudges; who they
tag and their template data are only worked out for nudges still to go. These
tests pin the behaviour that must not change with that: retries still happen,
empty roles are still reported while a nudge waits, and a done nudge is silent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agent.core.actions import ActionKind, Recipient
from agent.core.keys import ActionKey
from agent.core.message import Message
from agent.core.routing import route
from tests.unit.factories import PAM, Runner, policy, ticket, utc

MONDAY = utc(2026, 3, 2, 10, 0)
SATURDAY = utc(2026, 3, 7, 11, 0)

ALERT = """
roles:
  cto: 'email:oleh@sandbox.example'
  account_manager: 'field:Account Manager'
channels: {project: '#inc-project'}
rules:
  - rule: escalation_alert
    mention: [assignee, cto, account_manager]
    notify: [project_channel]
    pin: true
"""

ASK_FIELDS = """
roles:
  account_manager: 'field:Account Manager'
fallback: []  # nobody stands in for an empty role
rules:
  - rule: intake_missing_fields
    fields: [Root Cause]
    to: [account_manager]
    notify: [jira]
"""


def test_route_builds_no_done_action_and_looks_nobody_up_for_it() -> None:
    base = "ack_overdue:T-1:ack@2026-03-02T10:15Z"
    lookups: list[str] = []
    cto = (Recipient(role="cto", email="oleh@sandbox.example"),)

    def audience() -> tuple[Recipient, ...]:
        lookups.append("audience")
        return cto

    def planned(done: set[str]) -> list[str]:
        message = Message(
            rule="ack_overdue",
            reason="late",
            due=datetime(2026, 3, 2, 10, 15, tzinfo=UTC),
            template="nudge",
            audience=audience,
            context=lambda: {"issue": "T-1"},
        )
        actions = route(
            policy(ALERT),
            ticket(),
            ["jira", "project_channel"],
            ActionKey.parse(base),
            message,
            skip=frozenset(done),
        )
        assert all(a.audience == cto for a in actions)
        return [a.key for a in actions]

    assert planned({f"{base}#jira", f"{base}##inc-project"}) == []
    assert lookups == []
    assert planned({f"{base}#jira"}) == [f"{base}##inc-project"]
    assert planned(set()) == [f"{base}#jira", f"{base}##inc-project"]
    assert len(lookups) == 2  # once for each route() that built something


def test_a_failed_pin_is_planned_again_once_its_alert_was_posted() -> None:
    runner = Runner([policy(ALERT)])
    t = ticket(created=MONDAY, fields={"Account Manager": PAM})
    first = runner.cycle([t], MONDAY + timedelta(minutes=1), execute=False)
    post, pin = first.actions
    assert pin.kind is ActionKind.SLACK_PIN
    runner.state = first.state.with_done([post.key])  # the post went out, the pin failed
    (again,) = runner.cycle([t], MONDAY + timedelta(minutes=2)).actions
    assert again.key == pin.key and again.context["message_key"] == post.key
    assert runner.cycle([t], MONDAY + timedelta(minutes=3)).actions == ()


def test_an_empty_role_is_reported_while_its_nudge_waits_not_after_it_went() -> None:
    runner = Runner([policy(ASK_FIELDS)])
    t = ticket(created=MONDAY)
    first = runner.cycle([t], MONDAY + timedelta(minutes=1))
    (ask,) = first.actions
    assert ask.kind is ActionKind.JIRA_COMMENT and ask.audience == ()
    assert [p.message for p in first.problems] == [
        "role account_manager comes from 'Account Manager', which is empty"
    ]
    later = runner.cycle([t], MONDAY + timedelta(minutes=2))
    assert later.actions == () and later.problems == ()


@pytest.mark.parametrize("urgent", [False, True])
def test_quiet_hours_still_report_an_empty_role(urgent: bool) -> None:
    body = ASK_FIELDS + ("    urgent: true\n" if urgent else "")
    runner = Runner([policy(body)])
    held = runner.cycle([ticket(created=SATURDAY)], SATURDAY + timedelta(minutes=1))
    assert [p.message for p in held.problems] == [
        "role account_manager comes from 'Account Manager', which is empty"
    ]
    # a non-urgent nudge waits for Monday; an urgent one goes now (no after_hours: block)
    assert len(held.actions) == (1 if urgent else 0)
