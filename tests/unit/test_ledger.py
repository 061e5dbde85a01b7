"""The incident ledger: records follow tickets cheaply, breaches count once, pruning is separate."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agent.core.ledger import KEEP_RECORDS, Breach, IncidentRecord, synced_record, with_breach
from agent.core.state import EngineState, TicketState
from agent.core.state_codec import state_from_dict, state_to_dict
from tests.unit.factories import ALICE, Runner, comment, policy, resolved, ticket, utc

MONDAY = utc(2026, 3, 2, 9, 0)
ACK = """
rules:
  - rule: ack_overdue
    within: 30m
    to: [assignee]
    notify: [dm]
"""


def _never() -> None:
    raise AssertionError("the acknowledgement was looked for again")


def test_unchanged_ticket_keeps_the_same_record_object_and_skips_the_ack_scan() -> None:
    t = ticket("T-1", created=MONDAY)
    first = synced_record(
        None,
        policy="p",
        ticket=t,
        severity="high",
        breaches=(),
        resolved_fallback=MONDAY,
        acknowledged=lambda: MONDAY + timedelta(minutes=5),
    )
    assert first.acknowledged == MONDAY + timedelta(minutes=5)
    again = synced_record(
        first,
        policy="p",
        ticket=t,
        severity="high",
        breaches=(),
        resolved_fallback=MONDAY,
        acknowledged=_never,
    )
    assert again is first


def test_reopened_ticket_loses_its_resolution_until_resolved_again() -> None:
    t = ticket("T-1", created=MONDAY)
    done = resolved(t, MONDAY + timedelta(hours=2))
    kwargs = {"policy": "p", "severity": None, "breaches": (), "acknowledged": lambda: None}
    closed = synced_record(None, ticket=done, resolved_fallback=MONDAY, **kwargs)  # type: ignore[arg-type]
    assert closed.resolved == MONDAY + timedelta(hours=2)
    reopened = synced_record(closed, ticket=t, resolved_fallback=MONDAY, **kwargs)  # type: ignore[arg-type]
    assert reopened.resolved is None
    again = resolved(t, MONDAY + timedelta(days=1))
    final = synced_record(reopened, ticket=again, resolved_fallback=MONDAY, **kwargs)  # type: ignore[arg-type]
    assert final.resolved == MONDAY + timedelta(days=1)


def test_a_breach_counts_once_per_overdue_slot() -> None:
    due = MONDAY + timedelta(minutes=30)
    once = with_breach((), "ack_overdue", "ack_overdue:ack", due)
    assert with_breach(once, "ack_overdue", "ack_overdue:ack", due) is once
    later = with_breach(once, "ack_overdue", "ack_overdue:ack", due + timedelta(days=1))
    assert [b.due for b in later] == [due, due + timedelta(days=1)]


def test_planner_records_open_ack_breach_and_resolution_across_cycles() -> None:
    runner = Runner([policy(ACK)])
    t = ticket("T-1", created=MONDAY, assignee=ALICE)
    runner.cycle([t], MONDAY + timedelta(minutes=10))
    record = runner.state.incidents["T-1"]
    assert (record.policy, record.project, record.acknowledged, record.breaches) == (
        "test",
        "T",
        None,
        (),
    )
    for minutes in (31, 45, 50):  # overdue in three cycles: one breach
        runner.cycle([t], MONDAY + timedelta(minutes=minutes))
    assert runner.state.incidents["T-1"].breaches == (
        Breach("ack_overdue", "ack_overdue:ack", MONDAY + timedelta(minutes=30)),
    )
    acked = replace(t, comments=(comment(ALICE, MONDAY + timedelta(hours=1), "on it"),))
    runner.cycle([acked], MONDAY + timedelta(hours=1, minutes=5))
    assert runner.state.incidents["T-1"].acknowledged == MONDAY + timedelta(hours=1)
    done = resolved(acked, MONDAY + timedelta(hours=3))
    runner.cycle([done], MONDAY + timedelta(hours=3, minutes=1))
    assert runner.state.incidents["T-1"].resolved == MONDAY + timedelta(hours=3)


def test_quiet_hours_hold_the_nudge_but_the_breach_is_counted_once() -> None:
    runner = Runner([policy(ACK)])
    evening = utc(2026, 3, 2, 16, 50)  # due 17:20, after business hours end at 17:00
    t = ticket("T-1", created=evening, assignee=ALICE)
    for hour in (18, 19, 20):
        result = runner.cycle([t], utc(2026, 3, 2, hour, 0))
        assert result.actions == ()
    assert len(runner.state.incidents["T-1"].breaches) == 1
    runner.cycle([t], utc(2026, 3, 3, 9, 0))
    assert len(runner.state.incidents["T-1"].breaches) == 1


def test_ticket_pruning_keeps_the_ledger_and_the_ledger_has_its_own_horizon() -> None:
    runner = Runner([policy(ACK)])
    t = ticket("T-1", created=MONDAY)
    done = resolved(t, MONDAY + timedelta(hours=1))
    runner.cycle([done], MONDAY + timedelta(hours=2))
    pruned = runner.state.pruned(MONDAY + timedelta(days=40))
    assert "T-1" not in pruned.tickets and "T-1" in pruned.incidents
    runner.state = pruned
    runner.cycle([], MONDAY + timedelta(days=40))
    assert "T-1" in runner.state.incidents
    runner.cycle([], MONDAY + timedelta(hours=1) + KEEP_RECORDS + timedelta(minutes=1))
    assert "T-1" not in runner.state.incidents


def test_state_codec_round_trips_the_ledger_and_loads_old_state() -> None:
    record = IncidentRecord(
        issue="T-1",
        policy="p",
        project="T",
        severity="high",
        opened=MONDAY,
        acknowledged=MONDAY + timedelta(minutes=3),
        resolved=None,
        breaches=(Breach("ack_overdue", "ack_overdue:ack", MONDAY + timedelta(minutes=30)),),
    )
    ticket_state = TicketState(first_seen=MONDAY, breaches=record.breaches)
    state = EngineState().with_ticket("T-1", ticket_state).with_incidents({"T-1": record})
    loaded = state_from_dict(state_to_dict(state))
    assert loaded.incidents == {"T-1": record}
    assert loaded.tickets["T-1"].breaches == record.breaches
    old = {"version": 1, "tickets": {"T-1": {"first_seen": MONDAY.isoformat()}}, "done_keys": []}
    assert state_from_dict(old).incidents == {}


def test_rejected_and_bad_data_tickets() -> None:
    """A ticket whose comment author is garbage keeps one problem, from the rule that tripped."""
    from agent.core.model import Comment

    raw = Comment("c1", {"accountId": "x"}, MONDAY, "hi")  # type: ignore[arg-type]
    odd = ticket("T-1", created=MONDAY, comments=(raw,))
    result = Runner([policy(ACK)]).cycle([odd], MONDAY + timedelta(minutes=40))
    assert [p.issue for p in result.problems] == ["T-1"]
    assert "T-1" not in result.state.incidents
