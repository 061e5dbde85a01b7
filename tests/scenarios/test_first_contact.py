"""First contact with a site that has history, through the sandbox and the real CLI.

A critical incident resolved a year before the agent first ran gets nothing: no
log rows, no summary page, no link, no nudge. An incident left open for days
gets its alert and one nudge per rule, never the escalation chain. ``plan``
says how many tickets are history and how to include them; ``backfill`` plans
their paperwork, writes it only with ``--yes``, and only once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import Site, build_site
from tests.support.sandbox import SandboxHandle

FIRST_RUN = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Kyiv
YEAR_AGO = FIRST_RUN - timedelta(days=365)
RULES = "incident-critical.yaml"
DEV = "dev@sandbox.example"
CTO = "oleh@sandbox.example"


def _incident(site: Site, summary: str, dev: str, manager: str) -> str:
    created = jira.create_issue(
        site.ctx,
        {
            "project": {"key": "INC"},
            "summary": summary,
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Highest"},
            "assignee": {"accountId": dev},
            "Account Manager": {"accountId": manager},
        },
        "mia@sandbox.example",
    )
    return str(created["key"])


def _site(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = build_site(sandbox, tmp_path, YEAR_AGO, ["INC"])
    dev = site.person("Dana Developer", DEV)
    manager = site.person("Mia Manager", "mia@sandbox.example")
    site.person("Oleh CTO", CTO)
    site.person("Pat PMO", "pmo@sandbox.example")
    confluence.create_space(site.ctx, "INC", "Incidents")
    slack.create_channel(site.ctx, "inc-project")
    old = _incident(site, "Checkout returned 500", dev, manager)
    jira.edit_issue(site.ctx, old, {"Root Cause": "A bad release"}, DEV)
    site.at(YEAR_AGO + timedelta(hours=2))
    jira.transition(site.ctx, old, "Done", DEV)
    site.at(FIRST_RUN - timedelta(days=3))
    _incident(site, "Search is slow", dev, manager)
    site.at(FIRST_RUN)
    return site


def _agent_message_keys(site: Site) -> list[str]:
    """The idempotency keys of every Slack message the agent posted, replies included."""
    keys = []
    for channel in slack.all_channels(site.ctx):
        for message in slack.channel_messages(site.ctx, str(channel["id"])):
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key"):
                keys.append(str(payload["key"]))
    return keys


def _ticket_writes(site: Site, issue: str) -> list[dict[str, object]]:
    return [w for w in site.writes() if issue in str(w.get("path"))]


@pytest.mark.slow
def test_history_is_left_alone_and_lateness_gets_one_nudge(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = _site(sandbox, tmp_path)

    preview = site.cli(["plan", "--now", FIRST_RUN.isoformat()], RULES)
    assert preview.returncode == 0, preview.stdout + preview.stderr
    said = " ".join(preview.stdout.split())
    assert "1 ticket(s) resolved before the agent first ran this policy" in said
    assert "escalation-agent backfill --since YYYY-MM-DD --policy incident-critical" in said
    assert "INC-1" not in preview.stdout

    site.sandbox.clear_requests()
    first = site.run_once(FIRST_RUN, RULES)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "left alone as history" in " ".join(first.stdout.split())
    assert _ticket_writes(site, "INC-1") == []
    assert confluence.find_page(site.ctx, "INC", "Projects Incident Log") is None
    assert _ticket_writes(site, "INC-2") != []  # the open incident is handled

    nudged = _agent_message_keys(site)
    assert any(k.startswith("update_overdue:INC-2:update@") for k in nudged)
    # hours later the open incident is still overdue: no repeats, no chain to the CTO
    for hours in (1, 3):
        later = FIRST_RUN + timedelta(hours=hours)
        site.at(later)
        again = site.run_once(later, RULES)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "left alone as history" not in again.stdout
    keys = _agent_message_keys(site)
    assert [k for k in keys if ":step" in k or ":repeat@" in k] == []
    assert len([k for k in keys if k.startswith("update_overdue:")]) == len(
        [k for k in nudged if k.startswith("update_overdue:")]
    )
    assert _ticket_writes(site, "INC-1") == []


@pytest.mark.slow
def test_backfill_shows_the_count_and_writes_only_with_yes_and_once(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = _site(sandbox, tmp_path)
    assert site.run_once(FIRST_RUN, RULES).returncode == 0
    since = (YEAR_AGO - timedelta(days=1)).date().isoformat()
    now = (FIRST_RUN + timedelta(minutes=5)).isoformat()

    site.sandbox.clear_requests()
    dry = site.cli(["backfill", "--since", since, "--now", now], RULES)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    said = " ".join(dry.stdout.split())
    assert "incident-critical: 1 ticket(s) resolved between" in said
    assert "nothing was written. Run again with --yes" in said
    assert site.writes() == []

    wrote = site.cli(["backfill", "--since", since, "--now", now, "--yes"], RULES)
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    for title in ("INC Incident Log", "Projects Incident Log"):
        page = confluence.find_page(site.ctx, "INC", title)
        assert page is not None, title
        assert "INC-1" in confluence.page_body(site.ctx, page["id"])
    summary = confluence.find_page(site.ctx, "INC", "Incident summary INC-1: Checkout returned 500")
    assert summary is not None
    assert "A bad release" in confluence.page_body(site.ctx, summary["id"])
    links = [w for w in site.writes() if "remotelink" in str(w.get("path"))]
    assert len(links) == 1
    assert not [w for w in site.writes() if "chat.postMessage" in str(w.get("path"))]

    site.sandbox.clear_requests()
    twice = site.cli(["backfill", "--since", since, "--now", now, "--yes"], RULES)
    assert twice.returncode == 0, twice.stdout + twice.stderr
    assert site.writes() == []
    later = FIRST_RUN + timedelta(minutes=10)
    site.at(later)
    assert site.run_once(later, RULES).returncode == 0
    assert _ticket_writes(site, "INC-1") == []


def test_backfill_names_an_unknown_policy(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = build_site(sandbox, tmp_path, FIRST_RUN, ["INC"])
    done = site.cli(["backfill", "--since", "2026-01-01", "--policy", "nope"], RULES)
    assert done.returncode == 2
    assert "--policy nope: no such policy; loaded: incident-critical" in done.stdout
    bad = site.cli(["backfill", "--since", "last year"], RULES)
    assert bad.returncode == 2
    assert "is not a date" in bad.stdout
