"""Escalation limits: daily, active and per-assignee holds, released in arrival order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from agent.core.actions import ActionKind, Plan
from agent.core.model import Person, Ticket
from tests.unit.factories import ALICE, Runner, of_kind, policy, resolved, ticket, utc

LIMITS = """
rules:
  - rule: limit_daily
    max: 3
  - rule: limit_active
    max: 5
  - rule: limit_assignee
    max: 1
  - rule: clerical_label
    label: ESCALATION
"""

DAY1 = utc(2026, 3, 2, 10, 0)


def people(n: int) -> list[Person]:
    return [Person(f"acc-{i}", f"Engineer {i}", f"e{i}@sandbox.example") for i in range(n)]


def escalations(
    count: int, start: datetime = DAY1, assignees: list[Person] | None = None
) -> list[Ticket]:
    owners = assignees or people(count)
    return [
        ticket(f"T-{i + 1}", created=start + timedelta(minutes=i), assignee=owners[i])
        for i in range(count)
    ]


def held_keys(result: Plan) -> list[str]:
    return sorted(
        {
            a.issue or ""
            for a in of_kind(result, ActionKind.JIRA_ADD_LABEL)
            if a.context.get("label") == "escalation-held"
        }
    )


def test_daily_limit_holds_the_fourth_with_label_and_comment() -> None:
    runner = Runner([policy(LIMITS)])
    tickets = escalations(5)
    result = runner.cycle(tickets, DAY1 + timedelta(minutes=10))
    assert held_keys(result) == ["T-4", "T-5"]
    comments = [a for a in of_kind(result, ActionKind.JIRA_COMMENT) if a.issue == "T-4"]
    assert comments[0].template == "jira/held.j2"
    assert comments[0].context["limit"] == "no more than 3 new escalations per day"
    # Held tickets get no escalation clerical actions; admitted ones do.
    labelled = {
        a.issue
        for a in of_kind(result, ActionKind.JIRA_ADD_LABEL)
        if a.context.get("label") == "ESCALATION"
    }
    assert labelled == {"T-1", "T-2", "T-3"}
    state = runner.state
    assert state.tickets["T-4"].held_reason == "limit_daily"
    assert state.tickets["T-1"].admitted_at == DAY1 + timedelta(minutes=10)
    # Repeating the cycle holds nothing twice.
    again = runner.cycle(tickets, DAY1 + timedelta(minutes=20))
    assert again.actions == ()


def test_held_escalations_are_released_in_order_the_next_day() -> None:
    runner = Runner([policy(LIMITS)])
    tickets = escalations(5)
    runner.cycle(tickets, DAY1 + timedelta(minutes=10))
    with_labels = [
        replace(t, labels=frozenset({"escalation-held"})) if t.key in {"T-4", "T-5"} else t
        for t in tickets
    ]
    result = runner.cycle(with_labels, utc(2026, 3, 3, 9, 0))
    released = [a for a in result.actions if a.template == "jira/released.j2"]
    assert [a.issue for a in released] == ["T-4", "T-5"]
    removed = of_kind(result, ActionKind.JIRA_REMOVE_LABEL)
    assert [a.issue for a in removed] == ["T-4", "T-5"]
    assert runner.state.tickets["T-4"].held_reason is None


def test_active_limit_holds_until_one_closes_then_releases_the_oldest() -> None:
    runner = Runner([policy(LIMITS)])
    first_days = escalations(3) + escalations(
        2, start=utc(2026, 3, 3, 10, 0), assignees=people(5)[3:]
    )
    first_days = [replace(t, key=f"T-{i + 1}") for i, t in enumerate(first_days)]
    runner.cycle(first_days[:3], DAY1 + timedelta(minutes=10))
    runner.cycle(first_days, utc(2026, 3, 3, 10, 30))
    late = [
        ticket(f"T-{6 + i}", created=utc(2026, 3, 4, 10, i), assignee=Person(f"x{i}", f"X{i}"))
        for i in range(2)
    ]
    result = runner.cycle(first_days + late, utc(2026, 3, 4, 11, 0))
    assert held_keys(result) == ["T-6", "T-7"]
    hold = next(a for a in result.actions if a.template == "jira/held.j2" and a.issue == "T-6")
    assert hold.context["limit"] == "no more than 5 active escalations"
    closed = [resolved(first_days[0], utc(2026, 3, 4, 12, 0)), *first_days[1:]]
    after = runner.cycle(closed + late, utc(2026, 3, 4, 12, 5))
    released = [a.issue for a in after.actions if a.template == "jira/released.j2"]
    assert released == ["T-6"]
    assert runner.state.tickets["T-7"].held_reason == "limit_active"


def test_assignee_limit_holds_only_that_assignees_second_escalation() -> None:
    runner = Runner([policy(LIMITS)])
    others = people(2)
    tickets = escalations(3, assignees=[ALICE, ALICE, others[1]])
    result = runner.cycle(tickets, DAY1 + timedelta(minutes=10))
    assert held_keys(result) == ["T-2"]
    held = next(a for a in result.actions if a.template == "jira/held.j2")
    assert held.context["limit"] == "no more than 1 escalation per assignee"
    assert runner.state.tickets["T-3"].admitted_at is not None
    done_first = [resolved(tickets[0], DAY1 + timedelta(hours=2)), *tickets[1:]]
    release = runner.cycle(done_first, DAY1 + timedelta(hours=2, minutes=5))
    assert [a.issue for a in release.actions if a.template == "jira/released.j2"] == ["T-2"]


def test_rejected_escalations_do_not_use_up_the_limits() -> None:
    pol = policy(
        LIMITS
        + """
  - rule: intake_rejected
    field: Impact Level
    values: [Low]
"""
    )
    runner = Runner([pol])
    tickets = escalations(4)
    tickets[0] = replace(tickets[0], fields={"Impact Level": "Low"})
    result = runner.cycle(tickets, DAY1 + timedelta(minutes=10))
    assert held_keys(result) == []
    rejected = [a for a in result.actions if a.rule == "intake_rejected"]
    assert [a.issue for a in rejected] == ["T-1"]
    assert rejected[0].template == "jira/rejected.j2"
