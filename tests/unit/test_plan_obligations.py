"""What ``plan()`` says each ticket owes: open obligations, met ones gone, and why one waits."""

from __future__ import annotations

from datetime import timedelta

from agent.core.obligations import Obligation, WaitReason, next_open, waiting
from agent.core.planner import plan
from agent.core.state import EngineState
from tests.unit.factories import ALICE, RITA, Runner, comment, policy, spec_of, ticket, utc

MONDAY_9 = utc(2026, 3, 2, 9, 0)  # a Monday; business hours 09-17 UTC

ACK_AND_UPDATES = """
roles: {lead: 'email:lead@sandbox.example'}
updates: {sources: [jira_comment], by: [assignee]}
fallback: []  # nobody stands in for an empty role
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [dm]
  - rule: update_overdue
    every: 1h
    to: [assignee]
    notify: [dm]
"""


def owed(result_obligations: tuple[Obligation, ...], issue: str = "T-1") -> list[str]:
    return [o.ident for o in sorted(result_obligations, key=lambda o: o.due) if o.issue == issue]


def test_open_obligations_come_with_the_plan_and_a_met_one_is_gone() -> None:
    pol = policy(ACK_AND_UPDATES)
    fresh = ticket(created=MONDAY_9)
    before = plan([fresh], EngineState(), MONDAY_9 + timedelta(minutes=5), [pol])
    assert owed(before.obligations) == ["ack_overdue:ack", "update_overdue:update"]
    ack = next_open(before.obligations)
    assert ack is not None and ack.due == MONDAY_9 + timedelta(minutes=15)
    assert (ack.rule, ack.item, ack.policy, ack.overdue, ack.waiting) == (
        "ack_overdue",
        "ack",
        "test",
        False,
        None,
    )

    acked = ticket(created=MONDAY_9, comments=(comment(ALICE, MONDAY_9 + timedelta(minutes=10)),))
    after = plan([acked], EngineState(), MONDAY_9 + timedelta(minutes=20), [pol])
    assert owed(after.obligations) == ["update_overdue:update"]
    update = next_open(after.obligations)
    assert update is not None and update.due == MONDAY_9 + timedelta(minutes=70)


def test_an_overdue_obligation_whose_nudge_goes_out_does_not_wait() -> None:
    result = plan(
        [ticket(created=MONDAY_9)],
        EngineState(),
        MONDAY_9 + timedelta(minutes=16),
        [policy(ACK_AND_UPDATES)],
    )
    (ack,) = [o for o in result.obligations if o.item == "ack"]
    assert ack.overdue and ack.waiting is None
    assert any(a.rule == "ack_overdue" for a in result.actions)
    assert waiting(result.obligations) == []


def test_outside_business_hours_a_due_nudge_waits_for_the_opening() -> None:
    late = ticket(created=utc(2026, 3, 2, 16, 50))  # acknowledgement due 17:05, after closing
    now = utc(2026, 3, 2, 19, 32)
    result = plan([late], EngineState(), now, [policy(ACK_AND_UPDATES)])
    assert not [a for a in result.actions if a.rule == "ack_overdue"]  # silent: not urgent
    (ack, update) = waiting(result.obligations)
    assert (ack.ident, update.ident) == ("ack_overdue:ack", "update_overdue:update")
    assert ack.waiting is not None
    assert ack.waiting.reason is WaitReason.QUIET_HOURS
    assert ack.waiting.fires_at == utc(2026, 3, 3, 9, 0)  # Tuesday's opening
    assert "09:00-17:00" in ack.waiting.why


def test_an_urgent_rule_speaks_after_hours_and_does_not_wait() -> None:
    urgent = ACK_AND_UPDATES.replace("    within: 15m\n", "    within: 15m\n    urgent: true\n")
    result = plan(
        [ticket(created=utc(2026, 3, 2, 16, 50))],
        EngineState(),
        utc(2026, 3, 2, 19, 32),
        [policy(urgent)],
    )
    assert [o.ident for o in waiting(result.obligations)] == ["update_overdue:update"]
    assert any(a.rule == "ack_overdue" for a in result.actions)


def test_nobody_in_the_role_makes_a_dm_nudge_wait_for_someone() -> None:
    unassigned = ticket(created=MONDAY_9, assignee=None)
    result = plan(
        [unassigned], EngineState(), MONDAY_9 + timedelta(minutes=16), [policy(ACK_AND_UPDATES)]
    )
    (ack,) = [o for o in result.obligations if o.item == "ack"]
    assert ack.overdue and ack.waiting is not None
    assert ack.waiting.reason is WaitReason.NOBODY
    assert "assignee" in ack.waiting.why
    assert "named in the role" in ack.waiting.fires_when
    assert not [a for a in result.actions if a.rule == "ack_overdue"]


def test_a_nudge_sent_in_an_earlier_cycle_is_not_waiting() -> None:
    runner = Runner([policy(ACK_AND_UPDATES)])
    t = ticket(created=MONDAY_9)
    runner.cycle([t], MONDAY_9 + timedelta(minutes=16))
    again = runner.cycle([t], MONDAY_9 + timedelta(minutes=20))
    assert again.actions == ()
    (ack,) = [o for o in again.obligations if o.item == "ack"]
    assert ack.overdue and ack.waiting is None


def test_the_plan_names_the_tickets_a_newer_message_could_change() -> None:
    """A nudge from a rule that reads messages, or its item still open a cycle later, is
    what a newer channel message could take away; a ticket owing nothing yet is not."""
    runner = Runner([policy(ACK_AND_UPDATES)])
    nudged = ticket("T-1", created=MONDAY_9)
    quiet = ticket("T-2", created=MONDAY_9 + timedelta(minutes=10))
    first = runner.cycle([nudged, quiet], MONDAY_9 + timedelta(minutes=16))
    assert [a.issue for a in first.actions if a.rule == "ack_overdue"] == ["T-1"]
    assert first.fresh_messages_for == {"T-1"}
    later = runner.cycle([nudged, quiet], MONDAY_9 + timedelta(minutes=20))
    assert later.actions == ()
    assert later.fresh_messages_for == {"T-1"}  # its acknowledgement is still open


LIMITED = """
updates: {sources: [jira_comment], by: [assignee]}
rules:
  - rule: limit_daily
    max: 1
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [dm]
"""


def test_a_ticket_held_by_a_limit_owes_its_items_waiting_for_the_release() -> None:
    first = ticket("T-1", created=MONDAY_9)
    second = ticket("T-2", created=MONDAY_9 + timedelta(minutes=1), reporter=RITA)
    now = MONDAY_9 + timedelta(minutes=30)
    result = plan([first, second], EngineState(), now, [policy(LIMITED)])
    nudged = {a.issue for a in result.actions if a.rule == "ack_overdue"}
    assert nudged == {"T-1"}  # the held ticket is not nudged...
    (held,) = waiting(result.obligations)
    assert held.issue == "T-2" and held.ident == "ack_overdue:ack"  # ...but its item is listed
    assert held.waiting is not None and held.waiting.reason is WaitReason.HELD
    assert "1 new escalation per day" in held.waiting.why
    assert held.waiting.fires_at == utc(2026, 3, 3, 0, 0)  # not before the next day
    assert result.state.ticket("T-2") is not None
    assert result.state.tickets["T-2"].open_items == {}  # the scratch run kept nothing


SLOTTED = """
updates: {sources: [jira_comment], by: [assignee]}
rules:
  - rule: eod_update_overdue
    at: "16:30"
    to: [assignee]
    notify: [dm]
"""


def test_a_met_slot_leaves_the_next_slot_owed() -> None:
    pol = policy(SLOTTED)
    t = ticket(created=MONDAY_9)
    before_first = plan([t], EngineState(), MONDAY_9 + timedelta(hours=1), [pol])
    (first,) = before_first.obligations
    assert first.due == utc(2026, 3, 2, 16, 30) and not first.overdue

    answered = ticket(created=MONDAY_9, comments=(comment(ALICE, utc(2026, 3, 2, 16, 0)),))
    met = plan([answered], EngineState(), utc(2026, 3, 2, 16, 45), [pol])
    (following,) = met.obligations
    assert following.due == utc(2026, 3, 3, 16, 30) and not following.overdue

    missed = plan([t], EngineState(), utc(2026, 3, 2, 16, 45), [pol])
    (overdue,) = missed.obligations
    assert overdue.due == utc(2026, 3, 2, 16, 30) and overdue.overdue


def test_the_planner_answers_the_same_obligations_for_the_same_inputs() -> None:
    pol = policy(ACK_AND_UPDATES)
    t = ticket(created=MONDAY_9)
    now = MONDAY_9 + timedelta(minutes=45)
    one = plan([t], EngineState(), now, [pol])
    assert one.obligations and one == plan([t], EngineState(), now, [pol])


THREADS = """
channels: {escalation: "t-{number}"}
updates: {sources: [jira_comment, channel_message], by: [assignee]}
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [escalation_channel, dm]
"""


def test_only_posts_in_a_channel_whose_messages_count_invite_a_reply_in_the_thread() -> None:
    now = MONDAY_9 + timedelta(minutes=16)
    result = plan([ticket(created=MONDAY_9)], EngineState(), now, [policy(THREADS)])
    where = {spec_of(a): a.context for a in result.actions}
    assert where["escalation:T-1"]["reply_in_thread"] is True
    assert "reply_in_thread" not in where["dm:acc-alice"]
    assert where["dm:acc-alice"]["answer"] == {
        "comment": True,
        "status": False,
        "channel": "t-1",
        "thread": None,
    }

    comments_only = THREADS.replace("[jira_comment, channel_message]", "[jira_comment]")
    result = plan([ticket(created=MONDAY_9)], EngineState(), now, [policy(comments_only)])
    posted = next(a for a in result.actions if spec_of(a) == "escalation:T-1")
    assert "reply_in_thread" not in posted.context  # replies there are not read as updates
    assert posted.context["answer"]["channel"] is None
