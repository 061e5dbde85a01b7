"""People a policy names by address only are named in text by their Jira display name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from agent.adapters.service_errors import ServiceUnavailable
from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.model import Person
from agent.core.state import EngineState
from agent.runtime.env import ActionEnv
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import utc

OLEH = Person("acc-oleh", "Oleh Hrytsenko", "oleh@sandbox.example")
NOW = utc(2026, 3, 2, 10, 0)


@dataclass
class DirectoryJira(FakeJira):
    """A Jira that finds users by email, counting the look-ups."""

    people: list[Person] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    down: bool = False

    def people_with_email(self, email: str) -> list[Person]:
        self.asked.append(email)
        if self.down:
            raise ServiceUnavailable("jira", "user_search", "answered 503", 503)
        return [p for p in self.people if (p.email or "").lower() == email.lower()]


def env_with(jira: FakeJira, slack_users: dict[str, str] | None = None) -> ActionEnv:
    return ActionEnv(
        jira=jira,
        slack=FakeSlack(users=slack_users or {}),
        confluence=FakeConfluence(),
        renderer=FakeRenderer(),
        store=None,  # type: ignore[arg-type]
        state=EngineState(),
        confluence_space="OPS",
    )


def call(*audience: Recipient) -> PlannedAction:
    return PlannedAction(
        key="call_needed:INC-1:call",
        policy="incident-critical",
        rule="call_needed",
        issue="INC-1",
        kind=ActionKind.SLACK_POST,
        reason="No progress for too long.",
        due=NOW - timedelta(minutes=5),
        template="slack/call_needed.j2",
        audience=audience,
        context={"participants": [r.label for r in audience]},
    )


CTO = Recipient("cto", email="oleh@sandbox.example")
NOBODY = Recipient("lead", email="ghost@sandbox.example")
ALEX = Recipient("lead", account_id="acc-alex", email="alex@x.example", display_name="Alex Lee")


def test_an_address_only_person_is_named_by_jira_once_a_cycle() -> None:
    jira = DirectoryJira(people=[OLEH])
    env = env_with(jira)
    assert env.name_of(CTO) == "Oleh Hrytsenko"
    assert env.name_of(CTO) == "Oleh Hrytsenko"
    assert env.name_of(ALEX) == "Alex Lee"  # a name known already: Jira is not asked
    assert env.name_of(NOBODY) == "ghost@sandbox.example"  # Jira knows nobody by it
    assert jira.asked == ["oleh@sandbox.example", "ghost@sandbox.example"]


def test_jira_down_leaves_the_address_and_asks_again_next_time() -> None:
    jira = DirectoryJira(people=[OLEH], down=True)
    env = env_with(jira)
    assert env.name_of(CTO) == "oleh@sandbox.example"
    jira.down = False
    assert env.name_of(CTO) == "Oleh Hrytsenko"


def test_messages_name_people_without_slack_and_mention_those_with_it() -> None:
    env = env_with(DirectoryJira(people=[OLEH]), slack_users={"alex@x.example": "UALEX"})
    action = call(CTO, ALEX)
    slack = env.context_for(action, slack=True)
    assert slack["people"] == ["Oleh Hrytsenko"] and slack["mentions"] == ["UALEX"]
    assert slack["participants"] == ["Oleh Hrytsenko", "<@UALEX>"]
    jira = env.context_for(action, slack=False)
    assert jira["people"] == ["Oleh Hrytsenko", "Alex Lee"]
    assert jira["participants"] == ["Oleh Hrytsenko", "Alex Lee"]
    assert [r["name"] for r in jira["recipients"]] == ["Oleh Hrytsenko", "Alex Lee"]
