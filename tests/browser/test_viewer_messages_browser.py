"""The viewer draws the agent's messages as the real services would, in headless Chromium:
a Slack message's Block Kit with emoji and each reader's local time, a Jira comment's wiki
markup, a ticket's web links. Screenshots go to ``build/browser/``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from agent.core.actions import ActionKind, PlannedAction
from agent.render.moments import slack_date_token
from agent.runtime.act.slack_message import compose
from agent.sandbox.jira import seeding as jira
from agent.sandbox.jira.documents import require_issue, save_issue
from agent.sandbox.server import SandboxServer
from agent.sandbox.slack import workspace as slack
from tests.support.browser import chromium, screenshot
from tests.support.sandbox import TOKEN

pytestmark = pytest.mark.browser

DUE = datetime(2026, 12, 4, 17, 40, tzinfo=UTC)
PAGE_URL = "https://sandbox.example/wiki/spaces/OPS/pages/42/INC-2+incident+summary"


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[SandboxServer, str]]:
    server = SandboxServer(port=0, token=TOKEN, seed="demo")
    ctx = server.ctx
    channel = slack.create_channel(ctx, "inc-2-viewer-check")
    action = PlannedAction(
        key="update_overdue:INC-2:update@x#escalation:INC-2",
        policy="incident-critical",
        rule="update_overdue",
        issue="INC-2",
        kind=ActionKind.SLACK_POST,
        reason="INC-2 needs an update every 30m.",
        due=DUE,
        template="slack/update_due.j2",
        context={"url": f"{server.urls.jira}/browse/INC-2", "severity": "critical"},
    )
    text = (
        ":memo: *INC-2 needs an update*: the last one was at "
        f"{slack_date_token(DUE, 'Europe/Kyiv')} and the procedure asks for one every 30m."
    )
    message = compose(action, text, with_facts=True)
    slack.post_message(ctx, str(channel["id"]), message.text, blocks=message.blocks)
    jira.add_comment(
        ctx,
        "INC-2",
        "*Escalated (step 1)*: INC-2 needs an update.\nOverdue since Fri 4 Dec 2026, 19:40 EET."
        "\n\n_Why: INC-2 has no update on 2026-12-04._\n_— escalation agent_",
        "agent@sandbox.example",
        properties={"escalation-agent": {"rule": "update_overdue", "key": "k"}},
    )
    issue = require_issue(ctx, "INC-2")
    issue["remotelinks"].append(
        {
            "id": 90001,
            "globalId": "escalation-agent:incident_summary:INC-2",
            "relationship": "incident summary",
            "object": {"url": PAGE_URL, "title": "INC-2 incident summary"},
        }
    )
    save_issue(ctx, issue)
    server.start()
    yield server, str(channel["id"])
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium("viewer-messages-") as driver:
        driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Berlin"})
        yield driver


def test_a_slack_message_shows_emoji_fields_and_the_readers_local_time(
    site: tuple[SandboxServer, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    server, channel = site
    browser.get(f"{server.urls.base}/view/slack/{channel}")
    message = browser.find_element(By.CSS_SELECTOR, ".msg.bot")
    assert "📝" in message.text and ":memo:" not in message.text
    when = message.find_element(By.CSS_SELECTOR, "time.slack-date")
    # 17:40 UTC is 18:40 in Berlin, the browser's zone; the fallback said 19:40 EET (Kyiv)
    assert "18:40" in when.text and "EET" not in when.text, when.text
    assert when.get_attribute("title") == "Fri 4 Dec 2026, 19:40 EET"
    fields = message.find_element(By.CSS_SELECTOR, ".bk-fields").text
    assert "Severity" in fields and "critical" in fields
    context = message.find_element(By.CSS_SELECTOR, ".bk-context").text
    assert "INC-2" in context and "rule update_overdue" in context
    screenshot(browser, "browser", "viewer-slack-block-kit")


def test_a_ticket_shows_rendered_comments_and_its_web_links(
    site: tuple[SandboxServer, str], browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    server, _ = site
    browser.get(f"{server.urls.base}/view/jira/INC-2")
    comment = browser.find_element(By.CSS_SELECTOR, ".comment.agent .wiki-body")
    assert comment.find_element(By.TAG_NAME, "strong").text == "Escalated (step 1)"
    assert "*" not in comment.text and "2026-12-04" in comment.text
    links = browser.find_element(By.ID, "web-links")
    anchor = links.find_element(By.LINK_TEXT, "INC-2 incident summary")
    assert anchor.get_attribute("href") == PAGE_URL
    assert "incident summary" in links.text
    screenshot(browser, "browser", "viewer-jira-rendered-and-links")
