"""``escalation-agent status`` after real runs: escalations, due items, limits; reads only."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.commands.status_command import format_age
from tests.scenarios import test_clock_rule as support
from tests.scenarios import test_ds_pack as ds
from tests.scenarios.support import Site
from tests.support.sandbox import SandboxHandle


@pytest.mark.parametrize(
    ("age", "shown"),
    [
        (timedelta(seconds=59), "0m"),
        (timedelta(minutes=7), "7m"),
        (timedelta(hours=2, minutes=5), "2h 05m"),
        (timedelta(days=3, hours=4, minutes=59), "3d 4h"),
    ],
)
def test_ages_are_short(age: timedelta, shown: str) -> None:
    assert format_age(age) == shown


def status(site: Site, rules: str, *args: str) -> tuple[int, str]:
    result = site.cli(["status", "--no-color", *args], rules)
    return result.returncode, result.stdout + result.stderr


def status_json(site: Site, rules: str, *args: str) -> dict[str, Any]:
    code, out = status(site, rules, "--json", *args)
    assert code == 0, out
    return dict(json.loads(out))


@pytest.mark.slow
def test_status_shows_severity_owner_age_and_the_next_due_item(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = support.seed(sandbox, tmp_path)
    early = support.START + timedelta(minutes=1)
    site.at(early)
    assert site.run_once(early, support.RULES).returncode == 0
    sandbox.clear_requests()
    state_file = tmp_path / "state.db"
    before = state_file.stat().st_mtime_ns

    at = support.START + timedelta(minutes=5)
    body = status_json(site, support.RULES, "--now", at.isoformat())
    (row,) = body["escalations"]
    assert row["issue"] == "SUP-1" and row["policy"] == "support-p1-p4"
    assert row["severity"] == "P1" and row["owner"] == "Alice Assignee"
    assert row["age_seconds"] == 5 * 60 and row["held"] is None
    # the earliest obligation not yet met: the report still lacks its evidence
    assert row["next_due"]["rule"] == "intake_missing_fields"
    assert row["next_due"]["overdue"] is True
    assert [(o["rule"], o["due"], o["overdue"]) for o in row["obligations"]] == [
        ("intake_missing_fields", "2026-11-23T11:00:00+01:00", True),
        ("ack_overdue", "2026-11-23T11:15:00+01:00", False),
        ("update_overdue", "2026-11-23T11:30:00+01:00", False),
    ]

    code, text = status(site, support.RULES, "--now", at.isoformat())
    assert code == 0, text
    assert "1 active escalation(s)" in text
    assert "SUP-1" in text and "Alice Assignee" in text and "5m" in text

    late = support.START + timedelta(minutes=20)
    overdue = status_json(site, support.RULES, "--now", late.isoformat())["escalations"][0]
    assert "ack_overdue:ack" in overdue["overdue"]
    code, text = status(site, support.RULES, "--now", late.isoformat())
    assert code == 0, text
    assert "ack_overdue:ack" in text.split("Overdue", 1)[1]

    assert sandbox.requests_log() == []  # no call to Jira, Confluence or Slack
    assert state_file.stat().st_mtime_ns == before  # and nothing written


@pytest.mark.slow
def test_status_shows_limit_use_and_who_is_held_in_order(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = ds.seed(sandbox, tmp_path)
    now = ds.START + timedelta(minutes=10)
    site.at(now)
    assert site.run_once(now, ds.RULES).returncode == 0

    body = status_json(site, ds.RULES, "--now", now.isoformat())
    assert [e["issue"] for e in body["escalations"]] == ["DS-1", "DS-2", "DS-3", "DS-4"]
    held = {e["issue"]: e["held"] for e in body["escalations"]}
    assert held == {"DS-1": None, "DS-2": None, "DS-3": None, "DS-4": "limit_daily"}
    (limits,) = body["limits"]
    assert limits["policy"] == "ds-ticket-escalation"
    assert (limits["today"], limits["daily_max"]) == (3, 3)
    assert limits["active"] == 3 and limits["held"] == ["DS-4"]
    assert body["problems"] == []

    code, text = status(site, ds.RULES, "--now", now.isoformat())
    assert code == 0, text
    assert "4 active escalation(s)" in text and "held: limit_daily" in text
    assert "3/3" in text and "DS-4" in text


@pytest.mark.slow
def test_status_of_an_empty_store_creates_nothing(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = Site(sandbox, tmp_path)
    code, text = status(site, ds.RULES)
    assert code == 0, text
    assert "0 active escalation(s)" in text
    assert not (tmp_path / "state.db").exists()
    body = status_json(site, ds.RULES)
    assert body["escalations"] == [] and body["lease"] is None
    assert body["limits"][0]["held"] == [] and body["limits"][0]["today"] == 0
