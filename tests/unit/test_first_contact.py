"""First contact: tickets resolved before a policy first ran are history; lateness found
at first contact gets one nudge, with no repeats or chain steps to catch up."""

from __future__ import annotations

from datetime import timedelta

from agent.core.actions import ActionKind
from agent.core.backfill import plan_backfill
from agent.core.history import inherited, is_history
from agent.core.model import Ticket
from agent.core.state import EngineState
from tests.unit.factories import ALICE, Runner, comment, policy, resolved, spec_of, ticket, utc

FIRST_CONTACT = utc(2026, 3, 2, 10, 0)  # a Monday, business hours 09-17 UTC
YEAR_BEFORE = FIRST_CONTACT - timedelta(days=365)

PAPERWORK = """
severity:
  levels: [P1]
  field: {name: Severity, map: {P1: P1}}
rules:
  - rule: incident_summary
    space: SUP
    title: "Incident summary {key}: {summary}"
    fields: [Root Cause]
  - rule: incident_log
    space: SUP
    pages: ["{project} log"]
    fields: [Root Cause]
  - rule: postmortem_due
    within: 48h
    fields: [Root Cause]
    space: SUP
    notify: [jira]
  - rule: closure_missing_fields
    fields: [Root Cause]
    notify: [jira]
"""

PROGRESS = """
roles: {lead: 'email:lead@sandbox.example'}
updates: {sources: [jira_comment], by: [assignee]}
rules:
  - rule: progress_overdue
    within: 30m
    to: [assignee]
    notify: [dm]
    repeat: 30m
    chain:
      - {after: 1h, to: [lead], notify: [dm]}
"""


def _old_outage(key: str = "T-1") -> Ticket:
    t = ticket(key, created=YEAR_BEFORE, fields={"Severity": "P1"})
    return resolved(t, YEAR_BEFORE + timedelta(hours=4))


def test_a_ticket_resolved_a_year_before_first_contact_gets_nothing_at_all() -> None:
    runner = Runner([policy(PAPERWORK)], first_contact={"test": FIRST_CONTACT})
    old = _old_outage()

    first = runner.cycle([old], FIRST_CONTACT)
    later = runner.cycle([old], FIRST_CONTACT + timedelta(days=3))

    assert first.actions == () and later.actions == ()
    assert first.history == {"test": 1}
    assert "T-1" not in first.state.tickets
    assert "T-1" not in first.state.incidents


def test_a_ticket_resolved_after_first_contact_gets_its_paperwork() -> None:
    runner = Runner([policy(PAPERWORK)], first_contact={"test": FIRST_CONTACT})
    t = ticket("T-2", created=YEAR_BEFORE, fields={"Severity": "P1"})

    runner.cycle([t], FIRST_CONTACT)
    done = runner.cycle([resolved(t, FIRST_CONTACT + timedelta(hours=1))], FIRST_CONTACT)

    kinds = {a.kind for a in done.actions}
    assert {ActionKind.CONFLUENCE_PAGE, ActionKind.CONFLUENCE_LOG_ROW} <= kinds
    assert ActionKind.JIRA_REMOTE_LINK in kinds
    assert done.history == {}


def test_history_is_per_policy_and_nothing_is_history_without_a_first_contact() -> None:
    old = _old_outage()
    assert Runner([policy(PAPERWORK)]).cycle([old], FIRST_CONTACT).actions != ()
    other = Runner([policy(PAPERWORK)], first_contact={"another-policy": FIRST_CONTACT})
    assert other.cycle([old], FIRST_CONTACT).history == {}


def test_a_reopened_ticket_is_not_history() -> None:
    reopened = ticket("T-3", created=YEAR_BEFORE, resolved_at=YEAR_BEFORE + timedelta(days=1))
    assert reopened.is_open
    assert not is_history(reopened, FIRST_CONTACT)
    assert is_history(_old_outage(), FIRST_CONTACT)
    assert not is_history(_old_outage(), None)


def test_a_ticket_the_agent_already_spoke_on_is_never_history() -> None:
    """A lost state file records a new first contact; the markers say the agent was there."""
    marked = resolved(
        ticket(
            "T-6",
            created=YEAR_BEFORE,
            fields={"Severity": "P1"},
            comments=(comment(None, YEAR_BEFORE + timedelta(minutes=1), "Tagged", agent=True),),
        ),
        YEAR_BEFORE + timedelta(hours=1),
    )
    runner = Runner([policy(PAPERWORK)], first_contact={"test": FIRST_CONTACT})

    result = runner.cycle([marked], FIRST_CONTACT)

    assert not is_history(marked, FIRST_CONTACT)
    assert result.history == {}
    assert {a.kind for a in result.actions} >= {ActionKind.CONFLUENCE_PAGE}


def test_lateness_found_at_first_contact_gets_one_nudge_and_no_catching_up() -> None:
    runner = Runner([policy(PROGRESS)], first_contact={"test": FIRST_CONTACT})
    waiting = ticket("T-4", created=FIRST_CONTACT - timedelta(days=5))

    first = runner.cycle([waiting], FIRST_CONTACT)
    (nudge,) = first.actions
    assert spec_of(nudge) == f"dm:{ALICE.account_id}"
    assert nudge.due == waiting.created + timedelta(minutes=30)
    # hours later: no "still overdue" repeats, no escalation to the lead
    for hours in (1, 2, 6, 30):
        assert runner.cycle([waiting], FIRST_CONTACT + timedelta(hours=hours)).actions == ()


def test_lateness_that_grows_after_first_contact_repeats_and_escalates_as_usual() -> None:
    runner = Runner([policy(PROGRESS)], first_contact={"test": FIRST_CONTACT})
    created = FIRST_CONTACT - timedelta(days=5)
    answered = ticket(
        "T-5", created=created, comments=(comment(ALICE, FIRST_CONTACT, "Looking now"),)
    )

    runner.cycle([answered], FIRST_CONTACT)
    runner.cycle([answered], FIRST_CONTACT + timedelta(minutes=30))
    step = runner.cycle([answered], FIRST_CONTACT + timedelta(minutes=95))

    keys = [a.key for a in step.actions]
    assert any(":repeat@" in k for k in keys)
    assert any(":step1#dm:lead@sandbox.example" in k for k in keys)


def test_inherited_means_due_before_first_contact() -> None:
    assert inherited(FIRST_CONTACT - timedelta(seconds=1), FIRST_CONTACT)
    assert not inherited(FIRST_CONTACT, FIRST_CONTACT)
    assert not inherited(YEAR_BEFORE, None)


def test_backfill_plans_only_paperwork_for_history_resolved_since_the_date() -> None:
    pol = policy(PAPERWORK)
    old = _old_outage("T-1")  # resolved a year before first contact
    recent = resolved(
        ticket("T-2", created=FIRST_CONTACT - timedelta(days=10), fields={"Severity": "P1"}),
        FIRST_CONTACT - timedelta(days=9),
    )
    after = resolved(
        ticket("T-3", created=FIRST_CONTACT, fields={"Severity": "P1"}),
        FIRST_CONTACT + timedelta(hours=2),
    )
    since = FIRST_CONTACT - timedelta(days=30)

    planned = plan_backfill(
        [old, recent, after],
        EngineState(),
        FIRST_CONTACT + timedelta(days=1),
        [pol],
        since=since,
        first_contact={"test": FIRST_CONTACT},
    )

    assert planned.tickets == {"test": ("T-2",)}
    assert {a.issue for a in planned.actions} == {"T-2"}
    assert {a.kind for a in planned.actions} == {
        ActionKind.CONFLUENCE_PAGE,
        ActionKind.CONFLUENCE_LOG_ROW,
        ActionKind.JIRA_REMOTE_LINK,
    }
    # the keys are those the cycle would have used at resolution: written once, ever
    cycle = Runner([pol]).cycle([recent], FIRST_CONTACT)
    assert {a.key for a in planned.actions} <= {a.key for a in cycle.actions}


def test_backfill_skips_what_is_done_and_policies_not_asked_for() -> None:
    pol = policy(PAPERWORK)
    recent = resolved(
        ticket("T-2", created=FIRST_CONTACT - timedelta(days=10), fields={"Severity": "P1"}),
        FIRST_CONTACT - timedelta(days=9),
    )
    contact = {"test": FIRST_CONTACT}
    first = plan_backfill(
        [recent], EngineState(), FIRST_CONTACT, [pol], since=YEAR_BEFORE, first_contact=contact
    )
    done = EngineState().with_done(a.key for a in first.actions)

    again = plan_backfill(
        [recent], done, FIRST_CONTACT, [pol], since=YEAR_BEFORE, first_contact=contact
    )
    assert first.actions != () and again.actions == ()
    other = plan_backfill(
        [recent],
        EngineState(),
        FIRST_CONTACT,
        [pol],
        since=YEAR_BEFORE,
        first_contact=contact,
        only=frozenset({"x"}),
    )
    assert other.actions == () and other.tickets == {}
