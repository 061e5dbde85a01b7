"""Critical incident (INC pack) end to end: the alert, then the paperwork on resolution.

Resolving the ticket adds one row to the project's and the global incident log
and writes the incident summary page, each once: a repeated cycle writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios.support import build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 10:00 in Kyiv
RULES = "incident-critical.yaml"
DEV = "dev@sandbox.example"


@pytest.mark.slow
def test_resolution_logs_once_and_writes_the_summary(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = build_site(sandbox, tmp_path, START, ["INC"])
    dev = site.person("Dana Developer", DEV)
    manager = site.person("Mia Manager", "mia@sandbox.example")
    for name, email in [("Oleh CTO", "oleh@sandbox.example"), ("Pat PMO", "pmo@sandbox.example")]:
        site.person(name, email)
    confluence.create_space(site.ctx, "INC", "Incidents")
    project_channel = slack.create_channel(site.ctx, "inc-project")
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "INC"},
            "summary": "Checkout returns 500",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Highest"},
            "assignee": {"accountId": dev},
            "Account Manager": {"accountId": manager},
        },
        "mia@sandbox.example",
    )
    early = START + timedelta(minutes=1)
    site.at(early)
    alert = site.run_once(early, RULES)
    assert alert.returncode == 0, alert.stdout + alert.stderr
    (tagged,) = [m for m in site.messages(project_channel["id"]) if m.get("metadata")]
    assert f"<@{site.slack_id(DEV)}>" in tagged["text"]

    resolved_at = START + timedelta(minutes=20)
    site.at(resolved_at)
    jira.add_comment(site.ctx, "INC-1", "Rolled back the release; checkout works.", DEV)
    jira.edit_issue(
        site.ctx,
        "INC-1",
        {"Root Cause": "A bad release", "Resolution Details": "Rolled back"},
        DEV,
    )
    jira.transition(site.ctx, "INC-1", "Done", DEV)
    after = resolved_at + timedelta(minutes=1)
    site.at(after)
    closing = site.run_once(after, RULES)
    assert closing.returncode == 0, closing.stdout + closing.stderr

    for title in ("INC Incident Log", "Projects Incident Log"):
        page = confluence.find_page(site.ctx, "INC", title)
        assert page is not None, title
        assert confluence.page_body(site.ctx, page["id"]).count("INC-1") >= 1
    summary = confluence.find_page(site.ctx, "INC", "Incident summary INC-1: Checkout returns 500")
    assert summary is not None
    parent = confluence.find_page(site.ctx, "INC", "Incident summaries")  # not the space root
    assert parent is not None and summary["parentId"] == parent["id"]
    assert "A bad release" in confluence.page_body(site.ctx, summary["id"])
    bodies = {
        t: confluence.page_body(site.ctx, confluence.find_page(site.ctx, "INC", t)["id"])
        for t in ("INC Incident Log", "Projects Incident Log")
    }

    site.sandbox.clear_requests()
    again = site.run_once(after + timedelta(minutes=5), RULES)
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.writes() == []
    for title, body in bodies.items():
        page = confluence.find_page(site.ctx, "INC", title)
        assert page is not None and confluence.page_body(site.ctx, page["id"]) == body
