"""The clock mechanic: due, not due, met, stable keys, thread repeats, chains, quiet hours."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agent.core.actions import ActionKind
from agent.core.planner import plan
from agent.core.state import EngineState
from tests.unit.factories import ALICE, RITA, Runner, comment, policy, spec_of, ticket, utc

PROGRESS = """
roles: {lead: 'email:lead@sandbox.example', night: 'email:night@sandbox.example'}
after_hours: {contacts: [night], notify: [dm]}
updates: {sources: [jira_comment, status_change], by: [assignee]}
rules:
  - rule: progress_overdue
    within: 30m
    to: [assignee]
    notify: [dm]
    repeat: 30m
    chain:
      - {after: 1h, to: [lead], notify: [dm]}
      - {after: 2h, to: [reporter], notify: [dm]}
"""

MONDAY_9 = utc(2026, 3, 2, 9, 0)  # a Monday; business hours 09-17 UTC


def test_not_due_before_the_slot() -> None:
    runner = Runner([policy(PROGRESS)])
    result = runner.cycle([ticket(created=MONDAY_9)], MONDAY_9 + timedelta(minutes=29))
    assert result.actions == ()
    assert result.problems == ()


def test_due_nudges_once_with_a_stable_key() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=MONDAY_9)
    first = runner.cycle([t], MONDAY_9 + timedelta(minutes=30))
    (nudge,) = first.actions
    assert nudge.kind is ActionKind.SLACK_POST
    assert nudge.key == "progress_overdue:T-1:progress@2026-03-02T09:30Z#dm:acc-alice"
    assert spec_of(nudge) == "dm:acc-alice"
    assert nudge.due == MONDAY_9 + timedelta(minutes=30)
    assert nudge.audience[0].account_id == ALICE.account_id
    assert nudge.template == "slack/nudge.j2"
    assert nudge.thread_of is None
    assert nudge.context["issue"] == "T-1"
    assert "No progress on T-1 for 30m" in nudge.reason
    again = runner.cycle([t], MONDAY_9 + timedelta(minutes=35))
    assert again.actions == ()


def test_planning_is_pure_same_inputs_same_plan() -> None:
    pol = policy(PROGRESS)
    t = ticket(created=MONDAY_9)
    now = MONDAY_9 + timedelta(minutes=45)
    one = plan([t], EngineState(), now, [pol])
    two = plan([t], EngineState(), now, [pol])
    assert one == two
    assert [a.key for a in one.actions] == [a.key for a in two.actions]


def test_repeats_reply_in_the_thread_and_chain_steps_fire_once_each() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=MONDAY_9)
    runner.cycle([t], MONDAY_9 + timedelta(minutes=30))
    anchor = "progress_overdue:T-1:progress@2026-03-02T09:30Z"

    repeat = runner.cycle([t], MONDAY_9 + timedelta(minutes=61))
    (post,) = repeat.actions
    assert post.key == f"{anchor}:repeat@2026-03-02T10:00Z#dm:acc-alice"
    assert str(post.thread_of) == f"{anchor}#dm:acc-alice"
    assert post.context["repeat"] == 1

    step1 = runner.cycle([t], MONDAY_9 + timedelta(minutes=90))
    keys = sorted(a.key for a in step1.actions)
    assert keys == [
        f"{anchor}:repeat@2026-03-02T10:30Z#dm:acc-alice",
        f"{anchor}:step1#dm:lead@sandbox.example",
    ]
    escalation = next(a for a in step1.actions if ":step1" in a.key)
    assert escalation.template == "slack/escalate.j2"
    assert escalation.audience[0].email == "lead@sandbox.example"
    assert runner.cycle([t], MONDAY_9 + timedelta(minutes=95)).actions == ()

    step2 = runner.cycle([t], MONDAY_9 + timedelta(minutes=150))
    assert any(a.key == f"{anchor}:step2#dm:{RITA.account_id}" for a in step2.actions)
    assert not any(":step1" in a.key for a in step2.actions)


def test_satisfied_closes_the_thread_once() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=MONDAY_9)
    runner.cycle([t], MONDAY_9 + timedelta(minutes=30))
    answered = replace(t, comments=(comment(ALICE, MONDAY_9 + timedelta(minutes=40)),))
    done = runner.cycle([answered], MONDAY_9 + timedelta(minutes=41))
    (close,) = done.actions
    assert close.kind is ActionKind.SLACK_THREAD_DONE
    assert str(close.thread_of) == "progress_overdue:T-1:progress@2026-03-02T09:30Z"
    assert runner.cycle([answered], MONDAY_9 + timedelta(minutes=50)).actions == ()
    # Overdue again 30 minutes after that comment: a new slot, a new thread.
    later = runner.cycle([answered], MONDAY_9 + timedelta(minutes=70))
    (nudge,) = later.actions
    assert nudge.key.startswith("progress_overdue:T-1:progress@2026-03-02T10:10Z")


def test_agent_comments_and_other_people_do_not_count_as_progress() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(
        created=MONDAY_9,
        comments=(
            comment(ALICE, MONDAY_9 + timedelta(minutes=20), agent=True),
            comment(RITA, MONDAY_9 + timedelta(minutes=25)),
        ),
    )
    result = runner.cycle([t], MONDAY_9 + timedelta(minutes=31))
    assert len(result.actions) == 1
    assert result.actions[0].due == MONDAY_9 + timedelta(minutes=30)


def test_quiet_hours_defer_non_urgent_to_the_same_slot() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=utc(2026, 3, 2, 16, 50))
    assert runner.cycle([t], utc(2026, 3, 2, 17, 30)).actions == ()
    assert runner.cycle([t], utc(2026, 3, 3, 3, 0)).actions == ()
    morning = runner.cycle([t], utc(2026, 3, 3, 9, 0))
    (nudge,) = morning.actions
    assert nudge.key == "progress_overdue:T-1:progress@2026-03-02T17:20Z#dm:acc-alice"
    # Repeats and chain steps wait for the next cycle, so one cycle does not spam.
    assert not any("repeat" in a.key or "step" in a.key for a in morning.actions)
    next_cycle = runner.cycle([t], utc(2026, 3, 3, 9, 5))
    steps = {
        step for a in next_cycle.actions for step in ("step1", "step2") if f":{step}#" in a.key
    }
    assert steps == {"step1", "step2"}


def test_urgent_after_hours_goes_to_the_after_hours_contacts() -> None:
    urgent = PROGRESS.replace("    repeat: 30m\n", "    repeat: 30m\n    urgent: true\n", 1)
    runner = Runner([policy(urgent)])
    t = ticket(created=utc(2026, 3, 2, 20, 0))
    result = runner.cycle([t], utc(2026, 3, 2, 20, 30))
    (page,) = result.actions
    assert page.urgent
    assert spec_of(page) == "dm:night@sandbox.example"
    assert [r.email for r in page.audience] == ["night@sandbox.example"]
    # In business hours the same rule talks to the assignee.
    day = Runner([policy(urgent)]).cycle(
        [ticket(created=MONDAY_9)], MONDAY_9 + timedelta(minutes=30)
    )
    assert spec_of(day.actions[0]) == "dm:acc-alice"


def test_weekend_is_quiet_for_non_urgent_rules() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=utc(2026, 3, 7, 10, 0))  # Saturday
    assert runner.cycle([t], utc(2026, 3, 7, 12, 0)).actions == ()
    monday = runner.cycle([t], utc(2026, 3, 9, 9, 0))
    assert monday.actions[0].key == "progress_overdue:T-1:progress@2026-03-07T10:30Z#dm:acc-alice"


def test_status_change_by_assignee_counts_as_progress() -> None:
    from tests.unit.factories import change

    runner = Runner([policy(PROGRESS)])
    t = ticket(
        created=MONDAY_9,
        changelog=(
            change(ALICE, MONDAY_9 + timedelta(minutes=20), "status", "To Do", "In Progress"),
        ),
    )
    assert runner.cycle([t], MONDAY_9 + timedelta(minutes=45)).actions == ()
    assert len(runner.cycle([t], MONDAY_9 + timedelta(minutes=50)).actions) == 1


def test_closed_ticket_closes_its_open_thread() -> None:
    runner = Runner([policy(PROGRESS)])
    t = ticket(created=MONDAY_9)
    runner.cycle([t], MONDAY_9 + timedelta(minutes=30))
    closed = replace(
        t, status="Done", status_category="done", resolved_at=MONDAY_9 + timedelta(hours=1)
    )
    result = runner.cycle([closed], MONDAY_9 + timedelta(hours=1))
    (done,) = result.actions
    assert done.kind is ActionKind.SLACK_THREAD_DONE
    assert str(done.thread_of) == "progress_overdue:T-1:progress@2026-03-02T09:30Z"
    assert runner.state.tickets["T-1"].open_items == {}
    assert runner.cycle([closed], MONDAY_9 + timedelta(hours=2)).actions == ()


def test_a_ticket_follows_only_the_first_policy_that_selects_it() -> None:
    first = policy(PROGRESS)
    second = policy(PROGRESS.replace("within: 30m", "within: 5m")).model_copy(
        update={"name": "other"}
    )
    result = Runner([first, second]).cycle(
        [ticket(created=MONDAY_9)], MONDAY_9 + timedelta(hours=1)
    )
    assert {a.policy for a in result.actions} == {"test"}
    (problem,) = result.problems
    assert problem.message.startswith("T-1 matches policies test and other; only test applies")


def test_a_ticket_with_naive_times_is_a_problem_and_the_others_go_on() -> None:
    naive = ticket("T-1", created=MONDAY_9.replace(tzinfo=None))
    fine = ticket("T-2", created=MONDAY_9)
    result = Runner([policy(PROGRESS)]).cycle([naive, fine], MONDAY_9 + timedelta(minutes=30))
    assert [(p.issue, p.rule) for p in result.problems] == [("T-1", "model")]
    assert "created" in result.problems[0].message
    assert {a.issue for a in result.actions} == {"T-2"}


def test_a_rule_tripping_on_bad_data_is_a_problem_for_that_ticket_only() -> None:
    from agent.core.model import Comment

    raw_author = {"accountId": "acc-alice"}  # an adapter bug: a dict, not a Person
    bad = Comment("c1", raw_author, MONDAY_9, "hi")  # type: ignore[arg-type]
    odd = ticket("T-1", created=MONDAY_9, comments=(bad,))
    fine = ticket("T-2", created=MONDAY_9)
    result = Runner([policy(PROGRESS)]).cycle([odd, fine], MONDAY_9 + timedelta(minutes=30))
    (problem,) = result.problems
    assert (problem.issue, problem.rule) == ("T-1", "progress_overdue")
    assert problem.message.startswith("AttributeError:")
    assert {a.issue for a in result.actions} == {"T-2"}
