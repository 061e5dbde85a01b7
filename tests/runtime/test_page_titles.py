"""A person's page holds the title the agent wants (in another case): never a failing cycle.

Confluence keeps titles unique per space regardless of case, while its look-up
by title is exact. The agent writes its page under a distinct title, says so
once, and keeps using that page; the person's page is left as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.sandbox.confluence import content as confluence
from tests.runtime.paperwork_site import DEV, SPACE, PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

REPORT = "Response report PAP-1"


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path)


def test_a_persons_page_keeps_its_title_and_the_agent_says_so_once(site: PaperSite) -> None:
    theirs = confluence.create_page(
        site.ctx, SPACE, REPORT.upper(), "<p>My own notes</p>", author_email=DEV
    )
    key = site.incident()
    site.resolve(key, later(hours=1))
    first = site.cycle(later(hours=1, minutes=1))
    assert first.total_failed == 0, first.failures
    (said,) = [p for p in first.problems if REPORT.upper() in p]
    assert "(escalation-agent)" in said
    ours = site.page(f"{REPORT} (escalation-agent)")
    assert "PAP-1" in site.body(ours["title"])
    assert confluence.page_body(site.ctx, theirs["id"]) == "<p>My own notes</p>"
    links = [link["object"]["url"] for link in site.remote_links(key)]
    assert any(str(ours["id"]) in url for url in links)

    second = site.cycle(later(hours=2))
    assert second.total_failed == 0, second.failures
    assert not [p for p in second.problems if REPORT.upper() in p]
