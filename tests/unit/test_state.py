"""Engine state: round trip through plain data, pruning, channel ids, named chains."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from agent.core.state import EngineState, TicketState
from agent.core.state_codec import state_from_dict, state_to_dict
from tests.unit.factories import Runner, policy, resolved, spec_of, ticket, utc

MONDAY = utc(2026, 3, 2, 9, 0)

CHAINS = """
roles: {lead: 'email:lead@sandbox.example', head: 'email:head@sandbox.example'}
chains:
  managers: [{after: 30m, to: [head]}]
rules:
  - rule: ack_overdue
    within: 15m
    notify: [dm]
    chain:
      - {after: 15m, to: [lead], then: managers}
"""


def test_state_round_trips_through_json() -> None:
    runner = Runner([policy(CHAINS)])
    t = ticket(created=MONDAY)
    runner.cycle([t], MONDAY + timedelta(minutes=15))
    state = runner.state.with_channel("T-1", "C123")
    text = json.dumps(state_to_dict(state))
    back = state_from_dict(json.loads(text))
    assert back == state
    assert back.tickets["T-1"].channel_id == "C123"
    assert back.tickets["T-1"].open_items == state.tickets["T-1"].open_items
    # Planning from the restored state continues where it was.
    runner.state = back
    assert len(runner.cycle([t], MONDAY + timedelta(minutes=30)).actions) == 1


def test_bad_state_data_is_rejected_clearly() -> None:
    with pytest.raises(ValueError, match="version"):
        state_from_dict({"version": 99})
    with pytest.raises(ValueError, match=r"T-1: first_seen .* has no time zone"):
        state_from_dict({"version": 1, "tickets": {"T-1": {"first_seen": "2026-03-02T09:00"}}})
    with pytest.raises(KeyError, match="no state for T-9"):
        EngineState().with_channel("T-9", "C1")


def test_named_chain_continues_after_the_inline_step() -> None:
    runner = Runner([policy(CHAINS)])
    t = ticket(created=MONDAY)
    runner.cycle([t], MONDAY + timedelta(minutes=15))
    step1 = runner.cycle([t], MONDAY + timedelta(minutes=30))
    assert [spec_of(a) for a in step1.actions] == ["dm:lead@sandbox.example"]
    assert runner.cycle([t], MONDAY + timedelta(minutes=44)).actions == ()
    step2 = runner.cycle([t], MONDAY + timedelta(minutes=60))  # 15m + 15m + 30m
    assert [spec_of(a) for a in step2.actions] == ["dm:head@sandbox.example"]
    assert step2.actions[0].context["step"] == 2


def test_pruning_forgets_old_resolved_tickets_and_their_keys() -> None:
    runner = Runner([policy(CHAINS)])
    old = ticket("T-1", created=MONDAY)
    new = ticket("T-2", created=MONDAY)
    runner.cycle([old, new], MONDAY + timedelta(minutes=15))
    runner.cycle([resolved(old, MONDAY + timedelta(hours=1)), new], MONDAY + timedelta(hours=1))
    pruned = runner.state.pruned(MONDAY + timedelta(days=1))
    assert set(pruned.tickets) == {"T-2"}
    assert pruned.done_keys and all(":T-1:" not in k for k in pruned.done_keys)
    assert any(":T-2:" in k for k in pruned.done_keys)
    assert runner.state.pruned(MONDAY) is runner.state


def test_ticket_state_items_are_immutable_copies() -> None:
    base = TicketState(first_seen=MONDAY)
    changed = base.with_item("x", "anchor")
    assert dict(base.open_items) == {} and dict(changed.open_items) == {"x": "anchor"}
    assert dict(changed.without_item("x").open_items) == {}
