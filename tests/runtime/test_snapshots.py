"""Detailed tickets survive the trip through JSON (the store's kv) unchanged."""

from __future__ import annotations

import json

import pytest

from agent.core.model import Comment
from agent.runtime.read.snapshots import SnapshotError, ticket_from_json, ticket_to_json
from tests.unit.factories import ALICE, GONE, IVAN, RITA, change, comment, subtask, ticket, utc


def test_a_detailed_ticket_round_trips_through_json() -> None:
    at = utc(2026, 3, 2, 9, 30)
    original = ticket(
        "DS-7",
        labels=frozenset({"ESCALATION", "vip"}),
        fields={
            "Initiator": IVAN,
            "Watchers list": [ALICE, GONE],
            "Time of Occurrence": at,
            "Impact Level": "High",
            "Credits": 12.5,
            "Nested": {"a": [1, "two"]},
        },
        comments=(
            comment(RITA, at, "Any news?"),
            Comment("9", None, at, "nudge", agent_rule="ack_overdue", agent_key="k#jira"),
        ),
        changelog=(change(ALICE, at, "status", "To Do", "In Progress"),),
        subtasks=(subtask("DS-8", done=True), subtask("DS-9")),
        watchers=(ALICE,),
        resolved_at=None,
        due_date=utc(2026, 3, 3),
        original_estimate_seconds=3600,
        attachment_count=2,
        link_count=1,
        description="Payments stuck",
    )
    stored = json.loads(json.dumps(ticket_to_json(original)))  # as the store keeps it
    assert ticket_from_json(stored) == original


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(version=99),
        lambda d: d.pop("created"),
        lambda d: d.update(updated="2026-03-02T09:00:00"),  # no time zone
        lambda d: d.update(assignee="not a person"),
    ],
)
def test_a_damaged_snapshot_is_reported_not_half_read(damage: object) -> None:
    data = ticket_to_json(ticket("DS-1"))
    damage(data)  # type: ignore[operator]
    with pytest.raises(SnapshotError):
        ticket_from_json(data)
