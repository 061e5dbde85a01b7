"""Destinations: each kind's spec is the string earlier versions put in keys, and reads back."""

from __future__ import annotations

import pytest

from agent.core.destinations import (
    Channel,
    Destination,
    DirectMessage,
    EscalationChannel,
    GroupMembers,
    IncidentThread,
    parse_destination,
)
from agent.core.keys import ActionKey
from tests.unit.test_action_keys import planned_week


@pytest.mark.parametrize(
    ("spec", "destination"),
    [
        ("#inc-project", Channel("#inc-project")),
        ("escalation:DS-12", EscalationChannel("DS-12")),
        ("dm:acc-alice", DirectMessage("acc-alice")),
        ("dm:night@sandbox.example", DirectMessage("night@sandbox.example")),
        ("group:sre-oncall", GroupMembers("sre-oncall")),
        ("thread:C0OPS:1772445600.000100", IncidentThread("C0OPS", "1772445600.000100")),
    ],
)
def test_each_kind_reads_from_and_writes_to_its_spec(spec: str, destination: Destination) -> None:
    assert parse_destination(spec) == destination
    assert destination.spec == spec


def test_a_group_is_named_as_the_policy_writes_it_and_keyed_in_lowercase() -> None:
    assert GroupMembers.of(" @SRE-Oncall ") == GroupMembers("sre-oncall")
    assert GroupMembers.of("leads").spec == "group:leads"


def test_every_place_the_planner_sends_to_is_the_place_its_key_names() -> None:
    week = planned_week()
    places = [a for a in week if a.channel is not None]
    assert {type(a.channel) for a in places} >= {Channel, EscalationChannel, DirectMessage}
    for action in places:
        assert action.channel is not None
        assert parse_destination(action.channel.spec) == action.channel
        where = ActionKey.parse(action.key).where
        if where is not None and where != "jira":
            assert parse_destination(where) == action.channel, action.key


@pytest.mark.parametrize(
    "spec", ["", "ops", "dm:", "escalation:", "group:", "thread:C1", "thread::1.2", "jira"]
)
def test_what_is_no_destination_is_refused_saying_what_one_looks_like(spec: str) -> None:
    with pytest.raises(ValueError, match=r"expected #name, escalation:<ISSUE>, dm:<who>"):
        parse_destination(spec)
