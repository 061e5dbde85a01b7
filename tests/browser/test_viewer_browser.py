"""The viewer in headless Chromium: what a person sees on the demo seed.

Needs Debian's ``chromium`` and ``chromium-driver`` (Selenium Manager is never
used: the driver path is given). Without them the tests skip, except under
``CI=true`` where a missing browser is a failure. Screenshots go to
``build/browser/`` for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.server import SandboxServer
from agent.sandbox.slack import workspace as slack
from tests.support.browser import chromium, require_browser, screenshot
from tests.support.sandbox import TOKEN

XSS = "<img src=x onerror=\"document.title='pwned'\">"

pytestmark = pytest.mark.browser


def _require_browser() -> None:
    require_browser()


@pytest.fixture(scope="module")
def demo() -> Iterator[SandboxServer]:
    server = SandboxServer(port=0, token=TOKEN, seed="demo")
    ctx = server.ctx
    jira.create_issue(
        ctx,
        {
            "project": {"key": "CLI"},
            "issuetype": {"name": "Task"},
            "summary": f"Hostile summary {XSS}",
            "priority": {"name": "Lowest"},
        },
        "maria@sandbox.example",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium("viewer-chromium-") as driver:
        yield driver


def _shot(driver: object, name: str) -> Path:
    return screenshot(driver, "browser", name)


def test_ticket_summary_and_comments(demo: SandboxServer, browser: object) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    driver.get(f"{demo.urls.base}/")  # type: ignore[attr-defined]
    board = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    assert "INC-2" in board and "Checkout returns 500 for card payments" in board
    assert f"Hostile summary {XSS}" in board  # shown as text...
    assert driver.title != "pwned"  # type: ignore[attr-defined]  # ...never run
    _shot(driver, "viewer-jira-board")
    driver.find_element(By.LINK_TEXT, "INC-2").click()  # type: ignore[attr-defined]
    heading = driver.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    assert heading == "INC-2 Checkout returns 500 for card payments"
    comments = driver.find_elements(By.CSS_SELECTOR, ".comment")  # type: ignore[attr-defined]
    texts = [c.text for c in comments]
    assert "Fix is live in production" in texts[0]  # newest first
    assert "were tagged in #inc-project" in texts[-1]
    agent = driver.find_elements(By.CSS_SELECTOR, ".comment.agent")  # type: ignore[attr-defined]
    assert len(agent) == 1 and "AGENT" in agent[0].text
    _shot(driver, "viewer-jira-ticket")


def test_wiki_page_table_cells(demo: SandboxServer, browser: object) -> None:
    from selenium.webdriver.common.by import By

    page = confluence.find_page(demo.ctx, "INC", "INC Incident Log")
    assert page is not None
    driver = browser
    driver.get(f"{demo.urls.base}/view/wiki")  # type: ignore[attr-defined]
    tree = driver.find_element(By.TAG_NAME, "main").text  # type: ignore[attr-defined]
    assert "Operations (OPS)" in tree and "Incident log index" in tree
    _shot(driver, "viewer-wiki-tree")
    driver.find_element(By.LINK_TEXT, "INC Incident Log").click()  # type: ignore[attr-defined]
    cells = [
        cell.text
        for cell in driver.find_elements(By.CSS_SELECTOR, "article td")  # type: ignore[attr-defined]
    ]
    assert "Checkout returns 500 for card payments" in cells
    assert "INC-2" in cells
    headers = [
        th.text
        for th in driver.find_elements(By.CSS_SELECTOR, "article th")  # type: ignore[attr-defined]
    ]
    assert headers[:2] == ["Date", "Issue"]
    link = driver.find_element(By.LINK_TEXT, "INC-2")  # type: ignore[attr-defined]
    assert link.get_attribute("href").endswith("/view/jira/INC-2")
    _shot(driver, "viewer-wiki-incident-log")
    index = confluence.find_page(demo.ctx, "OPS", "Incident log index")
    assert index is not None
    driver.get(f"{demo.urls.base}/view/wiki/{index['id']}")  # type: ignore[attr-defined]
    chart = driver.find_element(By.CSS_SELECTOR, "article figure.chart svg")  # type: ignore[attr-defined]
    assert chart.get_attribute("aria-label") == "Incidents per month"
    assert chart.find_elements(By.CSS_SELECTOR, "rect.bar") and chart.size["height"] > 100
    _shot(driver, "viewer-wiki-index")


def test_channel_messages_and_thread_reply(demo: SandboxServer, browser: object) -> None:
    from selenium.webdriver.common.by import By

    channel = slack.find_channel(demo.ctx, "inc-project")
    assert channel is not None
    driver = browser
    driver.get(f"{demo.urls.base}/view/slack")  # type: ignore[attr-defined]
    _shot(driver, "viewer-slack-channels")
    driver.find_element(By.LINK_TEXT, "#inc-project").click()  # type: ignore[attr-defined]
    assert driver.find_element(By.TAG_NAME, "h1").text == "#inc-project"  # type: ignore[attr-defined]
    messages = driver.find_elements(By.CSS_SELECTOR, "section > .msg")  # type: ignore[attr-defined]
    assert "Critical incident INC-5" in messages[0].text  # newest first
    assert "@Taras Bondar" in messages[0].text
    replies = messages[0].find_elements(By.CSS_SELECTOR, ".thread .msg")
    assert [r.text.splitlines()[-1] for r in replies] == [
        "Looking at it now.",
        "I'll hold the customer call until we know the scope.",
    ]
    _shot(driver, "viewer-slack-channel")
