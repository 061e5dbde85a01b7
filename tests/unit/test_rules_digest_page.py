"""The weekly_digest rule with a page: planned keys, order, titles, empty weeks, old behaviour."""

from __future__ import annotations

from datetime import timedelta

import pytest

import agent.core.rules.digest as digest_rule
from agent.core.actions import ActionKind, PlannedAction
from agent.core.rules.digest import weekly_digest
from agent.policy.calendars import calendar_for
from agent.policy.rule_models import WeeklyDigest
from tests.unit.factories import Runner, policy, resolved, spec_of, ticket, utc

MONDAY = utc(2026, 3, 2, 9, 0)
FRIDAY_SLOT = utc(2026, 3, 6, 15, 0)
WITH_PAGE = """
channels: {project: '#status'}
severity:
  levels: [high, low]
  priority: {High: high, Low: low}
rules:
  - rule: weekly_digest
    weekday: fri
    at: "15:00"
    space: OPS
    parent: Digests
"""
WITHOUT_PAGE = """
channels: {project: '#status'}
rules:
  - rule: weekly_digest
    weekday: fri
    at: "15:00"
"""


def test_page_then_announcement_with_stable_keys_and_title() -> None:
    runner = Runner([policy(WITH_PAGE)])
    open_one = ticket("T-1", created=MONDAY, priority="High")
    closed = resolved(ticket("T-2", created=MONDAY, priority="Low"), MONDAY + timedelta(hours=5))
    runner.cycle([open_one, closed], MONDAY + timedelta(hours=6))
    result = runner.cycle([open_one, closed], FRIDAY_SLOT + timedelta(minutes=2))
    page, post = [a for a in result.actions if a.rule == "weekly_digest"]
    assert (page.kind, post.kind) == (ActionKind.CONFLUENCE_PAGE, ActionKind.SLACK_POST)
    assert page.key == "weekly_digest:test:page@2026-03-06T15:00Z" and page.issue is None
    assert page.template == "confluence/weekly_digest.xml.j2"
    assert page.context["title"] == "Weekly escalation digest test 2026-W10"
    assert (page.context["space"], page.context["parent"]) == ("OPS", "Digests")
    stats = page.context["stats"]
    assert (stats["opened"], stats["open"], stats["closed"]) == (2, 1, 1)
    assert [t["issue"] for t in page.context["tickets"]] == ["T-1"]
    assert spec_of(post) == "#status"
    assert post.context["page"] == {"key": page.key, "title": page.context["title"], "space": "OPS"}
    assert post.context["stats"] == {
        "week": "2026-W10",
        "opened": 2,
        "open": 1,
        "closed": 1,
        "breach_total": 0,
    }
    again = runner.cycle([open_one, closed], FRIDAY_SLOT + timedelta(hours=2))
    assert [a for a in again.actions if a.rule == "weekly_digest"] == []


def test_a_week_without_open_tickets_still_gets_its_page_when_configured() -> None:
    closed = resolved(ticket("T-2", created=MONDAY), MONDAY + timedelta(hours=5))
    with_page = Runner([policy(WITH_PAGE)])
    with_page.cycle([closed], MONDAY + timedelta(hours=6))
    planned = with_page.cycle([closed], FRIDAY_SLOT).actions
    assert [a.kind for a in planned] == [ActionKind.CONFLUENCE_PAGE, ActionKind.SLACK_POST]
    assert planned[0].context["stats"]["closed"] == 1
    without = Runner([policy(WITHOUT_PAGE)])
    without.cycle([closed], MONDAY + timedelta(hours=6))
    assert without.cycle([closed], FRIDAY_SLOT).actions == ()


def test_without_space_the_digest_is_the_message_alone() -> None:
    runner = Runner([policy(WITHOUT_PAGE)])
    (post,) = runner.cycle([ticket("T-1", created=MONDAY)], FRIDAY_SLOT).actions
    assert post.kind == ActionKind.SLACK_POST and "page" not in post.context
    assert post.key == "weekly_digest:test:2026-03-06T15:00Z##status"


def test_a_late_cycle_skips_a_stale_week() -> None:
    runner = Runner([policy(WITH_PAGE)])
    late = runner.cycle([ticket("T-1", created=MONDAY)], FRIDAY_SLOT + timedelta(days=1, hours=1))
    assert late.actions == ()


def test_what_was_carried_out_is_not_built_and_the_rest_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every cycle of the day after the slot asks again: a done page is not rebuilt, the
    message still announces it with the same numbers, and once both are done the
    ledger is not read at all."""
    chosen = policy(WITH_PAGE)
    open_one = ticket("T-1", created=MONDAY, priority="High")
    runner = Runner([chosen])
    runner.cycle([open_one], MONDAY + timedelta(hours=6))
    incidents = runner.state.incidents

    def digest(done: frozenset[str]) -> list[PlannedAction]:
        rule = next(r for r in chosen.rules if isinstance(r, WeeklyDigest))
        return weekly_digest(
            chosen,
            rule,
            tickets=[open_one],
            now=FRIDAY_SLOT + timedelta(minutes=5),
            calendar=calendar_for(chosen),
            severities={"T-1": "high"},
            incidents=incidents,
            done_keys=done,
        )

    page, post = digest(frozenset())
    (announced,) = digest(frozenset({page.key}))
    assert announced == post and announced.context["stats"]["open"] == 1
    monkeypatch.setattr(digest_rule, "digest_stats", lambda *a, **k: pytest.fail("ledger read"))
    assert digest(frozenset({page.key, post.key})) == []
