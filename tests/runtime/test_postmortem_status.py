"""The post-mortem page's status lozenge, set by a person, meets the post-mortem obligation.

Against the sandbox over HTTP: the agent drafts the page (status DRAFT), nudges
the assignee once the 48 h pass with the fields still empty; a person saves the
page with the status COMPLETE (one of the policy's ``done_status``) through the
real Confluence client; the next cycle reads it, closes the obligation (the
thread gets its "done" reply) and from then on reads no page at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.adapters.confluence_status import status_title
from agent.runtime.read.page_status import NAMESPACE
from agent.store import EffectStatus
from tests.runtime.paperwork_site import PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

TITLE = "Post-mortem PAP-1: Checkout returns 500"


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path)


def _page_reads(site: PaperSite, page_id: str) -> int:
    return sum(
        1
        for e in site.sandbox.requests_log()
        if str(e["path"]).endswith(f"/content/{page_id}") and e["method"] == "GET"
    )


def _done_keys(site: PaperSite, key: str) -> list[str]:
    return [
        r.key
        for r in site.deps.store.effects_for_issue(key)
        if r.key.endswith(":done") and r.status is EffectStatus.DONE
    ]


def test_a_page_set_to_a_done_status_ends_the_nudges(site: PaperSite) -> None:
    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    page_id = site.page(TITLE)["id"]
    assert status_title(site.body(TITLE)) == "DRAFT"

    # before the deadline the page's status cannot change anything: it is not read
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=20)).ok
    assert _page_reads(site, page_id) == 0

    # past it, with the fields empty: the page is read (still DRAFT) and the assignee nudged
    overdue = site.cycle(later(hours=50))
    assert overdue.ok, overdue.failures
    nudges = [r for r in site.deps.store.effects_for_issue(key) if ":postmortem@" in r.key]
    assert nudges and _done_keys(site, key) == []

    site.sandbox.set_clock(later(hours=51), frozen=True)
    site.edit_page(TITLE, site.body(TITLE).replace(">DRAFT<", ">Complete<"))
    site.sandbox.clear_requests()
    closed = site.cycle(later(hours=52))
    assert closed.ok, closed.failures
    assert _page_reads(site, page_id) == 1
    assert len(_done_keys(site, key)) == 1
    assert site.deps.store.kv_get(NAMESPACE, f"{key}:postmortem_due") == "COMPLETE"

    # steady state: the done status is remembered, nothing is read or written
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=53)).ok
    assert site.sandbox.requests_log() and _page_reads(site, page_id) == 0
    assert site.writes() == []


def test_filled_fields_meet_it_without_reading_the_page(site: PaperSite) -> None:
    key = site.incident()
    site.resolve(key, later(hours=1), **{"Root Cause": "disk", "Service Credits": "none"})
    assert site.cycle(later(hours=1, minutes=1)).ok
    page_id = site.page(TITLE)["id"]
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=50)).ok
    assert _page_reads(site, page_id) == 0
    assert not [r for r in site.deps.store.effects_for_issue(key) if ":postmortem@" in r.key]


def test_a_page_deleted_by_a_person_is_not_done(site: PaperSite) -> None:
    from agent.sandbox.confluence import content as confluence

    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    confluence.trash_page(site.ctx, site.page(TITLE)["id"])
    report = site.cycle(later(hours=50))
    assert report.ok, report.failures
    assert [r for r in site.deps.store.effects_for_issue(key) if ":postmortem@" in r.key]
