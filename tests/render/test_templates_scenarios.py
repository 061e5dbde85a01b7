"""Realistic template contexts, made by the real planner on hand-built tickets of the five packs.

Each scenario walks one shipped policy pack through a few cycles (intake, nudges,
escalation chains, resolution) with ``tests.unit.factories`` tickets. Every
action that names a template is kept, so the golden and injection tests render
exactly the contexts the rules build: a rule that renames a context key breaks
them. ``with_executor_keys`` adds what the executor will add on top (Slack ids
of the audience as ``mentions``, names of those without one as ``people``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.followups import FollowupIssue, FollowupsSeen, PageTask
from agent.core.model import Change, ChatMessage, FieldChange, Person, Ticket
from agent.core.rules.base import iso
from agent.core.slack_reports import SlackThread, report_label
from agent.core.templates import all_templates
from agent.policy import Policy, load_policies
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
# Jira's names of the people the packs name by address (the demo organisation's), as the
# executor finds them (``ActionEnv.name_of``).
JIRA_NAMES = {
    "oleh@sandbox.example": "Oleh Petrenko",
    "alex@sandbox.example": "Alex Morgan",
    "sophia@sandbox.example": "Sophia Lee",
    "pmo@sandbox.example": "Petra Moss",
}
SLACK_IDS = {
    ALICE.account_id: "U0ALICE01",
    RITA.account_id: "U0RITA001",
    IVAN.account_id: "U0IVAN001",
    CARL.account_id: "U0CARL001",
    PAM.account_id: "U0PAM0001",
}


@cache
def packs() -> dict[str, Policy]:
    return {p.name: p for p in load_policies(RULES_DIR)}


def _run(pack: str, steps: Iterable[tuple[Any, ...]]) -> list[PlannedAction]:
    """Each step is (tickets, now) or (tickets, now, what the follow-ups reader saw)."""
    runner = Runner([packs()[pack]])
    for tickets, now, *seen in steps:
        runner.cycle(list(tickets), now, followups=seen[0] if seen else None)
    return [a for a in runner.history if a.template is not None]


def _followups(escalation: Ticket, resolved_at: datetime) -> list[dict[str, FollowupsSeen]]:
    """What the reader sees on a resolved escalation's page over three cycles: two tasks
    added; their issues made (the page not yet showing them); then one issue resolved,
    the other's task ticked, a third task deleted, the second issue past its due date."""
    title = f"Post-mortem {escalation.key}"
    tasks = (
        PageTask("1", False, "Add an alert on the feed's age", owner=ALICE.account_id),
        PageTask("2", False, "Write the runbook for provider changes", due=date(2026, 3, 6)),
    )
    made = [
        ticket(f"SUP-{40 + n}", created=resolved_at, summary=t.text, assignee=ALICE)
        for n, t in enumerate(tasks)
    ]
    due = replace(made[1], due_date=utc(2026, 3, 6))
    issues = (
        FollowupIssue(resolved(made[0], resolved_at + timedelta(days=2)), "900", "1"),
        FollowupIssue(due, "900", "2"),
        FollowupIssue(ticket("SUP-43", created=resolved_at, assignee=ALICE), "900", "3"),
    )
    shown = (tasks[0], replace(tasks[1], done=True, issue="SUP-41"))
    return [
        {escalation.key: FollowupsSeen("900", title, tasks)},
        {escalation.key: FollowupsSeen("900", title, shown, issues)},
    ]


def _incident_critical() -> list[PlannedAction]:
    start = utc(2026, 3, 2, 8, 0)  # Monday 10:00 in Kyiv
    t = ticket(
        "INC-7",
        created=start,
        summary="Checkout returns HTTP 502 for card payments",
        fields={"Account Manager": PAM},
    )
    answered = replace(
        t,
        comments=(
            comment(RITA, start + timedelta(minutes=3), "Customers report failed card payments."),
            comment(ALICE, start + timedelta(minutes=95), "Rolled back the gateway config."),
        ),
        changelog=(
            Change(
                ALICE,
                start + timedelta(minutes=20),
                (FieldChange("status", "To Do", "In Progress"),),
            ),
        ),
    )
    done = resolved(
        answered,
        start + timedelta(hours=2),
        fields={"Account Manager": PAM, "Root Cause": "Expired TLS certificate on the gateway"},
    )
    weekend = utc(2026, 3, 7, 20, 0)
    night = ticket("INC-8", created=weekend, summary="Login page blank for all users")
    return _run(
        "incident-critical",
        [
            ([t], start + timedelta(minutes=1)),
            ([t], start + timedelta(minutes=10)),  # the heads-up: 5m left to acknowledge
            ([t], start + timedelta(minutes=15)),
            ([t], start + timedelta(minutes=30)),
            ([t], start + timedelta(hours=1)),
            ([t], start + timedelta(hours=1, minutes=1)),
            ([answered], start + timedelta(hours=1, minutes=40)),
            ([done], start + timedelta(hours=2, minutes=1)),
            ([night], weekend + timedelta(minutes=1)),
        ],
    )


def _ps_customer() -> list[PlannedAction]:
    start = utc(2026, 3, 2, 15, 0)  # Monday 10:00 in New York
    sev1 = ticket(
        "PS-3",
        created=start,
        summary="Acme threatens to withhold payment over migration delays",
        labels=frozenset({"sev1"}),
        fields={"DRI": PAM},
        subtasks=(subtask("PS-31", done=True), subtask("PS-32")),
    )
    sev2 = ticket(
        "PS-4",
        created=start,
        summary="Data import two weeks behind plan",
        fields={"Escalation Sev": "Sev2", "DRI": PAM},
    )
    upgraded = ticket(
        "PS-5",
        created=start,
        summary="Reporting outage visible to the customer",
        fields={"Escalation Sev": "Sev2", "Customer Impact": "Yes", "DRI": PAM},
    )
    talked = replace(
        sev1,
        comments=(comment(PAM, utc(2026, 3, 5, 14, 0), "Met the customer; plan agreed."),),
    )
    closed = resolved(
        talked,
        utc(2026, 3, 11, 16, 0),
        fields={"DRI": PAM, "Root Cause": "Under-staffed data team"},
    )
    return _run(
        "ps-customer-escalation",
        [
            ([sev1, sev2, upgraded], start + timedelta(minutes=1)),
            ([sev1, sev2], start + timedelta(hours=24)),
            ([sev1, sev2], utc(2026, 3, 4, 14, 0)),
            ([talked, sev2], utc(2026, 3, 5, 14, 30)),
            ([talked, sev2], utc(2026, 3, 6, 20, 0)),  # Friday 15:00 New York
            ([closed, sev2], utc(2026, 3, 11, 16, 1)),
        ],
    )


def _support() -> list[PlannedAction]:
    start = utc(2026, 3, 2, 10, 0)
    t = ticket(
        "SUP-12",
        created=start,
        summary="Scheduled feed for Bundesliga stopped updating",
        fields={"Severity": "P1", "Impact": "Bets cannot be settled"},
    )
    acked = replace(t, comments=(comment(ALICE, start + timedelta(minutes=31), "Looking"),))
    done = resolved(
        acked,
        start + timedelta(hours=3),
        fields={**t.fields, "Root Cause": "Feed provider changed its API without notice"},
    )
    seen = _followups(done, start + timedelta(hours=3))
    return _slack_report(start) + _run(
        "support-p1-p4",
        [
            ([t], start + timedelta(minutes=1)),  # its thread is opened in #operator-support
            ([t], start + timedelta(minutes=10)),  # the heads-up: 5m left to acknowledge
            ([t], start + timedelta(minutes=15)),
            ([t], start + timedelta(minutes=30)),
            ([acked], start + timedelta(minutes=32)),
            ([acked], start + timedelta(hours=1, minutes=2)),
            ([acked], start + timedelta(hours=1, minutes=32)),
            ([done], start + timedelta(hours=3, minutes=1)),
            ([done], start + timedelta(hours=51)),
            ([done], start + timedelta(hours=52), seen[0]),
            ([done], utc(2026, 3, 6, 10), seen[1]),  # a heads-up: due today
            ([done], utc(2026, 3, 7, 10), seen[1]),  # overdue since midnight
        ],
    )


def _slack_report(start: datetime) -> list[PlannedAction]:
    """An operator's report in #operator-support, its ticket, and a reply in its thread."""
    ts = f"{int(start.timestamp())}.000100"
    text = (
        "Bundesliga feed stopped updating\n*Impact:* bets cannot be settled <!channel>\n"
        "P1 since 09:55, see <https://status.example/x|status>"
    )
    said = ChatMessage("C0OPS0001", ts, "U0OLGA001", text, start, "olga@operator.example")
    made = ticket(
        "SUP-13",
        created=start + timedelta(minutes=1),
        summary="Bundesliga feed stopped updating",
        labels=frozenset({report_label(SlackThread("C0OPS0001", ts))}),
    )
    reply = ChatMessage(
        "C0OPS0001",
        f"{int(start.timestamp()) + 300}.000200",
        "U0ALICE01",
        "On it, *restarting* the [feed] h1. now",
        start + timedelta(minutes=5),
        ALICE.email,
        thread_ts=ts,
    )
    runner = Runner([packs()["support-p1-p4"]])
    runner.cycle([], start + timedelta(minutes=1), reports={"#operator-support": [said]})
    runner.cycle([made], start + timedelta(minutes=6), {"SUP-13": [reply]})
    runner.cycle([made], start + timedelta(minutes=16))
    return [a for a in runner.history if a.template is not None]


def _ds() -> list[PlannedAction]:
    start = utc(2026, 3, 2, 14, 0)  # Monday 09:00 in New York
    fields = {
        "Escalation Reason": "Payments stuck for a key client",
        "Initiator": IVAN,
        "Escalation Contact": RITA,
        "Crew Lead": CARL,
        "Impact Level": "High",
    }
    owners = [ALICE, *(Person(f"acc-{i}", f"Eng {i}") for i in range(4))]
    escalations = [
        ticket(
            f"DS-{100 + i}",
            created=start + timedelta(minutes=i),
            summary=f"Payments stuck in batch {i}",
            priority="Medium",
            fields=fields,
            assignee=owners[i],
        )
        for i in range(4)
    ]
    low = ticket("DS-200", created=start, fields={**fields, "Impact Level": "Low"})
    incomplete = ticket(
        "DS-5", created=start, labels=frozenset({"ESCALATION"}), fields={"Initiator": IVAN}
    )
    first_done = resolved(escalations[0], start + timedelta(hours=1))
    root_cause = replace(
        escalations[1],
        fields={**fields, "Root Cause": "Deadlock in the batch scheduler"},
        changelog=(
            Change(
                owners[1],
                start + timedelta(hours=1),
                (FieldChange("Root Cause", None, "Deadlock in the batch scheduler"),),
            ),
        ),
    )
    later = [first_done, root_cause, *escalations[2:]]
    return _run(
        "ds-ticket-escalation",
        [
            ([*escalations, low, incomplete], start + timedelta(minutes=10)),
            ([*later, low, incomplete], start + timedelta(hours=5, minutes=1)),
            ([*later, low, incomplete], start + timedelta(days=1)),  # a new day: DS-103 released
        ],
    )


def _client_communication() -> list[PlannedAction]:
    start = utc(2026, 3, 2, 9, 0)  # Monday 09:00 in London
    urgent = ticket(
        "CLI-1",
        created=start,
        summary="Client portal invoices show wrong totals",
        fields={"Project Manager": PAM},
    )
    vague = replace(
        urgent,
        comments=(comment(ALICE, start + timedelta(hours=2, minutes=5), "Fix is deploying"),),
    )
    closed = resolved(
        vague,
        utc(2026, 3, 6, 15, 30),
        fields={"Project Manager": PAM, "Root Cause": "Rounding in the tax service"},
    )
    return _run(
        "client-communication",
        [
            ([urgent], start),
            ([urgent], start + timedelta(hours=1)),
            ([urgent], start + timedelta(hours=2)),
            ([vague], start + timedelta(hours=2, minutes=6)),
            ([vague], utc(2026, 3, 3, 16, 30)),
            ([vague], utc(2026, 3, 6, 15, 0)),
            ([closed], utc(2026, 3, 6, 15, 31)),
        ],
    )


@cache
def planned_actions() -> tuple[PlannedAction, ...]:
    """Every templated action the five packs plan in their scenarios, in order."""
    found: list[PlannedAction] = []
    for scenario in (_incident_critical, _ps_customer, _support, _ds, _client_communication):
        found += scenario()
    return tuple(found)


def with_executor_keys(action: PlannedAction) -> dict[str, Any]:
    """The action's context plus what the executor adds (``agent.runtime.env.context_for``).

    Who must act: Slack gets ``mentions`` (Slack ids of the audience) and ``people``
    (names of those without a Slack id); Jira gets everyone's name in ``people``
    (comments mention nobody), by their Jira name when only the policy's address is
    known (``JIRA_NAMES``, as the executor asks Jira). Plus the action's own facts,
    never overriding the rule's keys: ``reason``, ``due`` (ISO), ``policy``, ``rule``,
    ``key``, ``timezone``.
    """
    data = dict(action.context)

    def name(r: Recipient) -> str:
        return r.display_name or JIRA_NAMES.get((r.email or "").lower(), r.label)

    if isinstance(data.get("participants"), list):
        by_label = {r.label: r for r in action.audience}
        data["participants"] = [
            name(by_label[p]) if p in by_label else p for p in data["participants"]
        ]
    slack = bool(action.template and action.template.startswith("slack/"))
    ids = {r.account_id: SLACK_IDS.get(r.account_id or "") for r in action.audience}
    extra: dict[str, Any] = {
        "key": action.key,
        "rule": action.rule,
        "policy": action.policy,
        "reason": action.reason,
        "due": iso(action.due),
        "urgent": action.urgent,
        "mentions": [ids[r.account_id] for r in action.audience if slack and ids[r.account_id]],
        "people": [name(r) for r in action.audience if not (slack and ids[r.account_id])],
        "ticket_url": data.get("url", ""),
        "timezone": packs()[action.policy].timezone,
    }
    for name, value in extra.items():
        data.setdefault(name, value)
    return data


def _preference(action: PlannedAction) -> int:
    """Prefer actions with an audience and a repeat/step, for richer golden files."""
    return -(len(action.audience) + 2 * ("repeat" in action.context))


# Templates the executor renders itself, with the context of a planned action it borrows
# and what only it knows: the successor of an archived channel names the channels it
# replaces (found when making the channel).
EXECUTOR_RENDERED: dict[str, tuple[str, dict[str, Any]]] = {
    "slack/channel_successor.j2": ("slack/channel_intro.j2", {"replaced": ["C0OLD0001"]}),
    # the reply in a report's thread, rendered by the create action once the ticket exists
    "slack/slack_logged.j2": (
        "jira/slack_report.j2",
        {"issue": "SUP-13", "url": "https://jira.example/browse/SUP-13"},
    ),
    # the report's description names the reporter as Jira does (found by their address)
    "jira/slack_report.j2": ("jira/slack_report.j2", {"reporter_name": "Olga Operator"}),
}


# Generic pages whose shipped packs all use their own override (``page_template:``): the
# generic page renders the context planned for the override.
GENERIC_PAGES = {"confluence/postmortem.xml.j2": "confluence/postmortem_support.xml.j2"}


def _other_medium(name: str) -> str:
    medium, rest = name.split("/", 1)
    return f"{'slack' if medium == 'jira' else 'jira'}/{rest}"


@cache
def examples() -> dict[str, PlannedAction]:
    """One representative planned action per template name.

    The shipped packs do not route every message to both media (no pack sends
    ``held`` to Slack). Routing gives both media the same context, so a name the
    scenarios never plan borrows the action planned for the other medium.
    """
    chosen: dict[str, PlannedAction] = {}
    for action in sorted(planned_actions(), key=_preference):
        assert action.template is not None
        chosen.setdefault(action.template, action)
    for name in sorted(all_templates() - set(chosen)):
        twin = chosen.get(GENERIC_PAGES.get(name) or _other_medium(name))
        if twin is not None:
            chosen[name] = replace(twin, template=name)
    for name, (borrowed, _) in EXECUTOR_RENDERED.items():
        chosen[name] = replace(chosen[borrowed], template=name)
    return chosen


def example_context(name: str) -> Mapping[str, Any]:
    extra = EXECUTOR_RENDERED.get(name, ("", {}))[1]
    return {**with_executor_keys(examples()[name]), **extra}


def test_the_scenarios_use_every_template_the_engine_names() -> None:
    assert set(examples()) == all_templates()
    planned = {a.template for a in planned_actions()} | set(EXECUTOR_RENDERED)
    assert all(
        name in planned or _other_medium(name) in planned or GENERIC_PAGES.get(name) in planned
        for name in all_templates()
    )
    assert len(planned & all_templates()) >= 27


def test_the_scenarios_are_realistic_plans() -> None:
    actions = planned_actions()
    assert all(
        a.context.get("issue")
        or a.rule == "weekly_digest"
        or a.kind is ActionKind.JIRA_ISSUE_FROM_REPORT
        for a in actions
    )
    kinds = {a.kind for a in actions}
    assert {ActionKind.CONFLUENCE_PAGE, ActionKind.CONFLUENCE_LOG_ROW} <= kinds
    assert {ActionKind.JIRA_COMMENT, ActionKind.SLACK_POST, ActionKind.SLACK_THREAD_DONE} <= kinds


def test_executor_keys_mention_only_known_slack_ids() -> None:
    nudges = [a for a in planned_actions() if a.template == "slack/escalate.j2"]
    assert nudges
    for action in nudges:
        data = with_executor_keys(action)
        assert set(data["mentions"]) <= set(SLACK_IDS.values())
        assert len(data["mentions"]) + len(data["people"]) == len(action.audience)


__all__ = ["example_context", "examples", "planned_actions", "with_executor_keys"]
