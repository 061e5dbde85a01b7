"""Update cadences: interval, local-time slots, end of day, weekly, and 'when is the next one'."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from agent.core.actions import ActionKind, Plan
from agent.policy.errors import PolicyErrors
from tests.unit.factories import (
    ALICE,
    PAM,
    RITA,
    Runner,
    comment,
    message,
    policy,
    spec_of,
    subtask,
    ticket,
    utc,
)

LONDON = """
name: cli
description: client communication
select: {projects: [T]}
timezone: Europe/London
business_hours: {start: "09:00", end: "17:30"}
holidays: {country: GB, subdivision: ENG}
"""

EOD = """
rules:
  - rule: eod_update_overdue
    at: "16:30"
    to: [assignee]
    notify: [dm]
"""


def eod_keys(result: Plan) -> list[str]:
    return [a.key for a in result.actions if a.kind is ActionKind.SLACK_POST]


def test_eod_due_at_1630_local_in_winter_and_summer() -> None:
    runner = Runner([policy(EOD, LONDON)])
    t = ticket(created=utc(2026, 3, 26, 8, 0))
    assert runner.cycle([t], utc(2026, 3, 27, 16, 29)).actions != ()  # Thursday's slot missed
    friday = runner.cycle([t], utc(2026, 3, 27, 16, 30))
    assert eod_keys(friday) == ["eod_update_overdue:T-1:update@2026-03-27T16:30Z#dm:acc-alice"]
    # After the spring-forward weekend 16:30 London is 15:30 UTC: one nudge, not two.
    monday = runner.cycle([t], utc(2026, 3, 30, 15, 30))
    assert eod_keys(monday) == ["eod_update_overdue:T-1:update@2026-03-30T15:30Z#dm:acc-alice"]
    assert runner.cycle([t], utc(2026, 3, 30, 16, 30)).actions == ()


def test_eod_satisfied_by_an_update_since_the_previous_slot() -> None:
    runner = Runner([policy(EOD, LONDON)])
    t = ticket(
        created=utc(2026, 3, 2, 8, 0),
        comments=(comment(ALICE, utc(2026, 3, 2, 12, 0), "All good, next update at 4"),),
    )
    assert runner.cycle([t], utc(2026, 3, 2, 17, 0)).actions == ()
    tuesday = runner.cycle([t], utc(2026, 3, 3, 16, 31))
    assert len(tuesday.actions) == 1


def test_eod_fall_back_does_not_double_the_nudge() -> None:
    runner = Runner([policy(EOD, LONDON)])
    t = ticket(created=utc(2026, 10, 22, 8, 0))
    fri = runner.cycle([t], utc(2026, 10, 23, 15, 30))  # 16:30 BST
    assert eod_keys(fri) == ["eod_update_overdue:T-1:update@2026-10-23T15:30Z#dm:acc-alice"]
    # Sunday 25 Oct clocks go back; nothing over the weekend; Monday's slot is 16:30 UTC.
    assert runner.cycle([t], utc(2026, 10, 25, 16, 30)).actions == ()
    assert runner.cycle([t], utc(2026, 10, 26, 15, 45)).actions == ()
    mon = runner.cycle([t], utc(2026, 10, 26, 16, 30))
    assert eod_keys(mon) == ["eod_update_overdue:T-1:update@2026-10-26T16:30Z#dm:acc-alice"]


def test_bank_holidays_have_no_eod_slot() -> None:
    runner = Runner([policy(EOD, LONDON)])
    t = ticket(created=utc(2026, 4, 1, 8, 0))
    runner.cycle([t], utc(2026, 4, 2, 15, 31))  # Thursday 16:31 BST: Thursday's slot
    # Good Friday (3 Apr) and Easter Monday (6 Apr) are holidays in England.
    assert runner.cycle([t], utc(2026, 4, 3, 16, 0)).actions == ()
    assert runner.cycle([t], utc(2026, 4, 6, 16, 0)).actions == ()
    tuesday = runner.cycle([t], utc(2026, 4, 7, 15, 30))
    assert eod_keys(tuesday) == ["eod_update_overdue:T-1:update@2026-04-07T15:30Z#dm:acc-alice"]


def test_three_slots_a_day_with_grace() -> None:
    body = """
rules:
  - rule: update_overdue
    at: ["09:30", "12:30", "16:30"]
    grace: 15m
    notify: [dm]
"""
    runner = Runner([policy(body, LONDON)])
    t = ticket(created=utc(2026, 3, 2, 8, 0), comments=(comment(ALICE, utc(2026, 3, 2, 9, 10)),))
    assert runner.cycle([t], utc(2026, 3, 2, 9, 50)).actions == ()
    assert runner.cycle([t], utc(2026, 3, 2, 12, 40)).actions == ()
    lunch = runner.cycle([t], utc(2026, 3, 2, 12, 45))
    (nudge,) = lunch.actions
    assert nudge.due == utc(2026, 3, 2, 12, 45)
    assert nudge.context["slot"] == "2026-03-02T12:30Z"
    answered = replace(t, comments=(*t.comments, comment(ALICE, utc(2026, 3, 2, 13, 0))))
    (done,) = runner.cycle([answered], utc(2026, 3, 2, 13, 1)).actions
    assert done.kind is ActionKind.SLACK_THREAD_DONE


def test_interval_updates_with_thread_repeats_and_pm_escalation() -> None:
    body = """
roles: {project_manager: 'field:Project Manager'}
updates: {by: [assignee, project_manager]}
rules:
  - rule: update_overdue
    every: 1h
    notify: [dm]
    repeat: 1h
    chain:
      - {after: 1h, to: [project_manager], notify: [dm]}
"""
    runner = Runner([policy(body)])
    start = utc(2026, 3, 2, 9, 0)
    t = ticket(created=start, fields={"Project Manager": PAM})
    assert runner.cycle([t], start + timedelta(minutes=59)).actions == ()
    first = runner.cycle([t], start + timedelta(hours=1))
    assert [spec_of(a) for a in first.actions] == ["dm:acc-alice"]
    second = runner.cycle([t], start + timedelta(hours=2))
    channels = sorted(spec_of(a) or "" for a in second.actions)
    assert channels == ["dm:acc-alice", "dm:acc-pam"]
    repeat = next(a for a in second.actions if spec_of(a) == "dm:acc-alice")
    assert str(repeat.thread_of) == first.actions[0].key
    # The PM's own comment counts as an update.
    pm_update = replace(t, comments=(comment(PAM, start + timedelta(hours=2, minutes=5)),))
    closing = runner.cycle([pm_update], start + timedelta(hours=2, minutes=6))
    assert [a.kind for a in closing.actions] == [ActionKind.SLACK_THREAD_DONE]


def test_business_clock_interval_skips_the_night() -> None:
    body = """
rules:
  - rule: update_overdue
    every: 2h
    clock: business
    notify: [dm]
"""
    runner = Runner([policy(body)])
    t = ticket(created=utc(2026, 3, 2, 16, 0))
    assert runner.cycle([t], utc(2026, 3, 3, 9, 30)).actions == ()
    (nudge,) = runner.cycle([t], utc(2026, 3, 3, 10, 0)).actions
    assert nudge.due == utc(2026, 3, 3, 10, 0)


def test_hourly_urgent_updates_across_fall_back_are_hourly_in_real_time() -> None:
    header = """
name: ny
description: ny
select: {projects: [T]}
timezone: America/New_York
business_hours: {start: "09:00", end: "17:00"}
"""
    body = """
rules:
  - rule: update_overdue
    every: 1h
    repeat: 1h
    notify: [dm]
    urgent: true
"""
    runner = Runner([policy(body, header)])
    t = ticket(created=utc(2026, 11, 1, 4, 0))  # 00:00 EDT; clocks fall back at 06:00 UTC
    slots = []
    for minutes in range(60, 5 * 60 + 1, 30):
        result = runner.cycle([t], utc(2026, 11, 1, 4, 0) + timedelta(minutes=minutes))
        slots += [a.due for a in result.actions]
    assert slots == [utc(2026, 11, 1, h, 0) for h in (5, 6, 7, 8, 9)]


def test_channel_messages_count_when_the_policy_says_so() -> None:
    body = """
updates: {sources: [jira_comment, channel_message], by: [assignee]}
rules:
  - rule: update_overdue
    every: 30m
    notify: [dm]
"""
    runner = Runner([policy(body)])
    start = utc(2026, 3, 2, 9, 0)
    t = ticket(created=start)
    chat = {"T-1": [message(start + timedelta(minutes=20), "alice@sandbox.example")]}
    assert runner.cycle([t], start + timedelta(minutes=40), chat).actions == ()
    stranger = {"T-1": [message(start + timedelta(minutes=20), "someone@else.example")]}
    assert len(Runner([policy(body)]).cycle([t], start + timedelta(minutes=40), stranger).actions)


def test_update_must_say_when_the_next_one_comes() -> None:
    body = """
rules:
  - rule: update_next_missing
    pattern: "(?i)next update"
    notify: [dm]
"""
    runner = Runner([policy(body)])
    start = utc(2026, 3, 2, 9, 0)
    vague = ticket(
        created=start, comments=(comment(ALICE, start + timedelta(minutes=5), "Looking"),)
    )
    (nudge,) = runner.cycle([vague], start + timedelta(minutes=6)).actions
    assert nudge.template == "slack/ask_next_update.j2"
    assert nudge.context["update_at"] == "2026-03-02T09:05Z"
    clear = replace(
        vague,
        comments=(
            *vague.comments,
            comment(ALICE, start + timedelta(minutes=9), "Next update 10:00"),
        ),
    )
    (done,) = runner.cycle([clear], start + timedelta(minutes=10)).actions
    assert done.kind is ActionKind.SLACK_THREAD_DONE
    # Reporter comments are not the assignee's updates.
    other = replace(
        clear, comments=(*clear.comments, comment(RITA, start + timedelta(minutes=12), "?"))
    )
    assert runner.cycle([other], start + timedelta(minutes=13)).actions == ()


SEV = """
name: ps
description: ps
select: {projects: [T], labels: [sev1, sev2]}
timezone: America/New_York
business_hours: {start: "09:00", end: "17:30"}
holidays: {country: US}
severity:
  levels: [Sev1, Sev2]
  labels: {sev1: Sev1, sev2: Sev2}
"""


def test_sev1_daily_update_each_business_day_not_on_holidays() -> None:
    body = """
rules:
  - rule: sev1_daily_update
    severities: [Sev1]
    at: "17:00"
    notify: [dm]
"""
    runner = Runner([policy(body, SEV)])
    t = ticket(created=utc(2026, 11, 23, 14, 0), labels=frozenset({"sev1"}))
    mon = runner.cycle([t], utc(2026, 11, 23, 22, 0))  # 17:00 EST
    assert [a.context["slot"] for a in mon.actions] == ["2026-11-23T22:00Z"]
    # Thanksgiving (26 Nov) has no slot; Friday's does.
    runner.cycle([t], utc(2026, 11, 25, 22, 0))
    assert not any(
        a.context.get("slot") == "2026-11-26T22:00Z"
        for a in runner.cycle([t], utc(2026, 11, 26, 23, 0)).actions
    )
    fri = runner.cycle([t], utc(2026, 11, 27, 22, 0))
    assert [a.context["slot"] for a in fri.actions if a.kind is ActionKind.SLACK_POST] == [
        "2026-11-27T22:00Z"
    ]
    sev2 = replace(t, key="T-2", labels=frozenset({"sev2"}))
    assert Runner([policy(body, SEV)]).cycle([sev2], utc(2026, 11, 23, 22, 0)).actions == ()


def test_sev2_weekly_update_must_state_the_path_to_green() -> None:
    body = """
rules:
  - rule: sev2_weekly_update
    severities: [Sev2]
    weekday: fri
    at: "12:00"
    pattern: "(?i)path to green"
    notify: [jira]
"""
    runner = Runner([policy(body, SEV)])
    created = utc(2026, 3, 2, 14, 0)
    t = ticket(
        created=created,
        labels=frozenset({"sev2"}),
        subtasks=(subtask("T-9", done=True), subtask("T-10")),
        comments=(comment(ALICE, utc(2026, 3, 4, 15, 0), "Status: still red"),),
    )
    (ask,) = runner.cycle([t], utc(2026, 3, 6, 17, 0)).actions
    assert ask.kind is ActionKind.JIRA_COMMENT
    assert ask.context["progress_percent"] == 50
    green = replace(
        t, comments=(*t.comments, comment(ALICE, utc(2026, 3, 6, 18, 0), "Path to green: hire"))
    )
    closed = runner.cycle([green], utc(2026, 3, 6, 18, 5))
    # The obligation is met: its item is closed (the adapter marks any Slack thread done).
    assert [a.kind for a in closed.actions] == [ActionKind.SLACK_THREAD_DONE]
    assert runner.state.tickets["T-1"].open_items == {}


EOD_WINDOW = """
rules:
  - rule: eod_update_overdue
    at: "16:30"
    window: 2h
    to: [assignee]
    notify: [dm]
"""


def test_eod_window_a_morning_update_does_not_count_for_the_end_of_day() -> None:
    runner = Runner([policy(EOD_WINDOW, LONDON)])
    monday = utc(2026, 3, 2, 8, 0)  # London is on UTC in March before the 29th
    morning = ticket(created=monday, comments=(comment(ALICE, utc(2026, 3, 2, 9, 10)),))
    assert runner.cycle([morning], utc(2026, 3, 2, 16, 29)).actions == ()
    (nudge,) = runner.cycle([morning], utc(2026, 3, 2, 16, 30)).actions
    assert nudge.key == "eod_update_overdue:T-1:update@2026-03-02T16:30Z#dm:acc-alice"
    assert nudge.reason == "T-1 needs its end-of-day (16:30) update, made in the 2h before it."


def test_eod_window_an_update_inside_it_or_late_meets_the_slot() -> None:
    at_1500 = ticket(
        created=utc(2026, 3, 2, 8, 0), comments=(comment(ALICE, utc(2026, 3, 2, 15, 0)),)
    )
    assert (
        Runner([policy(EOD_WINDOW, LONDON)]).cycle([at_1500], utc(2026, 3, 2, 16, 45)).actions == ()
    )
    edge = replace(at_1500, comments=(comment(ALICE, utc(2026, 3, 2, 14, 30)),))
    assert (
        len(Runner([policy(EOD_WINDOW, LONDON)]).cycle([edge], utc(2026, 3, 2, 16, 45)).actions)
        == 1
    )
    runner = Runner([policy(EOD_WINDOW, LONDON)])
    silent = replace(at_1500, comments=())
    assert len(runner.cycle([silent], utc(2026, 3, 2, 16, 31)).actions) == 1
    late = replace(silent, comments=(comment(ALICE, utc(2026, 3, 2, 16, 50)),))
    closing = runner.cycle([late], utc(2026, 3, 2, 16, 55))
    assert [a.kind for a in closing.actions] == [ActionKind.SLACK_THREAD_DONE]


def test_window_needs_local_times() -> None:
    body = """
rules:
  - rule: update_overdue
    every: 1h
    window: 30m
"""
    with pytest.raises(PolicyErrors, match="window: needs at:"):
        policy(body)


def test_visibility_public_counts_only_comments_the_customer_sees() -> None:
    body = EOD_WINDOW.replace("    window: 2h\n", "    window: 2h\n    visibility: public\n")
    internal = replace(
        comment(ALICE, utc(2026, 3, 2, 15, 0), "Internal: DB restored"), public=False
    )
    noted = ticket(created=utc(2026, 3, 2, 8, 0), comments=(internal,))
    (nudge,) = Runner([policy(body, LONDON)]).cycle([noted], utc(2026, 3, 2, 16, 31)).actions
    assert nudge.rule == "eod_update_overdue"
    assert (
        Runner([policy(EOD_WINDOW, LONDON)]).cycle([noted], utc(2026, 3, 2, 16, 31)).actions == ()
    )
    public = replace(noted, comments=(internal, comment(ALICE, utc(2026, 3, 2, 15, 5))))
    assert Runner([policy(body, LONDON)]).cycle([public], utc(2026, 3, 2, 16, 31)).actions == ()
