"""A ticket's past rebuilt from its changelog (``agent.replay.past``), without any service.

Creation values come from the first change's ``from``; people are named by their
account id (``from``/``to``) and found with their email among the people seen; a
status's category comes from Jira's status list; what the agent's own account
did is kept apart, and what a replay records is seen from its moment on, in
that replay only.
"""

from __future__ import annotations

from datetime import timedelta

from agent.adapters.jira_port import FieldInfo
from agent.core.model import Change, Comment, FieldChange, Person
from agent.replay.past import TicketPast
from agent.replay.values import People, Statuses, ValueReader
from tests.unit.factories import ALICE, BOB, RITA, ticket, utc

AGENT = Person("acc-agent", "Escalation Agent")
T0 = utc(2026, 3, 2, 9, 0)
CREW = FieldInfo("customfield_1", "Crew Lead", True, "user", None, "x:userpicker")
LEVEL = FieldInfo("customfield_2", "Impact Level", True, "option", None, "x:select")
STATUSES = Statuses({"1": "new", "3": "indeterminate", "5": "done"}, {})


def at(minutes: int) -> object:
    return T0 + timedelta(minutes=minutes)


def change(minutes: int, who: Person, *items: FieldChange) -> Change:
    return Change(who, T0 + timedelta(minutes=minutes), items)


def past_of(**overrides: object) -> TicketPast:
    people = People()
    people.add([ALICE, BOB, RITA])
    reader = ValueReader({"Crew Lead": CREW, "Impact Level": LEVEL}, people, STATUSES)
    now = ticket(created=T0, **overrides)  # type: ignore[arg-type]
    return TicketPast(now, reader=reader, agent_account=AGENT.account_id, agent=AGENT)


def test_values_are_rebuilt_from_the_changelog_and_the_agents_changes_are_kept_apart() -> None:
    past = past_of(
        status="Done",
        status_category="done",
        resolution="Fixed",
        resolved_at=T0 + timedelta(hours=3),
        priority="Highest",
        labels=frozenset({"ESCALATION", "customer"}),
        assignee=BOB,
        fields={"Crew Lead": BOB, "Impact Level": "High"},
        changelog=(
            change(10, AGENT, FieldChange("labels", None, "ESCALATION")),
            change(10, AGENT, FieldChange("priority", "Medium", "Highest", "priority", "3", "1")),
            change(30, RITA, FieldChange("labels", "ESCALATION", "ESCALATION customer")),
            change(
                40,
                RITA,
                FieldChange(
                    "assignee", "Alice Assignee", "Bob Other", "assignee", "acc-alice", "acc-bob"
                ),
                FieldChange("Crew Lead", None, "Bob Other", "customfield_1", None, "acc-bob"),
                FieldChange("Impact Level", "Low", "High", "customfield_2", "10", "11"),
            ),
            change(
                60,
                BOB,
                FieldChange("status", "To Do", "In Progress", "status", "1", "3"),
            ),
            change(
                180,
                BOB,
                FieldChange("status", "In Progress", "Done", "status", "3", "5"),
                FieldChange("resolution", None, "Fixed", "resolution", None, "1"),
            ),
        ),
        comments=(
            Comment("1", AGENT, T0 + timedelta(minutes=11), "nudge", "ack_overdue", "k"),
            Comment("2", BOB, T0 + timedelta(minutes=50), "on it"),
        ),
    )
    start = past.at(T0)
    assert (start.status, start.status_category, start.resolution) == ("To Do", "new", None)
    assert start.priority == "Medium" and start.labels == frozenset()  # the agent's are kept out
    assert start.assignee == ALICE and start.assignee.email == "alice@sandbox.example"
    assert start.fields["Crew Lead"] is None and start.fields["Impact Level"] == "Low"

    later = past.at(T0 + timedelta(minutes=45))
    assert later.labels == frozenset({"customer"})  # Rita added one; the agent's stays out
    assert later.assignee == BOB and later.fields["Crew Lead"] == BOB
    assert later.fields["Impact Level"] == "High"
    assert later.comments == () and later.is_open
    assert [c.created for c in later.changelog] == [T0 + timedelta(minutes=m) for m in (30, 40)]

    working = past.at(T0 + timedelta(minutes=55))
    assert [c.body for c in working.comments] == ["on it"]
    assert working.updated == T0 + timedelta(minutes=50)

    done = past.at(T0 + timedelta(hours=4))
    assert (done.status_category, done.resolved_at) == ("done", T0 + timedelta(hours=3))
    assert past.kept.comments == 1 and past.kept.changes == 2
    assert past.event_times()[0] == T0


def test_what_a_replay_records_is_seen_from_then_on_in_that_replay_only() -> None:
    original = past_of(priority="Medium")
    past = original.fresh()
    moment = T0 + timedelta(minutes=5)
    past.record_value(moment, "priority", "Highest", "Highest")
    past.record_labels(moment, ["ESCALATION"], [])
    past.record_comment(moment, rule="clerical_channel", key="clerical_channel:T-1:announce")
    past.record_watchers(moment, [BOB])

    before, after = past.at(T0), past.at(moment)
    assert before.priority == "Medium" and before.labels == frozenset()
    assert after.priority == "Highest" and after.labels == frozenset({"ESCALATION"})
    assert after.watchers == (BOB,)
    (own,) = after.comments
    assert own.by_agent and own.agent_key == "clerical_channel:T-1:announce"
    assert [i.field for c in after.changelog for i in c.items] == ["priority", "labels"]
    assert all(c.author == AGENT for c in after.changelog)
    # another replay of the same history starts from the humans' history alone
    assert original.fresh().at(moment).priority == "Medium"
    assert original.at(moment).labels == frozenset()


def test_a_value_that_cannot_be_read_back_is_said_and_the_earlier_one_kept() -> None:
    past = past_of(
        status="Parked",
        status_category="indeterminate",
        changelog=(change(20, BOB, FieldChange("status", "To Do", "Parked", "status", "1", "77")),),
    )
    assert past.at(T0 + timedelta(minutes=30)).status == "To Do"
    (problem,) = past.problems
    assert "Parked" in str(problem) and "status list" in str(problem)
