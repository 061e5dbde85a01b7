"""The pure parts of the paperwork: page + link pairs, refresh keys, facts, post-mortem status."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from agent.adapters.confluence_status import StatusReadError, status_title
from agent.core.actions import ActionKind
from agent.core.model import Change, FieldChange, Ticket
from agent.core.planner import plan
from agent.core.rules.pages import fields_digest
from agent.core.state import EngineState
from tests.unit.factories import ALICE, RITA, comment, policy, resolved, ticket, utc

MONDAY = utc(2026, 3, 2, 8, 0)
HEADER = """
name: sup
description: sup
select: {projects: [T]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: Europe/Malta
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
"""
BODY = """
rules:
  - rule: incident_summary
    space: SUP
    title: "Incident summary {key}: {summary}"
    fields: [Root Cause]
  - rule: incident_log
    space: SUP
    pages: ["{project} log"]
    fields: [Root Cause]
  - rule: postmortem_due
    within: 48h
    fields: [Service Credits, Root Cause]
    space: SUP
    notify: [jira]
    done_status: [DONE, Approved]
"""


def _done(**fields: object) -> Ticket:
    t = ticket(
        created=MONDAY,
        fields={"Severity": "P1", **fields},
        comments=(comment(ALICE, MONDAY + timedelta(minutes=7), "On it"),),
    )
    return resolved(t, MONDAY + timedelta(hours=3))


def test_every_page_is_followed_by_its_link_which_names_it() -> None:
    p = policy(BODY, HEADER)
    result = plan([_done()], EngineState(), MONDAY + timedelta(hours=3, minutes=1), [p])
    kinds = [(a.rule, a.kind) for a in result.actions]
    for rule in ("incident_summary", "postmortem_due"):
        at = kinds.index((rule, ActionKind.CONFLUENCE_PAGE))
        assert kinds[at + 1] == (rule, ActionKind.JIRA_REMOTE_LINK)
        page, link = result.actions[at], result.actions[at + 1]
        assert link.context["link_from_ref"] == page.key
        assert link.key == page.key.split("#")[0] + ":link"
        assert link.context["link_title"] == page.context["title"]


def test_the_page_key_changes_only_when_its_fields_do() -> None:
    p = policy(BODY, HEADER)
    now = MONDAY + timedelta(hours=4)

    def page_keys(t: Ticket) -> dict[str, str]:
        actions = plan([t], EngineState(), now, [p]).actions
        return {a.rule: a.key for a in actions if a.kind is ActionKind.CONFLUENCE_PAGE}

    empty, same, filled = (
        page_keys(_done()),
        page_keys(_done()),
        page_keys(_done(**{"Root Cause": "dns"})),
    )
    assert empty == same
    assert empty["incident_summary"] != filled["incident_summary"]
    assert empty["incident_summary"].split("#")[0] == filled["incident_summary"].split("#")[0]
    assert fields_digest({"a": 1, "b": None}) == fields_digest({"b": None, "a": 1})


def test_the_page_context_has_the_facts_the_templates_show() -> None:
    t = replace(
        _done(**{"Root Cause": "dns"}),
        description="Payments failed for EU customers.",
        changelog=(
            Change(
                RITA, MONDAY + timedelta(minutes=30), (FieldChange("status", "To Do", "Doing"),)
            ),
        ),
    )
    actions = plan([t], EngineState(), MONDAY + timedelta(hours=4), [policy(BODY, HEADER)]).actions
    (summary,) = [a for a in actions if a.rule == "incident_summary" and a.template]
    data = summary.context
    assert data["description"] == "Payments failed for EU customers."
    assert data["changes"] == [
        {
            "at": "2026-03-02T08:30Z",
            "who": RITA.display_name,
            "field": "status",
            "from": "To Do",
            "to": "Doing",
        }
    ]
    assert data["time_to_acknowledge"] == "7m"
    assert data["timezone"] == "Europe/Malta"
    assert data["facts"] == ["Root Cause"]
    (row,) = [a for a in actions if a.kind is ActionKind.CONFLUENCE_LOG_ROW]
    assert row.context["summary_page_title"] == f"Incident summary {t.key}: {t.summary}"
    assert row.context["columns"][0] == "Date" and len(row.context["columns"]) == 9
    (page,) = [a for a in actions if a.rule == "postmortem_due" and a.template]
    assert page.context["postmortem_due"] == "2026-03-04T11:00Z"


@pytest.mark.parametrize(
    ("status", "nudged"), [(None, True), ("DRAFT", True), ("DONE", False), ("APPROVED", False)]
)
def test_the_postmortem_obligation_is_met_by_the_page_status(
    status: str | None, nudged: bool
) -> None:
    p = policy(BODY, HEADER)
    late = MONDAY + timedelta(hours=52)
    pages = {"T-1": {"postmortem_due": status}} if status else None
    result = plan([_done()], EngineState(), late, [p], pages=pages)
    asks = [
        a
        for a in result.actions
        if a.rule == "postmortem_due" and a.template == "jira/ask_fields.j2"
    ]
    assert bool(asks) is nudged


def test_a_page_set_done_closes_the_open_postmortem_thread() -> None:
    p = policy(BODY, HEADER)
    late = MONDAY + timedelta(hours=52)
    first = plan([_done()], EngineState(), late, [p])
    state = first.state.with_done(a.key for a in first.actions)
    assert any(item.startswith("postmortem_due") for item in state.ticket("T-1").open_items)  # type: ignore[union-attr]
    later = plan(
        [_done()], state, late + timedelta(hours=1), [p], pages={"T-1": {"postmortem_due": "DONE"}}
    )
    (done,) = [a for a in later.actions if a.kind is ActionKind.SLACK_THREAD_DONE]
    assert done.key.endswith(":done")
    assert later.state.ticket("T-1").open_items == {}  # type: ignore[union-attr]


def test_status_title_reads_the_first_status_macro() -> None:
    def lozenge(title: str) -> str:
        return (
            '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green'
            f'</ac:parameter><ac:parameter ac:name="title">{title}</ac:parameter>'
            "</ac:structured-macro>"
        )

    assert status_title(f"<p>Status: {lozenge('DRAFT')}</p>") == "DRAFT"
    assert status_title(f"<p>{lozenge(' done ')}</p><p>{lozenge('DRAFT')}</p>") == "DONE"
    assert status_title(f"<p>{lozenge('D&#79;NE')}</p>") == "DONE"  # as it displays
    assert status_title("<p>DONE, no macro</p>") is None
    assert status_title(f"<p>{lozenge('')}</p>") is None
    with pytest.raises(StatusReadError, match="not well-formed"):
        status_title("<p>broken")


def test_written_paperwork_is_not_worked_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolved ticket is planned every cycle until pruned: once its pages, rows and
    links are written, the pages' contents (timeline, changelog...) are not rebuilt."""
    p = policy(BODY, HEADER)
    first = plan([_done()], EngineState(), MONDAY + timedelta(hours=3, minutes=1), [p])
    assert {a.kind for a in first.actions} >= {
        ActionKind.CONFLUENCE_PAGE,
        ActionKind.CONFLUENCE_LOG_ROW,
        ActionKind.JIRA_REMOTE_LINK,
    }
    state = first.state.with_done(a.key for a in first.actions)

    def not_again(*_: object) -> object:
        raise AssertionError("the page contents were worked out for written paperwork")

    monkeypatch.setattr("agent.core.rules.pages.record", not_again)
    monkeypatch.setattr("agent.core.rules.paperwork.record", not_again)
    monkeypatch.setattr("agent.core.rules.closure.record", not_again)
    later = plan([_done()], state, MONDAY + timedelta(hours=3, minutes=2), [p])
    assert later.actions == ()
    # a new fact still refreshes the page, and only then are its contents worked out
    monkeypatch.undo()
    refreshed = plan(
        [_done(**{"Root Cause": "bad config"})], state, MONDAY + timedelta(hours=3, minutes=3), [p]
    )
    assert [a.rule for a in refreshed.actions if a.kind is ActionKind.CONFLUENCE_PAGE] == [
        "incident_summary",
        "postmortem_due",
    ]
