"""The weekly digest's follow-ups section: counts for the week, owners, oldest due first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from agent.core.digest_stats import week_ending
from agent.core.followup_stats import followup_digest
from agent.core.followups import FollowupIssue, FollowupsSeen
from agent.core.model import Person
from agent.policy.calendars import calendar_for
from tests.unit.factories import ALICE, BOB, policy, resolved, ticket, utc

MALTA = """
name: test
description: test policy
select: {projects: [T]}
timezone: Europe/Malta
business_hours: {start: "09:00", end: "17:00"}
"""
CALENDAR = calendar_for(policy("rules: [{rule: followups}]\n", header=MALTA))
END = utc(2026, 3, 13, 15)  # Friday 16:00 in Malta
WEEK = week_ending(CALENDAR, END)


def _issue(
    key: str,
    *,
    owner: Person | None = ALICE,
    due: datetime | None = None,
    created: datetime | None = None,
    done_at: datetime | None = None,
) -> FollowupIssue:
    made = ticket(key, created=created or END - timedelta(days=10), assignee=owner)
    if due is not None:
        made = replace(made, due_date=due)
    if done_at is not None:
        made = resolved(made, done_at)
    return FollowupIssue(made, page_id="9", task_id=key)


def test_counts_owners_and_the_oldest_due_first() -> None:
    seen = FollowupsSeen(
        "9",
        issues=(
            _issue("F-1", due=utc(2026, 3, 10), created=END - timedelta(days=2)),  # overdue
            _issue("F-2", owner=BOB, due=utc(2026, 3, 20)),
            _issue("F-3", owner=None),  # no date, nobody
            _issue("F-4", done_at=END - timedelta(days=1)),  # done this week
            _issue("F-5", done_at=END - timedelta(days=9)),  # done the week before
        ),
    )
    data = followup_digest([("SUP-1", seen)], week=WEEK, calendar=CALENDAR)
    assert data is not None
    assert (data["opened"], data["done"], data["open_total"], data["overdue_total"]) == (1, 1, 3, 1)
    assert [(r["issue"], r["due"], r["overdue"]) for r in data["open"]] == [
        ("F-1", "2026-03-10", True),
        ("F-2", "2026-03-20", False),
        ("F-3", None, False),
    ]
    assert data["by_owner"] == [
        {"owner": ALICE.display_name, "open": 1, "overdue": 1},
        {"owner": BOB.display_name, "open": 1, "overdue": 0},
        {"owner": "unassigned", "open": 1, "overdue": 0},
    ]


def test_a_due_date_is_overdue_only_after_its_day_ends_in_the_policy_zone() -> None:
    today = FollowupsSeen("9", issues=(_issue("F-1", due=utc(2026, 3, 13)),))
    data = followup_digest([("SUP-1", today)], week=WEEK, calendar=CALENDAR)
    assert data is not None and data["overdue_total"] == 0


def test_no_follow_ups_no_section() -> None:
    assert followup_digest([("SUP-1", FollowupsSeen("9"))], week=WEEK, calendar=CALENDAR) is None
