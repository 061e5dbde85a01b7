"""The five shipped packs load and plan sensible actions for small hand-built tickets."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agent.core.actions import ActionKind
from agent.core.destinations import Channel, IncidentThread
from agent.core.model import Person
from agent.core.rules.catalogue import CATALOGUE
from agent.core.slack_reports import incident_thread
from agent.policy import Policy, load_policies
from agent.policy.rule_models import RULE_NAMES
from tests.unit.factories import (
    ALICE,
    CARL,
    IVAN,
    PAM,
    RITA,
    Runner,
    comment,
    of_kind,
    resolved,
    spec_of,
    ticket,
    utc,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
SEEDS = {
    "incident-critical": "000_",
    "ps-customer-escalation": "001_",
    "support-p1-p4": "002_",
    "ds-ticket-escalation": "003_",
    "client-communication": "004_",
}


@pytest.fixture(scope="module")
def packs() -> dict[str, Policy]:
    return {p.name: p for p in load_policies(RULES_DIR)}


def test_all_five_packs_load_and_name_their_seed(packs: dict[str, Policy]) -> None:
    assert set(packs) == set(SEEDS)
    for name, prefix in SEEDS.items():
        text = (RULES_DIR / f"{name}.yaml").read_text()
        header = " ".join(line.lstrip("# ") for line in text.splitlines()[:2])
        assert header.startswith("Procedure: ")
        assert f"(seed file {prefix}" in header
        assert "/" not in header.split("(seed file", 1)[1]  # a file name, never a path
        assert "Not enforceable by a tool" in text


def test_every_rule_has_a_handler() -> None:
    handled = {kind.name for kind in CATALOGUE if kind.handler is not None}
    policy_level = {kind.name for kind in CATALOGUE if not kind.per_ticket}
    assert set(RULE_NAMES) == handled | policy_level


def test_fields_the_packs_need_are_the_agreed_ones(packs: dict[str, Policy]) -> None:
    agreed = {
        "Escalation Reason",
        "Escalation Contact",
        "Initiator",
        "Crew Lead",
        "Impact Level",
        "Summary of Findings",
        "Root Cause",
        "Severity",
        "Product Impacted",
        "Impact",
        "Time of Occurrence",
        "Service Credits",
        "Escalation Sev",
        "Escalation Severity Level",
        "DRI",
        "Customer Impact",
        "Customer Sign-off",
        "Account Manager",
        "Project Manager",
        "Resolution Details",
        "Prevention",
    }
    for policy in packs.values():
        assert set(policy.required_fields()) <= agreed, policy.name


def test_incident_critical_flow(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["incident-critical"]])
    start = utc(2026, 3, 2, 8, 0)  # Monday 10:00 in Kyiv
    t = ticket("INC-7", created=start, fields={"Account Manager": PAM})
    first = runner.cycle([t], start + timedelta(minutes=1))
    (alert,) = first.actions
    assert spec_of(alert) == "#inc-project"
    assert [r.role for r in alert.audience] == ["developer", "cto", "account_manager"]
    estimate = runner.cycle([t], start + timedelta(minutes=15))
    assert {a.rule for a in estimate.actions} == {"estimate_missing"}
    thirty = runner.cycle([t], start + timedelta(minutes=30))
    assert {a.rule for a in thirty.actions} == {"progress_overdue", "update_overdue"}
    hour = runner.cycle([t], start + timedelta(hours=1))
    assert "call_needed" in {a.rule for a in hour.actions}
    call = next(a for a in hour.actions if a.rule == "call_needed" and spec_of(a) == "#inc-project")
    assert call.context["participants"] == ["Alice Assignee", "oleh@sandbox.example", "Pam PM"]
    done = resolved(
        t, start + timedelta(hours=2), fields={"Account Manager": PAM, "Root Cause": "bad config"}
    )
    closing = runner.cycle([done], start + timedelta(hours=2, minutes=1))
    kinds = {a.kind for a in closing.actions}
    assert {ActionKind.CONFLUENCE_LOG_ROW, ActionKind.CONFLUENCE_PAGE} <= kinds
    assert len(of_kind(closing, ActionKind.CONFLUENCE_LOG_ROW)) == 2
    assert any(a.rule == "pmo_notify" for a in closing.actions)
    assert any(a.rule == "closure_missing_fields" for a in closing.actions)


def test_incident_critical_at_the_weekend_pages_the_leads(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["incident-critical"]])
    saturday = utc(2026, 3, 7, 20, 0)
    result = runner.cycle([ticket("INC-8", created=saturday)], saturday + timedelta(minutes=1))
    channels = {spec_of(a) for a in result.actions}
    assert channels == {
        "dm:oleh@sandbox.example",
        "dm:alex@sandbox.example",
        "dm:sophia@sandbox.example",
    }
    assert not any(spec_of(a) == "#inc-project" for a in result.actions)
    assert any("Account Manager" in p.message for p in result.problems)
    # one message each (the page), not the alert as a second DM in the same minute
    assert sorted(a.template or "" for a in result.actions) == ["slack/page.j2"] * 3
    monday = utc(2026, 3, 9, 7, 0)  # 09:00 in Kyiv: the alert is posted in the channel
    opening = runner.cycle([ticket("INC-8", created=saturday)], monday)
    assert [spec_of(a) for a in opening.actions if a.rule == "escalation_alert"] == ["#inc-project"]


def test_ps_sev1_flow(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ps-customer-escalation"]])
    start = utc(2026, 3, 2, 15, 0)  # Monday 10:00 in New York
    t = ticket("PS-3", created=start, labels=frozenset({"sev1"}), fields={"DRI": PAM})
    first = runner.cycle([t], start + timedelta(minutes=1))
    assert [a.kind for a in first.actions] == [ActionKind.SLACK_POST, ActionKind.SLACK_PIN]
    assert spec_of(first.actions[0]) == "#ps-project-leadership"
    setup = runner.cycle([t], start + timedelta(hours=24))
    asks = [a for a in setup.actions if a.rule == "sev1_setup_missing"]
    assert asks and asks[0].context["missing"] == [
        "Escalation Severity Level",
        "milestones (sub-tasks)",
    ]
    daily = runner.cycle([t], utc(2026, 3, 3, 23, 0))  # 18:00 New York, past 17:00 + 1h grace
    assert any(a.rule == "sev1_daily_update" for a in daily.actions) is False  # after hours
    morning = runner.cycle([t], utc(2026, 3, 4, 14, 0))
    assert any(a.rule == "sev1_daily_update" for a in morning.actions)
    closed = resolved(t, utc(2026, 3, 4, 16, 0))
    end = runner.cycle([closed], utc(2026, 3, 4, 16, 1))
    assert {a.rule for a in end.actions} >= {
        "closure_missing_fields",
        "lessons_learned",
        "escalation_alert",
    }
    assert of_kind(end, ActionKind.SLACK_UNPIN)


def test_ps_sev2_with_customer_impact_is_upgraded(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ps-customer-escalation"]])
    start = utc(2026, 3, 2, 15, 0)
    t = ticket("PS-4", created=start, fields={"Escalation Sev": "Sev2", "Customer Impact": "Yes"})
    result = runner.cycle([t], start)
    assert of_kind(result, ActionKind.JIRA_SET_FIELD)[0].context["value"] == "Sev1"
    assert any(a.rule == "escalation_alert" for a in result.actions)  # treated as Sev1 now
    labelled = replace(t, key="PS-5", labels=frozenset({"sev2"}), fields={"Customer Impact": "Yes"})
    swap = Runner([packs["ps-customer-escalation"]]).cycle([labelled], start)
    assert [(a.kind, a.context["label"]) for a in swap.actions if "label" in a.context] == [
        (ActionKind.JIRA_ADD_LABEL, "sev1"),
        (ActionKind.JIRA_REMOVE_LABEL, "sev2"),
    ]


def test_support_flow(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["support-p1-p4"]])
    start = utc(2026, 3, 2, 10, 0)
    t = ticket("SUP-12", created=start, fields={"Severity": "P1", "Impact": "No bets"})
    first = runner.cycle([t], start + timedelta(minutes=1))
    ask = next(a for a in first.actions if a.rule == "intake_missing_fields")
    assert ask.context["missing"] == [
        "Product Impacted",
        "Description",
        "Time of Occurrence",
        "evidence",
    ]
    assert [r.account_id for r in ask.audience] == [RITA.account_id]
    # one shared channel: no channel of its own; its thread is opened in #operator-support
    assert of_kind(first, ActionKind.SLACK_CREATE_CHANNEL) == []
    (opened,) = of_kind(first, ActionKind.SLACK_OPEN_THREAD)
    assert opened.channel == Channel("#operator-support") and opened.issue == "SUP-12"
    assert opened.key == "slack_intake:SUP-12:thread##operator-support"
    ack = runner.cycle([t], start + timedelta(minutes=15))
    assert {a.rule for a in ack.actions} == {"ack_overdue"}
    (nudge,) = of_kind(ack, ActionKind.SLACK_POST)
    thread = incident_thread(replace(t, labels=frozenset({runner.opened["SUP-12"]})))
    assert thread is not None
    assert nudge.channel == IncidentThread(thread.channel, thread.ts)  # in the incident thread
    assert nudge.context.get("reply_in_thread") is True  # replies there count
    acked = replace(t, comments=(comment(ALICE, start + timedelta(minutes=16), "Looking"),))
    after = runner.cycle([acked], start + timedelta(minutes=17))
    assert [a.kind for a in after.actions] == [ActionKind.SLACK_THREAD_DONE]
    done = resolved(acked, start + timedelta(hours=1), fields={**t.fields, "Root Cause": "x"})
    closing = runner.cycle([done], start + timedelta(hours=1, minutes=1))
    page = of_kind(closing, ActionKind.CONFLUENCE_PAGE)[0]
    assert page.context["resolution_time"] == "1h"


def test_ds_flow(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ds-ticket-escalation"]])
    start = utc(2026, 3, 2, 14, 0)  # Monday 09:00 in New York
    fields = {
        "Escalation Reason": "Payments stuck for a key client",
        "Initiator": IVAN,
        "Escalation Contact": RITA,
        "Crew Lead": CARL,
        "Impact Level": "High",
    }
    owners = [ALICE] + [Person(f"acc-{i}", f"Eng {i}") for i in range(4)]
    tickets = [
        ticket(
            f"DS-{100 + i}",
            created=start + timedelta(minutes=i),
            priority="Medium",
            fields=fields,
            assignee=owners[i],
        )
        for i in range(4)
    ]
    low = ticket("DS-200", created=start, fields={**fields, "Impact Level": "Low"})
    result = runner.cycle([*tickets, low], start + timedelta(minutes=10))
    assert {a.issue for a in of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)} == {
        "DS-100",
        "DS-101",
        "DS-102",
    }
    held = [a for a in result.actions if a.template == "jira/held.j2"]
    assert [a.issue for a in held] == ["DS-103"]
    rejected = [a for a in result.actions if a.rule == "intake_rejected"]
    assert [a.issue for a in rejected] == ["DS-200"]
    assert not any(a.issue == "DS-200" and a.rule.startswith("clerical") for a in result.actions)
    first = [a for a in result.actions if a.issue == "DS-100"]
    assert [a.kind for a in first][:3] == [
        ActionKind.JIRA_ADD_LABEL,
        ActionKind.JIRA_SET_PRIORITY,
        ActionKind.SLACK_CREATE_CHANNEL,
    ]
    (invite,) = [a for a in first if a.kind is ActionKind.SLACK_INVITE]
    assert [person.role for person in invite.audience] == [
        "reporter",
        "initiator",
        "assignee",
        "crew_lead",
        "always_include",
        "always_include",
    ]


def test_ds_missing_reason_and_contact_asks_the_initiator(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ds-ticket-escalation"]])
    start = utc(2026, 3, 2, 14, 0)
    t = ticket("DS-5", created=start, labels=frozenset({"ESCALATION"}), fields={"Initiator": IVAN})
    result = runner.cycle([t], start + timedelta(minutes=1))
    ask = next(a for a in result.actions if a.rule == "intake_missing_fields")
    assert ask.context["missing"] == ["Escalation Reason", "Escalation Contact"]
    assert ask.audience[0].account_id == IVAN.account_id


def test_ds_escalation_naming_no_initiator_asks_the_reporter(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ds-ticket-escalation"]])
    start = utc(2026, 3, 2, 14, 0)
    t = ticket("DS-6", created=start, labels=frozenset({"ESCALATION"}))
    result = runner.cycle([t], start + timedelta(minutes=1))
    asks = [a for a in result.actions if a.rule == "intake_missing_fields"]
    assert [(a.kind, [r.role for r in a.audience]) for a in asks] == [
        (ActionKind.JIRA_COMMENT, ["reporter"]),
        (ActionKind.SLACK_POST, ["reporter"]),
    ]
    assert spec_of(asks[1]) == f"dm:{RITA.account_id}"


def test_client_communication_flow(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["client-communication"]])
    start = utc(2026, 3, 2, 9, 0)  # Monday 09:00 in London
    urgent = ticket("CLI-1", created=start, priority="Highest", fields={"Project Manager": PAM})
    first = runner.cycle([urgent], start)
    assert [a.kind for a in first.actions] == [ActionKind.JIRA_ADD_WATCHER]
    hour = runner.cycle([urgent], start + timedelta(hours=1))
    assert [a.rule for a in hour.actions] == ["update_overdue"]
    two = runner.cycle([urgent], start + timedelta(hours=2))
    assert sorted(spec_of(a) or "" for a in two.actions) == ["dm:acc-alice", "dm:acc-pam"]
    vague = replace(
        urgent,
        comments=(comment(ALICE, start + timedelta(hours=2, minutes=5), "Fix is deploying"),),
    )
    later = runner.cycle([vague], start + timedelta(hours=2, minutes=6))
    assert any(a.rule == "update_next_missing" for a in later.actions)
    # the 11:05 update is not an end-of-day one: only the two hours before 16:30 count
    same_day = runner.cycle([vague], utc(2026, 3, 2, 16, 30))
    assert any(a.rule == "eod_update_overdue" for a in same_day.actions)
    afternoon = replace(
        vague,
        comments=(*vague.comments, comment(ALICE, utc(2026, 3, 3, 15, 0), "Next update at 10")),
    )
    eod = runner.cycle([afternoon], utc(2026, 3, 3, 16, 30))
    assert [a.kind for a in eod.actions if a.rule == "eod_update_overdue"] == [
        ActionKind.SLACK_THREAD_DONE  # Monday's nudge is answered; Tuesday's slot is met
    ]
    digest = runner.cycle([afternoon], utc(2026, 3, 6, 15, 0))
    assert any(a.rule == "weekly_digest" and spec_of(a) == "#cli-status" for a in digest.actions)
    closed = resolved(
        afternoon,
        utc(2026, 3, 6, 15, 30),
        fields={"Project Manager": PAM, "Root Cause": "expired cert"},
    )
    end = runner.cycle([closed], utc(2026, 3, 6, 15, 31))
    asks = [a for a in end.actions if a.rule == "closure_missing_fields"]
    assert asks[0].context["missing"] == ["Resolution Details", "Prevention"]
    assert any(a.rule == "response_report" for a in end.actions)


def test_unknown_priority_is_not_a_crash(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["client-communication"]])
    odd = ticket(
        "CLI-9", created=utc(2026, 3, 2, 9, 0), priority="Blocker", fields={"Project Manager": PAM}
    )
    result = runner.cycle([odd], utc(2026, 3, 2, 12, 0))
    assert {a.rule for a in result.actions} == {"pm_watcher"}


def test_wrongly_typed_field_is_a_ticket_problem(packs: dict[str, Policy]) -> None:
    runner = Runner([packs["ds-ticket-escalation"]])
    start = utc(2026, 3, 2, 14, 0)
    broken = ticket(
        "DS-1",
        created=start,
        labels=frozenset({"ESCALATION"}),
        fields={"Initiator": "ivan (not a user)", "Escalation Reason": "r"},
    )
    fine = ticket(
        "DS-2",
        created=start,
        labels=frozenset({"ESCALATION"}),
        fields={"Initiator": IVAN, "Escalation Reason": "r"},
        assignee=CARL,
    )
    result = runner.cycle([broken, fine], start + timedelta(minutes=1))
    assert any(p.issue == "DS-1" and "not a user" in p.message for p in result.problems)
    assert of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)
