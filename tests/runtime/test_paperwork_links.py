"""Every page the agent writes is linked from its ticket (a Jira remote link), exactly once.

The link's URL is the page's address, which only exists once the page does: the
link action takes it from the page action's external ref. Against the sandbox
over HTTP with the real clients; a repeated cycle writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.act.handlers_jira import remote_link
from agent.runtime.env import ActionError
from agent.store import MemoryStateStore
from tests.runtime.paperwork_site import PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

PAGES = {
    "Incident summary PAP-1: Checkout returns 500": "incident_summary",
    "Response report PAP-1": "response_report",
    "Post-mortem PAP-1: Checkout returns 500": "postmortem_due",
}


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path)


def test_each_page_gets_one_remote_link_on_its_ticket(site: PaperSite) -> None:
    key = site.incident(description="Card payments fail for EU customers.")
    site.resolve(key, later(minutes=30), **{"Root Cause": "A bad release"})
    report = site.cycle(later(minutes=31))
    assert report.ok, report.failures
    # the pages show the ticket's description (read for policies that write such pages)
    assert "Card payments fail for EU customers." in site.body(
        "Incident summary PAP-1: Checkout returns 500"
    )

    links = site.remote_links(key)
    by_title = {link["object"]["title"]: link for link in links}
    assert set(by_title) == set(PAGES)
    for title, rule in PAGES.items():
        page = site.page(title)
        link = by_title[title]
        assert link["object"]["url"] == (
            f"{site.sandbox.base}/wiki/pages/viewpage.action?pageId={page['id']}"
        )
        assert link["globalId"].startswith(f"escalation-agent:{rule}:{key}:page@")
        assert link["globalId"].endswith(":link")

    site.sandbox.clear_requests()
    again = site.cycle(later(minutes=40))
    assert again.ok, again.failures
    assert site.writes() == []
    assert len(site.remote_links(key)) == len(PAGES)


def _link_action(source: str) -> PlannedAction:
    return PlannedAction(
        key="incident_summary:PAP-1:page@2026-11-23T08:30Z:link",
        policy="paperwork",
        rule="incident_summary",
        issue="PAP-1",
        kind=ActionKind.JIRA_REMOTE_LINK,
        reason="link",
        due=datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
        template=None,
        context={"link_from_ref": source, "link_title": "Incident summary PAP-1"},
    )


class _Jira:
    def __init__(self) -> None:
        self.links: list[tuple[str, str, str, str]] = []

    def add_remote_link(self, issue: str, url: str, title: str, *, global_id: str) -> str:
        self.links.append((issue, url, title, global_id))
        return "10001"


def _env(refs: dict[str, Any]) -> Any:
    store = MemoryStateStore()

    def ref_of(key: str) -> Any:
        return refs.get(key)

    return SimpleNamespace(jira=_Jira(), store=store, ref_of=ref_of)


def test_a_link_to_a_page_not_written_yet_fails_clearly_and_links_nothing() -> None:
    env = _env({})
    with pytest.raises(ActionError, match=r"incident_summary:PAP-1:page@.* is not done yet"):
        remote_link(_link_action("incident_summary:PAP-1:page@2026-11-23T08:30Z#abc"), env, False)
    assert env.jira.links == []


def test_the_link_takes_the_url_from_the_page_actions_ref() -> None:
    source = "incident_summary:PAP-1:page@2026-11-23T08:30Z#abc"
    env = _env(
        {source: {"page": "7", "url": "https://wiki.example/pages/viewpage.action?pageId=7"}}
    )
    ref = remote_link(_link_action(source), env, False)
    assert env.jira.links == [
        (
            "PAP-1",
            "https://wiki.example/pages/viewpage.action?pageId=7",
            "Incident summary PAP-1",
            "escalation-agent:incident_summary:PAP-1:page@2026-11-23T08:30Z:link",
        )
    ]
    assert ref["url"] == "https://wiki.example/pages/viewpage.action?pageId=7"
