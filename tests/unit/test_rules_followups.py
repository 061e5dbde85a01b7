"""The followups and followup_overdue rules on hand-built pages and follow-up issues."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from agent.core.actions import DUE_SOON_EVENT, ActionKind
from agent.core.followups import FollowupIssue, FollowupsSeen, PageTask
from agent.core.planner import plan
from agent.core.selection import governs
from agent.core.state import EngineState
from tests.unit.factories import BOB, policy, resolved, spec_of, ticket, utc

POLICY = policy(
    """
    severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
    rules:
      - rule: followups
        due_days: {P1: 5}
      - rule: followup_overdue
        repeat: 1d
        chain: [{after: 2d, to: [reporter], notify: [dm]}]
    """
)
RESOLVED = utc(2026, 3, 6, 10)  # a Friday
ESCALATION = resolved(ticket("T-1"), RESOLVED)
TASKS = (
    PageTask("1", False, "Add an alert on queue depth", owner="acc-bob"),
    PageTask("2", False, "Write the runbook", due=date(2026, 3, 10)),
)


def _issue(key: str, task: str, *, done: bool = False, due: date | None = None) -> FollowupIssue:
    made = ticket(key, created=RESOLVED, assignee=BOB, summary=f"follow-up {task}")
    if due is not None:
        made = replace(made, due_date=utc(due.year, due.month, due.day))
    if done:
        made = resolved(made, RESOLVED + timedelta(days=2))
    return FollowupIssue(made, page_id="900", task_id=task)


def _plan(seen: FollowupsSeen, now=RESOLVED + timedelta(hours=1), state=None):  # type: ignore[no-untyped-def]
    return plan([ESCALATION], state or EngineState(), now, [POLICY], followups={"T-1": seen})


def test_each_task_becomes_one_issue_with_owner_and_due_date() -> None:
    result = _plan(FollowupsSeen("900", "Post-mortem T-1", TASKS))
    creates = [a for a in result.actions if a.kind is ActionKind.JIRA_CREATE_ISSUE]
    assert [a.key for a in creates] == ["followups:T-1:task:900:1", "followups:T-1:task:900:2"]
    first, second = (a.context["create"] for a in creates)
    assert (first["assignee"], first["due"]) == ("acc-bob", "2026-03-13")  # 5 business days
    assert (second["assignee"], second["due"]) == ("acc-alice", "2026-03-10")  # its own date
    assert first["property"] == {
        "escalation": "T-1",
        "page": "900",
        "task": "1",
        "key": "followups:T-1:task:900:1",
    }
    shows = [a for a in result.actions if a.kind is ActionKind.CONFLUENCE_TASK]
    assert [a.context["issue_from_ref"] for a in shows] == [c.key for c in creates]


def test_known_issues_are_not_created_again_and_are_shown_after_a_crash() -> None:
    seen = FollowupsSeen(
        "900",
        "Post-mortem T-1",
        (replace(TASKS[0], issue="T-7"), TASKS[1]),
        (_issue("T-7", "1"), _issue("T-8", "2")),
    )
    result = _plan(seen)
    assert not [a for a in result.actions if a.kind is ActionKind.JIRA_CREATE_ISSUE]
    shows = [a for a in result.actions if a.kind is ActionKind.CONFLUENCE_TASK]
    assert [(a.context["op"], a.context["issue_key"]) for a in shows] == [("show", "T-8")]


def test_both_ways_resolved_completes_ticked_comments_deleted_says_so_once() -> None:
    seen = FollowupsSeen(
        "900",
        "Post-mortem T-1",
        (replace(TASKS[0], issue="T-7"), replace(TASKS[1], issue="T-8", done=True)),
        (_issue("T-7", "1", done=True), _issue("T-8", "2"), _issue("T-9", "3")),
    )
    result = _plan(seen)
    got = sorted((a.kind.value, a.key) for a in result.actions)
    assert got == [
        ("confluence.task", "followups:T-1:task:900:1:complete"),
        ("jira.comment", "followups:T-1:task:900:2:ticked"),
        ("jira.comment", "followups:T-1:task:900:3:deleted"),
    ]
    comments = {a.context["on_issue"] for a in result.actions if a.kind is ActionKind.JIRA_COMMENT}
    assert comments == {"T-8", "T-9"}
    again = _plan(seen, state=result.state.with_done(a.key for a in result.actions))
    assert not [a for a in again.actions if a.rule == "followups"]


def test_an_overdue_follow_up_nudges_its_assignee_in_business_hours() -> None:
    seen = FollowupsSeen("900", "PM", (), (_issue("T-8", "2", due=date(2026, 3, 10)),))
    before = _plan(seen, now=utc(2026, 3, 10, 16))
    assert not [a for a in before.actions if a.rule == "followup_overdue"]
    night = _plan(seen, now=utc(2026, 3, 11, 2))
    assert not [a for a in night.actions if a.rule == "followup_overdue"]
    morning = _plan(seen, now=utc(2026, 3, 11, 9, 5))
    nudges = [a for a in morning.actions if a.rule == "followup_overdue"]
    assert [(a.kind.value, spec_of(a)) for a in nudges] == [("slack.post", "dm:acc-bob")]
    assert nudges[0].context["followup_key"] == "T-8"
    done = replace(seen, issues=(_issue("T-8", "2", due=date(2026, 3, 10), done=True),))
    assert not [
        a for a in _plan(done, now=utc(2026, 3, 11, 9, 5)).actions if a.rule == "followup_overdue"
    ]


def test_a_follow_up_gets_one_heads_up_naming_it_as_every_rules_heads_up_is_typed() -> None:
    """``warn_before``: one heads-up naming the follow-up issue (not the rule, nor the
    escalation), carrying the heads-up event integrators see for every rule."""
    warned = policy(
        """
        severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
        rules:
          - rule: followups
            due_days: {P1: 5}
          - rule: followup_overdue
            warn_before: 1d
        """
    )
    seen = FollowupsSeen("900", "PM", (), (_issue("T-8", "2", due=date(2026, 3, 10)),))
    result = plan(
        [ESCALATION], EngineState(), utc(2026, 3, 10, 9), [warned], followups={"T-1": seen}
    )
    (heads_up,) = [a for a in result.actions if a.rule == "followup_overdue"]
    assert heads_up.event == DUE_SOON_EVENT
    assert heads_up.template == "slack/followup_overdue.j2" and heads_up.context["heads_up"] is True
    assert heads_up.context["followup_key"] == "T-8"
    assert "T-8" in heads_up.reason and "followup_overdue" not in heads_up.reason


def _made_in_jira(key: str, *, done: bool = False) -> FollowupIssue:
    made = ticket(key, created=RESOLVED, assignee=BOB, summary="Check the retries")
    return FollowupIssue(resolved(made, RESOLVED + timedelta(days=2)) if done else made)


def test_a_follow_up_made_in_jira_is_listed_once_then_tracked_through_its_task() -> None:
    seen = FollowupsSeen("900", "Post-mortem T-1", (), (_made_in_jira("T-9"),))
    result = _plan(seen)
    listed = [a for a in result.actions if a.rule == "followups"]
    assert [(a.key, a.context["op"], a.context["issue_key"]) for a in listed] == [
        ("followups:T-1:listed:900:T-9", "list", "T-9")
    ]
    assert listed[0].context["summary"] == "Check the retries"
    again = _plan(seen, state=result.state.with_done(a.key for a in result.actions))
    assert not [a for a in again.actions if a.rule == "followups"]

    shown = PageTask("3", False, "Check the retries", issue="T-9")
    quiet = _plan(FollowupsSeen("900", "PM", (shown,), (_made_in_jira("T-9"),)))
    assert not [a for a in quiet.actions if a.rule == "followups"]
    resolved_in_jira = FollowupsSeen("900", "PM", (shown,), (_made_in_jira("T-9", done=True),))
    got = [a.key for a in _plan(resolved_in_jira).actions if a.rule == "followups"]
    assert got == ["followups:T-1:task:900:3:complete"]


def test_a_ticked_task_moves_its_issue_when_the_rule_says_so() -> None:
    moving = policy(
        """
        severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
        rules:
          - rule: followups
            transition: Done
        """
    )
    seen = FollowupsSeen(
        "900", "PM", (PageTask("1", True, "x", issue="T-7"),), (_issue("T-7", "1"),)
    )
    result = plan([ESCALATION], EngineState(), RESOLVED, [moving], followups={"T-1": seen})
    got = sorted((a.kind.value, a.key) for a in result.actions)
    assert got == [
        ("jira.comment", "followups:T-1:task:900:1:ticked"),
        ("jira.transition", "followups:T-1:task:900:1:ticked:transition"),
    ]
    move = next(a for a in result.actions if a.kind is ActionKind.JIRA_TRANSITION)
    assert (move.context["on_issue"], move.context["transition"]) == ("T-7", "Done")
    comment = next(a for a in result.actions if a.kind is ActionKind.JIRA_COMMENT)
    assert comment.context["transition"] == "Done"
    plain = [a.kind for a in _plan(seen).actions if a.rule == "followups"]
    assert plain == [ActionKind.JIRA_COMMENT]  # without transition: only the comment


LOGGED = policy(
    """
    severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
    rules:
      - rule: incident_log
        space: OPS
        pages: ["{project} Incident Log"]
      - rule: followups
    """
)


def _lozenges(issues: tuple[FollowupIssue, ...], state: EngineState | None = None) -> list[Any]:
    seen = {"T-1": FollowupsSeen("900", "PM", (), issues)}
    result = plan([ESCALATION], state or EngineState(), RESOLVED, [LOGGED], followups=seen)
    return [a for a in result.actions if a.kind is ActionKind.CONFLUENCE_LOG_ACTIONS]


def test_the_incident_log_row_learns_how_many_follow_ups_are_done_once_per_change() -> None:
    issues = (_issue("T-7", "1", done=True), _issue("T-8", "2"), _made_in_jira("T-9"))
    seen = FollowupsSeen("900", "PM", (), issues)
    result = plan([ESCALATION], EngineState(), RESOLVED, [LOGGED], followups={"T-1": seen})
    (lozenge,) = [a for a in result.actions if a.kind is ActionKind.CONFLUENCE_LOG_ACTIONS]
    row = next(a for a in result.actions if a.kind is ActionKind.CONFLUENCE_LOG_ROW)
    # the latest change: T-7 resolved two days after the escalation
    assert lozenge.key == f"{row.key}:actions:1-of-3@2026-03-08T10:00Z"
    assert (lozenge.context["actions_done"], lozenge.context["actions_total"]) == (1, 3)
    assert lozenge.context["row_key"] == row.key
    done = result.state.with_done(a.key for a in result.actions)
    assert _lozenges(issues, done) == []  # nothing changed: nothing planned again
    none_yet = plan(
        [ESCALATION], EngineState(), RESOLVED, [LOGGED], followups={"T-1": FollowupsSeen("900")}
    )
    assert not [a for a in none_yet.actions if a.kind is ActionKind.CONFLUENCE_LOG_ACTIONS]


def test_a_reopened_follow_up_brings_the_earlier_count_back_under_a_new_key() -> None:
    first = _issue("T-7", "1", done=True)
    second = _issue("T-8", "2")
    state = EngineState()
    shown: list[tuple[int, int]] = []
    keys: list[str] = []
    both_done = replace(second, ticket=resolved(second.ticket, RESOLVED + timedelta(days=3)))
    # Jira clears a reopened issue's resolution: only its update time says it moved
    reopened_ticket = replace(
        both_done.ticket,
        status="To Do",
        status_category="new",
        resolution=None,
        resolved_at=None,
        updated=RESOLVED + timedelta(days=4),
    )
    reopened = replace(second, ticket=reopened_ticket)
    for issues in ((first, second), (first, both_done), (first, reopened)):
        (lozenge,) = _lozenges(issues, state)
        shown.append((lozenge.context["actions_done"], lozenge.context["actions_total"]))
        keys.append(lozenge.key)
        state = state.with_done([lozenge.key])
    assert shown == [(1, 2), (2, 2), (1, 2)]  # back to 1 of 2, though 1 of 2 was done before
    assert len(set(keys)) == 3
    assert _lozenges((first, reopened), state) == []  # and once only


def test_a_ticket_carrying_a_follow_up_label_is_never_an_escalation_of_the_policy() -> None:
    followup = ticket("T-9", labels=frozenset({"follow-up"}))
    assert governs(POLICY, ESCALATION) and not governs(POLICY, followup)
    assert governs(POLICY, ticket("T-10", labels=frozenset({"follow-up-later"})))


def test_a_task_the_agent_ticked_is_unticked_when_its_issue_is_reopened_and_nothing_more() -> None:
    moving = policy(
        """
        severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
        rules:
          - rule: followups
            transition: Done
        """
    )

    def planned(task_done: bool, issue_done: bool, state: EngineState) -> Any:
        seen = FollowupsSeen(
            "900",
            "PM",
            (PageTask("1", task_done, "x", issue="T-7"),),
            (_issue("T-7", "1", done=issue_done),),
        )
        return plan([ESCALATION], state, RESOLVED, [moving], followups={"T-1": seen})

    def keys(result: Any) -> list[tuple[str, str]]:
        return [(a.kind.value, a.key) for a in result.actions if a.rule == "followups"]

    slot = "followups:T-1:task:900:1"
    resolved_in_jira = planned(False, True, EngineState())
    assert keys(resolved_in_jira) == [("confluence.task", f"{slot}:complete")]
    ticked = resolved_in_jira.state.with_done([f"{slot}:complete"])
    # reopened in Jira: the agent's own tick is taken back, the issue hears nothing
    reopened = planned(True, False, ticked)
    assert keys(reopened) == [("confluence.task", f"{slot}:reopened:0")]
    assert reopened.actions[0].context["op"] == "reopen"
    unticked = ticked.with_done([f"{slot}:reopened:0"])
    assert keys(planned(False, False, unticked)) == []
    # resolved again: ticked again under a new key; reopened again: unticked again
    assert keys(planned(False, True, unticked)) == [("confluence.task", f"{slot}:complete:1")]
    again = unticked.with_done([f"{slot}:complete:1"])
    assert keys(planned(True, False, again)) == [("confluence.task", f"{slot}:reopened:1")]
    # a person's tick while the issue is open (after the agent's was undone) is heard
    assert keys(planned(True, False, unticked)) == [
        ("jira.comment", f"{slot}:ticked"),
        ("jira.transition", f"{slot}:ticked:transition"),
    ]
    # a person unticking the agent's tick of a resolved issue is left alone
    assert keys(planned(False, True, ticked)) == []


def test_a_tick_recorded_on_the_issue_is_the_agents_own_even_with_a_lost_state() -> None:
    moving = policy(
        """
        severity: {levels: [P1, P2], priority: {Highest: P1, High: P2}}
        rules:
          - rule: followups
            transition: Done
        """
    )
    marker = {"escalation": "T-1", "page": "900", "task": "1", "key": "k"}

    def planned(issue_done: bool, marked: dict[str, str], state: EngineState) -> Any:
        issue = replace(_issue("T-7", "1", done=issue_done), marker=marked)
        task = PageTask("1", not issue_done, "x", issue="T-7")
        seen = FollowupsSeen("900", "PM", (task,), (issue,))
        return plan([ESCALATION], state, RESOLVED, [moving], followups={"T-1": seen})

    slot = "followups:T-1:task:900:1"
    # the state file is gone; the issue says the agent's tick 1 stands: it is taken back
    reopened = planned(False, {**marker, "ticked": "1"}, EngineState())
    assert [(a.kind.value, a.key) for a in reopened.actions if a.rule == "followups"] == [
        ("confluence.task", f"{slot}:reopened:1")
    ]
    context = reopened.actions[0].context
    assert context["op"] == "reopen" and context["issue_key"] == "T-7"
    assert context["property_key"] == "escalation-agent-followup"
    assert context["property"] == marker  # the tick is cleared, the rest kept
    # once taken back, resolving again ticks it under a new key, recorded on the issue
    unticked = reopened.state.with_done([f"{slot}:reopened:1"])
    again = planned(True, marker, unticked)
    assert [a.key for a in again.actions if a.rule == "followups"] == [f"{slot}:complete"]
    assert again.actions[0].context["property"] == {**marker, "ticked": 0}
    # and reopening again takes that tick back, from the state alone
    ticked = unticked.with_done([f"{slot}:complete"])
    assert [a.key for a in planned(False, marker, ticked).actions] == [f"{slot}:reopened:0"]
    # a property written before the field existed: a person's tick, heard as before
    assert [a.key for a in planned(False, marker, EngineState()).actions] == [
        f"{slot}:ticked",
        f"{slot}:ticked:transition",
    ]
