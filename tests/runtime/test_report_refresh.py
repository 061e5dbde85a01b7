"""Pages drafted at resolution are refreshed when their fields are filled later, never over a
person's edit.

Against the sandbox over HTTP with the real clients: the response report is
drafted with empty fields; filling the root cause rewrites it (the agent's own
version is current); once a person has saved it, a further change is not
written and the cycle reports once which facts were left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.adapters.confluence_port import AGENT_PROPERTY
from agent.sandbox.confluence import content as confluence
from agent.sandbox.confluence import metadata
from agent.sandbox.jira import seeding as jira
from tests.runtime.paperwork_site import DEV, PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

REPORT = "Response report PAP-1"


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path)


def _version(site: PaperSite, title: str) -> int:
    page = confluence.get_page(site.ctx, site.page(title)["id"])
    assert page is not None
    return int(page["version"]["number"])


def _marker_version(site: PaperSite, title: str) -> object:
    prop = metadata.get_property(site.ctx, site.page(title)["id"], AGENT_PROPERTY)
    assert prop is not None
    return prop["value"].get("version")


def test_filled_fields_refresh_the_agents_own_page(site: PaperSite) -> None:
    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    assert "To be completed" in site.body(REPORT) and _version(site, REPORT) == 1

    site.sandbox.clear_requests()
    assert site.cycle(later(hours=2)).ok
    assert site.writes() == []  # nothing changed, nothing planned

    site.sandbox.set_clock(later(hours=3), frozen=True)
    jira.edit_issue(site.ctx, key, {"Root Cause": "An expired certificate"}, DEV)
    report = site.cycle(later(hours=3, minutes=1))
    assert report.ok, report.failures
    assert "An expired certificate" in site.body(REPORT)
    assert _version(site, REPORT) == 2 and _marker_version(site, REPORT) == 2
    # the summary page (same mechanism) follows; one page each, one link each
    assert "An expired certificate" in site.body("Incident summary PAP-1: Checkout returns 500")
    assert sorted(p["title"] for p in confluence.pages(site.ctx)) == [
        "Incident summary PAP-1: Checkout returns 500",
        "PAP Incident Log",
        "Paperwork Home",
        "Post-mortem PAP-1: Checkout returns 500",
        REPORT,
    ]
    assert len(site.remote_links(key)) == 3
    assert report.problems == []


def test_a_page_a_person_edited_is_left_alone_and_reported_once(site: PaperSite) -> None:
    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    site.sandbox.set_clock(later(hours=2), frozen=True)
    edited = site.body(REPORT).replace("<h2>Exposure and impacts</h2>", "<h2>Impact (Lee)</h2>")
    site.edit_page(REPORT, edited)

    site.sandbox.set_clock(later(hours=3), frozen=True)
    jira.edit_issue(site.ctx, key, {"Root Cause": "DNS", "Impact": "EU card payments"}, DEV)
    report = site.cycle(later(hours=3, minutes=1))
    assert report.ok, report.failures
    assert site.body(REPORT) == edited
    (problem,) = [p for p in report.problems if REPORT in p]
    assert "edited by a person" in problem
    assert "Root Cause, Impact" in problem and key in problem

    again = site.cycle(later(hours=3, minutes=5))
    assert again.ok and not [p for p in again.problems if REPORT in p]
    assert site.body(REPORT) == edited


def test_a_page_a_person_deleted_is_written_again_on_the_next_change(site: PaperSite) -> None:
    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    confluence.trash_page(site.ctx, site.page(REPORT)["id"])
    site.sandbox.set_clock(later(hours=2), frozen=True)
    jira.edit_issue(site.ctx, key, {"Root Cause": "DNS"}, DEV)
    report = site.cycle(later(hours=2, minutes=1))
    assert report.ok, report.failures
    assert "DNS" in site.body(REPORT)
