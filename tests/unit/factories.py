"""Hand-built tickets, policies and a cycle runner for the engine's unit tests."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from agent.core.actions import ActionKind, Plan, PlannedAction
from agent.core.followups import FollowupsSeen
from agent.core.model import (
    Change,
    ChatMessage,
    Comment,
    FieldChange,
    Person,
    Subtask,
    Ticket,
)
from agent.core.planner import plan
from agent.core.slack_reports import SlackThread, thread_label
from agent.core.state import EngineState
from agent.policy import Policy, load_policy_text

ALICE = Person("acc-alice", "Alice Assignee", "alice@sandbox.example")
RITA = Person("acc-rita", "Rita Reporter", "rita@sandbox.example")
IVAN = Person("acc-ivan", "Ivan Initiator", "ivan@sandbox.example")
CARL = Person("acc-carl", "Carl Crew", "carl@sandbox.example")
PAM = Person("acc-pam", "Pam PM", "pam@sandbox.example")
BOB = Person("acc-bob", "Bob Other", "bob@sandbox.example")
GONE = Person("acc-gone", "Gone User", None, active=False)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ticket(key: str = "T-1", created: datetime | None = None, **overrides: Any) -> Ticket:
    created = created or utc(2026, 3, 2, 9, 0)
    project = key.split("-", maxsplit=1)[0]
    base: dict[str, Any] = {
        "key": key,
        "id": str(abs(hash(key)) % 100000),
        "project": project,
        "summary": "Checkout is down",
        "issue_type": "Incident",
        "status": "In Progress",
        "status_category": "indeterminate",
        "created": created,
        "updated": created,
        "priority": "Highest",
        "assignee": ALICE,
        "reporter": RITA,
        "url": f"https://jira.example/browse/{key}",
    }
    base.update(overrides)
    return Ticket(**base)


def comment(
    author: Person | None, at: datetime, body: str = "Working on it", agent: bool = False
) -> Comment:
    return Comment(
        id=f"c-{at.timestamp():.0f}",
        author=author,
        created=at,
        body=body,
        agent_rule="some_rule" if agent else None,
        agent_key="k" if agent else None,
    )


def change(
    author: Person | None, at: datetime, field: str, old: str | None, new: str | None
) -> Change:
    return Change(author=author, created=at, items=(FieldChange(field, old, new),))


def subtask(key: str, done: bool = False) -> Subtask:
    return Subtask(key, f"Milestone {key}", "done" if done else "new")


def message(at: datetime, email: str, text: str = "update", channel: str = "C1") -> ChatMessage:
    return ChatMessage(channel, f"{at.timestamp():.6f}", "U1", text, at, user_email=email)


def resolved(t: Ticket, at: datetime, **overrides: Any) -> Ticket:
    return replace(
        t,
        status="Done",
        status_category="done",
        resolution="Done",
        resolved_at=at,
        updated=at,
        **overrides,
    )


def policy(body: str, header: str | None = None) -> Policy:
    """A policy from YAML; ``header`` replaces the default name/select/calendar block."""
    default = """
        name: test
        description: test policy
        select: {projects: [T]}
        timezone: UTC
        business_hours: {start: "09:00", end: "17:00"}
    """
    text = textwrap.dedent(header if header is not None else default) + textwrap.dedent(body)
    return load_policy_text(text, "rules/test.yaml")


# The conversation id of the threads the Runner says the agent opened (``slack.open_thread``).
THREADS_CHANNEL = "C0THREADS"


class Runner:
    """Runs cycles like the agent would: plan, then mark every planned action done.

    A ticket whose incident thread the plan opened (``slack.open_thread``) carries the
    thread's label from the next cycle on, as the executor leaves it in Jira."""

    def __init__(
        self, policies: Sequence[Policy], first_contact: Mapping[str, datetime] | None = None
    ) -> None:
        self.policies = list(policies)
        self.state = EngineState()
        self.history: list[PlannedAction] = []
        self.first_contact = first_contact
        self.opened: dict[str, str] = {}  # issue -> the label of the thread opened for it

    def cycle(
        self,
        tickets: Iterable[Ticket],
        now: datetime,
        messages: Mapping[str, Sequence[ChatMessage]] | None = None,
        execute: bool = True,
        followups: Mapping[str, FollowupsSeen] | None = None,
        *,
        reports: Mapping[str, Sequence[ChatMessage]] | None = None,
    ) -> Plan:
        result = plan(
            [self._with_thread(t) for t in tickets],
            self.state,
            now,
            self.policies,
            messages,
            first_contact=self.first_contact,
            followups=followups,
            reports=reports,
        )
        if execute:
            self.state = result.state.with_done(a.key for a in result.actions)
            self.history += result.actions
            for action in result.actions:
                if action.kind is ActionKind.SLACK_OPEN_THREAD and action.issue is not None:
                    ts = f"{int(now.timestamp())}.{len(self.opened) + 1:06d}"
                    self.opened[action.issue] = thread_label(SlackThread(THREADS_CHANNEL, ts))
        return result

    def _with_thread(self, ticket: Ticket) -> Ticket:
        label = self.opened.get(ticket.key)
        if label is None or label in ticket.labels:
            return ticket
        return replace(ticket, labels=ticket.labels | {label})


def kinds(result: Plan) -> list[str]:
    return [a.kind.value for a in result.actions]


def of_kind(result: Plan, kind: ActionKind) -> list[PlannedAction]:
    return [a for a in result.actions if a.kind is kind]


def by_rule(result: Plan, rule: str) -> list[PlannedAction]:
    return [a for a in result.actions if a.rule == rule]


def spec_of(action: PlannedAction) -> str | None:
    """Where a Slack action goes, in the words its key ends with (``dm:acc-1``, ``#ops``)."""
    return action.channel.spec if action.channel is not None else None
