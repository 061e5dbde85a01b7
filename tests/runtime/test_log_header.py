"""The incident log: a new page's table has a header row; an existing table keeps its own.

Against the sandbox over HTTP with the real clients. The row carries real data:
the time to acknowledge (first human update), the root cause, and a link to the
incident summary page by title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.policy.rule_models import INCIDENT_LOG_COLUMNS
from agent.render.storage_xml import parse_storage
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from tests.runtime.paperwork_site import DEV, POLICY, SPACE, PaperSite, later, open_site
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

LOG = "PAP Incident Log"
AC = "{http://atlassian.com/content}"
RI = "{http://atlassian.com/resource/identifier}"


def _site(sandbox: SandboxHandle, tmp: Path, policy: str = POLICY) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp, policy)


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from _site(sandbox, tmp_path)


def _rows(body: str) -> list[list[str]]:
    table = parse_storage(body).find(".//table")
    assert table is not None
    return [["".join(cell.itertext()) for cell in row] for row in table.iter("tr")]


def test_a_new_log_page_gets_the_header_row_and_a_filled_row(site: PaperSite) -> None:
    key = site.incident()
    jira.add_comment(site.ctx, key, "Looking into it.", DEV)  # at START: acknowledged at once
    site.sandbox.set_clock(later(minutes=12), frozen=True)
    jira.add_comment(site.ctx, key, "Found it.", DEV)
    site.resolve(key, later(hours=2), **{"Root Cause": "A bad release"})
    report = site.cycle(later(hours=2, minutes=1))
    assert report.ok, report.failures

    body = site.body(LOG)
    header, row = _rows(body)
    assert header == list(INCIDENT_LOG_COLUMNS)
    assert row[0] == "2026-11-23 09:00 CET"  # reported, in the policy's time zone
    assert row[2:4] == ["Checkout returns 500", "P1"]
    assert row[4] == "0m"  # the first comment came with the report
    assert row[5] == "2h"
    assert row[7] == "A bad release"
    link = parse_storage(body).find(f".//{AC}link/{RI}page")
    assert link is not None
    assert link.get(f"{RI}content-title") == f"Incident summary {key}: Checkout returns 500"


def test_an_existing_table_keeps_its_header_and_every_byte(site: PaperSite) -> None:
    kept = (
        "<p>Our log &#8212; edit freely.</p>"
        "<table><tbody><tr><th><p>Issue</p></th><th><p>Date</p></th><th><p>Notes</p></th></tr>"
        "<tr><td><p>OLD-1</p></td><td><p>yesterday</p></td><td><p>by hand</p></td></tr>"
        "</tbody></table><p>Footer</p>"
    )
    confluence.create_page(site.ctx, SPACE, LOG, kept, None, AGENT_EMAIL)
    key = site.incident()
    site.resolve(key, later(hours=1), **{"Root Cause": "disk"})
    assert site.cycle(later(hours=1, minutes=1)).ok

    body = site.body(LOG)
    start = body.index("<tr><td><p>OLD-1")
    end = body.index("</tbody></table><p>Footer</p>")
    old_row_end = body.index("</tr>", start) + len("</tr>")
    # everything but the one new row is as the person left it
    assert body[:old_row_end] == kept[: kept.index("</tbody>")]
    assert body[end:] == kept[kept.index("</tbody>") :]
    rows = _rows(body)
    assert rows[0] == ["Issue", "Date", "Notes"]
    assert len(rows) == 3 and key in body[old_row_end:end]

    site.sandbox.clear_requests()
    assert site.cycle(later(hours=1, minutes=5)).ok
    assert site.body(LOG) == body  # the row is never added twice


def test_a_team_with_its_own_row_template_sets_its_own_columns(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    policy = POLICY.replace(
        "    fields: [Root Cause]\n  - rule: incident_summary",
        "    fields: [Root Cause]\n"
        "    columns: [When, Ticket, What, Sev, Ack, Fix, Who, Why, Page]\n"
        "  - rule: incident_summary",
    )
    assert "columns:" in policy
    for site in _site(sandbox, tmp_path, policy):
        key = site.incident()
        site.resolve(key, later(hours=1))
        assert site.cycle(later(hours=1, minutes=1)).ok
        header, row = _rows(site.body(LOG))
        assert header == ["When", "Ticket", "What", "Sev", "Ack", "Fix", "Who", "Why", "Page"]
        assert len(row) == 9 and key in site.body(LOG)
