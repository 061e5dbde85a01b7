"""A week of cycles over every pack: no crash, known templates, stable keys, no duplicates."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from agent.core.actions import ActionKind
from agent.core.model import Ticket
from agent.core.planner import plan
from agent.core.rules.catalogue import CATALOGUE
from agent.core.templates import all_templates
from agent.policy import load_policies
from tests.unit.factories import (
    ALICE,
    CARL,
    IVAN,
    PAM,
    RITA,
    Runner,
    comment,
    resolved,
    subtask,
    ticket,
    utc,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
START = utc(2026, 3, 2, 6, 0)  # a Monday morning in Europe, night in America


def week_of_tickets() -> list[Ticket]:
    people = {
        "Account Manager": PAM,
        "Project Manager": PAM,
        "DRI": PAM,
        "Initiator": IVAN,
        "Escalation Contact": RITA,
        "Crew Lead": CARL,
    }
    made = []
    for project, extra in {
        "INC": {},
        "PS": {"Escalation Sev": "Sev1"},
        "SUP": {"Severity": "P1"},
        "DS": {"Escalation Reason": "key client blocked", "Impact Level": "High"},
        "CLI": {},
    }.items():
        for n, priority in enumerate(("Highest", "High", "Medium")):
            made.append(
                ticket(
                    f"{project}-{n + 1}",
                    created=START + timedelta(hours=n * 7),
                    priority=priority,
                    fields={**people, **extra},
                    subtasks=(subtask(f"{project}-9{n}"),),
                )
            )
    return made


def test_a_week_of_hourly_cycles_over_all_packs() -> None:
    packs = load_policies(RULES_DIR)
    runner = Runner(packs)
    tickets = week_of_tickets()
    known = all_templates()
    seen_keys: set[str] = set()
    kind_of = {(p.name, r.ident): r.kind for p in packs for r in p.rules}
    owing: set[str] = set()
    for hour in range(0, 7 * 24, 1):
        now = START + timedelta(hours=hour)
        if hour == 30:  # some tickets get answers, some get resolved
            tickets = [
                replace(
                    t,
                    comments=(
                        comment(
                            ALICE, now - timedelta(minutes=5), "Investigating; next update in 1h"
                        ),
                    ),
                )
                if t.key.endswith("-1")
                else t
                for t in tickets
            ]
        if hour == 60:
            tickets = [
                resolved(t, now - timedelta(minutes=10))
                if t.key.endswith("-2") or t.key == "INC-1"
                else t
                for t in tickets
            ]
        visible = [t for t in tickets if t.created <= now]
        result = runner.cycle(visible, now)
        for action in result.actions:
            assert action.key not in seen_keys, action.key
            seen_keys.add(action.key)
            assert action.template is None or action.template in known, action.template
            assert action.due <= now + timedelta(seconds=1), action
            if action.kind is ActionKind.SLACK_POST:
                assert action.channel
        for owed in result.obligations:
            owing.add(kind_of[owed.policy, owed.rule])
            assert owed.overdue == (now >= owed.due), owed
            assert owed.waiting is None or owed.overdue, owed
    # A held escalation lists what its rules owe only for the rules marked as declaring.
    declaring = CATALOGUE.where(declares_obligations=True)
    assert owing <= declaring, owing - declaring
    assert len(owing) >= 8, owing
    assert len(seen_keys) > 100
    policies = {a.policy for a in runner.history}
    assert policies == {p.name for p in packs}
    rules = {a.rule for a in runner.history}
    assert {
        "incident_log",
        "incident_summary",
        "pmo_notify",
        "lessons_learned",
        "postmortem_due",
        "response_report",
        "closure_missing_fields",
        "escalation_alert",
        "clerical_channel",
        "limit_assignee",
        "weekly_digest",
        "sev1_daily_update",
        "stakeholder_summary",
    } <= rules
    assert any(a.kind is ActionKind.SLACK_THREAD_DONE for a in runner.history)
    # Purity: planning again from the same state gives the same plan.
    again = plan(tickets, runner.state, START + timedelta(days=7), packs)
    assert again == plan(tickets, runner.state, START + timedelta(days=7), packs)
