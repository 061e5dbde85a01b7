"""Action keys: every key the planner makes parses into its parts and formats back as it was.

The string form is on the sites for good (markers) and in the store: ``format`` must give
it byte for byte. The keys here are the planner's own, over a week of every pack
(the soak's tickets), and the stored markers of ``tests/data/markers``.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.core.keys import ActionKey, issue_of
from agent.policy import load_policies
from tests.unit.factories import Runner, resolved, spec_of
from tests.unit.test_pack_soak import RULES_DIR, START, week_of_tickets

MARKERS = Path(__file__).resolve().parents[1] / "data" / "markers"
_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\dZ")


@functools.cache
def planned_week() -> tuple[PlannedAction, ...]:
    """Every action of a week of three-hourly cycles over every pack (planned once per run)."""
    runner = Runner(load_policies(RULES_DIR))
    tickets = week_of_tickets()
    for hour in range(0, 7 * 24, 3):
        now = START + timedelta(hours=hour)
        if hour == 60:  # as in the soak: some are resolved (pages, done replies, unpins)
            tickets = [
                resolved(t, now - timedelta(minutes=10)) if t.key.endswith("-2") else t
                for t in tickets
            ]
        runner.cycle([t for t in tickets if t.created <= now], now)
    return tuple(runner.history)


def shape(key: ActionKey) -> str:
    """The key with its moments, digests and people left out: what kind of key it is."""
    slot = _MOMENT.sub("<at>", key.slot)
    where = key.where
    if where is not None:
        where = re.sub(r"^(dm|group|escalation|thread):.*", r"\1:<who>", where)
        where = re.sub(r"^[0-9a-f]{8,}$", "<digest>", where)
    return slot if where is None else f"{slot}#{where}"


@pytest.fixture(scope="module")
def week() -> tuple[PlannedAction, ...]:
    return planned_week()


def test_every_key_the_planner_makes_formats_back_byte_for_byte(
    week: tuple[PlannedAction, ...],
) -> None:
    keys = {a.key for a in week} | {a.thread_of.format() for a in week if a.thread_of}
    assert len(keys) > 100
    for text in keys:
        assert ActionKey.parse(text).format() == text


def test_a_keys_parts_say_whose_action_it_is_and_where_it_lands(
    week: tuple[PlannedAction, ...],
) -> None:
    idents = {p.name: {r.ident for r in p.rules} for p in load_policies(RULES_DIR)}
    for action in week:
        key = ActionKey.parse(action.key)
        assert key.rule in idents[action.policy], action.key
        assert key.owner == (action.issue or action.policy), action.key
        if action.kind is ActionKind.SLACK_POST and key.where is not None:
            assert key.where == spec_of(action), action.key
        if action.kind is ActionKind.JIRA_COMMENT:
            assert key.where in (None, "jira"), action.key
        if action.thread_of is not None:
            anchor = action.thread_of
            assert (anchor.rule, anchor.owner) == (key.rule, key.owner), action.key
    shapes = {shape(ActionKey.parse(a.key)) for a in week}
    # the kinds of key the obligation mechanics make, besides each rule's own slots
    for expected in (
        "ack@<at>#thread:<who>",
        "ack@<at>:repeat@<at>#thread:<who>",
        "thread##operator-support",
        "ack@<at>:step1#dm:<who>",
        "ack@<at>:done",
        "update@<at>:soon#dm:<who>",
        "alert##inc-project",
        "pin##ps-project-leadership",
        "unpin##ps-project-leadership",
        "channel:intro",
        "hold@<at>#jira",
        "page@<at>#<digest>",
        "page@<at>:link",
        "<at>##cli-status",
    ):
        assert expected in shapes, sorted(shapes)


def test_the_stored_markers_keys_parse_and_format_back() -> None:
    stored = [m for path in MARKERS.glob("*-markers.json") for m in json.loads(path.read_text())]
    assert len(stored) >= 15
    for marker in stored:
        value = marker["value"]
        if marker["service"] == "slack":
            text = value["event_payload"]["key"]
        elif isinstance(value, str):
            text = value.removeprefix("escalation-agent:")
        else:
            text = value["key"]
        key = ActionKey.parse(text)
        assert key.format() == text
        assert key.owner == "CR-1"


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "escalation_alert:CR-1:alert##cr-announce",
            ("escalation_alert", "CR-1", "alert", "#cr-announce"),
        ),
        (
            "ack_overdue:CR-1:ack@2026-11-23T10:15Z:repeat@2026-11-23T10:30Z#escalation:CR-1",
            (
                "ack_overdue",
                "CR-1",
                "ack@2026-11-23T10:15Z:repeat@2026-11-23T10:30Z",
                "escalation:CR-1",
            ),
        ),
        (
            "clerical_channel:CR-1:channel:intro@2",
            ("clerical_channel", "CR-1", "channel:intro@2", None),
        ),
        (
            "weekly_digest:ds-pack:2026-03-06T16:00Z##ds",
            ("weekly_digest", "ds-pack", "2026-03-06T16:00Z", "#ds"),
        ),
        (
            "sev1:SUP-1:update@2026-03-02T10:00Z#thread:C1:1700000000.000100",
            ("sev1", "SUP-1", "update@2026-03-02T10:00Z", "thread:C1:1700000000.000100"),
        ),
        (
            "clerical_label:T-1:label:needs#triage",
            ("clerical_label", "T-1", "label:needs", "triage"),
        ),
        # a follow-up issue's property holds its key (agent.core.rules.followup_issues)
        ("followups:INC-7:task:65539:3:show", ("followups", "INC-7", "task:65539:3:show", None)),
    ],
)
def test_a_key_parses_into_its_parts(text: str, parts: tuple[str, str, str, str | None]) -> None:
    key = ActionKey.parse(text)
    assert (key.rule, key.owner, key.slot, key.where) == parts
    assert key.format() == text and str(key) == text


def test_keys_made_from_keys_keep_the_place_last() -> None:
    anchor = ActionKey("ack_overdue", "T-1", "ack@2026-03-02T10:15Z")
    assert anchor.then("repeat@2026-03-02T10:30Z").at("dm:acc-1").format() == (
        "ack_overdue:T-1:ack@2026-03-02T10:15Z:repeat@2026-03-02T10:30Z#dm:acc-1"
    )
    assert anchor.at("jira").base == anchor


@pytest.mark.parametrize("text", ["", "alert", "rule:T-1", ":T-1:slot", "rule::slot"])
def test_what_is_not_a_key_is_refused_with_what_a_key_looks_like(text: str) -> None:
    with pytest.raises(ValueError, match="rule:owner:slot"):
        ActionKey.parse(text)
    assert issue_of(text) is None
