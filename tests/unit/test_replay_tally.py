"""A replay's actions spooled and counted as they come (``agent.replay.tally``), and
``replay.json`` written with its actions streamed from the spool (``report_file``).

Counts are of messages only; a local day is summed from quarters of an hour in the
reader's zone (Kolkata is UTC+5:30); repeated alike actions between two human events
fold into one run; every action reads back as it was planned.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from zoneinfo import ZoneInfo

from agent.core.actions import ActionKind
from agent.replay.report_file import Spooled, write_json
from agent.replay.tally import Fired, Tally
from tests.unit.factories import utc

T0 = utc(2026, 3, 2, 18, 0)


def nudge(minutes: int, *, kind: ActionKind = ActionKind.SLACK_POST, rule: str = "nudge") -> Fired:
    at = T0 + timedelta(minutes=minutes)
    return Fired(
        key=f"{rule}:INC-1:{minutes}",
        policy="inc",
        rule=rule,
        issue="INC-1",
        kind=kind,
        at=at,
        due=at,
        where="#inc-1" if kind is ActionKind.SLACK_POST else "jira",
        people=("Alice", "leads"),
        reason="overdue",
    )


def test_counts_messages_by_rule_ticket_person_and_local_day() -> None:
    tally = Tally()
    for minutes in (0, 30, 60, 390):  # 18:00 to 00:30 UTC
        tally.add(nudge(minutes), segment=0)
    tally.add(nudge(5, kind=ActionKind.JIRA_ADD_LABEL, rule="label"), segment=0)

    assert (tally.actions, tally.messages) == (5, 4)
    assert tally.per_rule == {"inc/nudge": 4}
    assert tally.per_ticket == {"INC-1": 4}
    assert tally.per_person == {"Alice": 4, "leads": 4}
    assert tally.per_day() == {"2026-03-02": {"inc/nudge": 3}, "2026-03-03": {"inc/nudge": 1}}
    # 23:30 local in Kolkata is 18:00 UTC: the first three are the 2nd there, the last the 3rd
    kolkata = tally.per_day(ZoneInfo("Asia/Kolkata"))
    assert kolkata == {"2026-03-02": {"inc/nudge": 1}, "2026-03-03": {"inc/nudge": 3}}


def test_alike_actions_between_two_human_events_fold_into_one_run() -> None:
    tally = Tally()
    for minutes in (0, 30, 60):
        tally.add(nudge(minutes), segment=1)
    tally.add(nudge(45, kind=ActionKind.JIRA_COMMENT), segment=1)
    tally.add(nudge(120), segment=2)  # after someone commented: a new run

    runs = [(r.what, r.count, r.first, r.last) for r in tally.runs("INC-1")]
    assert runs == [
        ("nudge: slack.post (#inc-1)", 3, T0, T0 + timedelta(minutes=60)),
        ("nudge: jira.comment (jira)", 1, T0 + timedelta(minutes=45), T0 + timedelta(minutes=45)),
        ("nudge: slack.post (#inc-1)", 1, T0 + timedelta(minutes=120), T0 + timedelta(minutes=120)),
    ]


def test_every_action_reads_back_and_is_written_into_the_json() -> None:
    tally = Tally()
    planned = [nudge(0), nudge(15, kind=ActionKind.JIRA_COMMENT)]
    for fired in planned:
        tally.add(fired, segment=0)

    assert tally.fired() == planned
    assert tally.keys_by_issue() == {"INC-1": {"nudge:INC-1:0", "nudge:INC-1:15"}}
    out = io.StringIO()
    write_json(out, {"label": "rules", "actions": Spooled(tally.lines), "empty": Spooled(list)})
    data = json.loads(out.getvalue())
    assert data["label"] == "rules" and data["empty"] == []
    assert [(a["key"], a["fired_at"], a["people"]) for a in data["actions"]] == [
        ("nudge:INC-1:0", "2026-03-02T18:00:00Z", ["Alice", "leads"]),
        ("nudge:INC-1:15", "2026-03-02T18:15:00Z", ["Alice", "leads"]),
    ]
    tally.add(nudge(30), segment=0)  # reading back leaves the spool open for more
    assert len(tally.fired()) == 3
