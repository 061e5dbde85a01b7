"""The agent's paperwork pages in the viewer, in headless Chromium: do they read like
something a PM would paste?

The agent (in process, real clients) writes the incident summary, the response
report and the post-mortem of a resolved incident into the sandbox; the viewer
shows them. Each page has its sections as headings, the facts from the ticket
in them (description, root cause, who did what when) and a timeline table.
Screenshots go to ``build/browser/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.sandbox.jira import seeding as jira
from tests.runtime.paperwork_site import DEV, PaperSite, later, open_site
from tests.support.browser import chromium, screenshot
from tests.support.sandbox import SandboxHandle

pytestmark = pytest.mark.browser

SUMMARY = "Incident summary PAP-1: Checkout returns 500"
REPORT = "Response report PAP-1"
POSTMORTEM = "Post-mortem PAP-1: Checkout returns 500"


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    for opened in open_site(sandbox, tmp_path):
        key = opened.incident(description="Card payments fail for EU customers.")
        opened.sandbox.set_clock(later(minutes=5), frozen=True)
        jira.add_comment(opened.ctx, key, "Looking at the gateway logs.", DEV)
        opened.resolve(
            key,
            later(hours=1),
            **{"Root Cause": "An expired TLS certificate", "Impact": "EU card payments"},
        )
        report = opened.cycle(later(hours=1, minutes=1))
        assert report.ok, report.failures
        yield opened


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("paperwork-chromium-") as driver:
        yield driver


def _open(site: PaperSite, driver: Any, title: str) -> dict[str, Any]:
    from selenium.webdriver.common.by import By

    driver.get(f"{site.sandbox.base}/view/wiki/{site.page(title)['id']}")
    article = driver.find_element(By.TAG_NAME, "article")
    return {
        "text": article.text,
        "headings": [h.text for h in article.find_elements(By.CSS_SELECTOR, "h2")],
        "tables": [
            [th.text for th in table.find_elements(By.CSS_SELECTOR, "tr:first-child th")]
            for table in article.find_elements(By.TAG_NAME, "table")
        ],
    }


def _section(text: str, heading: str, following: str) -> str:
    return text.split(heading, 1)[1].split(following, 1)[0]


def test_the_summary_report_and_postmortem_read_like_a_pm_wrote_them(
    site: PaperSite, browser: Any
) -> None:
    summary = _open(site, browser, SUMMARY)
    screenshot(browser, "browser", "paperwork-incident-summary")
    assert summary["headings"] == [
        "Overview",
        "What happened",
        "How the issue was identified",
        "Root cause",
        "Steps taken",
        "Key takeaways and recommendations",
    ]
    text = summary["text"]
    assert "Card payments fail for EU customers." in _section(text, "What happened", "How the")
    assert "An expired TLS certificate" in _section(text, "Root cause", "Steps taken")
    assert ["Time", "Who", "What"] in summary["tables"]
    assert "Looking at the gateway logs." in text and "Dana Developer" in text

    report = _open(site, browser, REPORT)
    screenshot(browser, "browser", "paperwork-response-report")
    assert report["headings"][:4] == [
        "Incident",
        "What happened",
        "Timeline of the response",
        "Exposure and impacts",
    ]
    assert "EU card payments" in _section(
        report["text"], "Exposure and impacts", "Suspected root cause"
    )
    assert ["Time", "Who", "Change"] in report["tables"]  # status changes, with who and when

    postmortem = _open(site, browser, POSTMORTEM)
    screenshot(browser, "browser", "paperwork-postmortem")
    assert "DRAFT" in postmortem["text"].splitlines()[0]
    assert "Total resolution time" in postmortem["text"]
    assert "Post-mortem meeting due" in postmortem["text"]
    assert "Timeline" in postmortem["headings"]
