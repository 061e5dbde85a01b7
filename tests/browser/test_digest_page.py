"""The weekly digest page in the sandbox viewer, as a PM would read it before the PM call.

A week of real cycles (``tests/runtime/test_weekly_digest_page.play_week``) writes
the page; headless Chromium then opens it in the viewer and reads what a person
sees: the headings, the week's counts, MTTA/MTTR, the open escalations linked to
their tickets, and the chart drawn as bars over the 12-week table it is made from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.sandbox.confluence import content as wiki
from tests.runtime.test_weekly_digest_page import TITLE, play_week
from tests.support.browser import BUILD, chromium, require_browser, screenshot
from tests.support.sandbox import SandboxHandle

pytestmark = pytest.mark.browser


def test_the_digest_page_reads_like_a_status_report(sandbox: SandboxHandle, tmp_path: Path) -> None:
    require_browser()
    from selenium.webdriver.common.by import By

    week = play_week(sandbox, tmp_path)
    week.store.close()
    page = wiki.find_page(sandbox.ctx, "CLI", TITLE)
    assert page is not None
    with chromium("digest-chromium-") as driver:
        driver.get(f"{sandbox.base}/view/wiki/{page['id']}")
        assert driver.find_element(By.TAG_NAME, "h1").text == TITLE
        article = driver.find_element(By.TAG_NAME, "article")
        headings = [h.text for h in article.find_elements(By.TAG_NAME, "h2")]
        assert headings == [
            "The week at a glance",
            "Escalations by project and severity",
            "SLA breaches by rule",
            "Time to acknowledge and to resolve",
            "Open escalations",
            "Last 12 weeks",
        ]
        glance = article.find_elements(By.TAG_NAME, "table")[0]
        facts = {
            row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
            for row in glance.find_elements(By.TAG_NAME, "tr")
        }
        assert facts == {
            "Escalations opened": "3",
            "Escalations closed": "1",
            "Open at the end of the week": "2",
            "SLA breaches": "5",
        }
        text = article.text
        assert "Mean time to acknowledge" in text and "45m" in text and "2d2h" in text
        assert "medium_daily" in text
        assert "<" not in text and "ac:" not in text  # no raw storage markup shows
        for key in (week.quiet, week.late):
            assert (
                driver.find_element(By.LINK_TEXT, key)
                .get_attribute("href")
                .endswith(f"/view/jira/{key}")
            )
        chart = article.find_element(By.CSS_SELECTOR, "figure.chart")
        weeks = chart.find_elements(By.CSS_SELECTOR, "tr")
        assert len(weeks) == 13 and weeks[-1].text.split() == ["2026-W48", "3", "1", "5"]
        drawn = chart.find_element(By.CSS_SELECTOR, "svg")
        assert drawn.get_attribute("aria-label") == "Escalations per week: client-communication"
        assert (drawn.size["width"], drawn.size["height"]) == (700, 300)  # the macro's size
        bars = drawn.find_elements(By.CSS_SELECTOR, "rect.bar")
        assert len(bars) == 12 * 3  # twelve weeks, three series
        tips = [bar.find_element(By.TAG_NAME, "title").get_attribute("textContent") for bar in bars]
        assert tips[-3:] == ["2026-W48 Opened: 3", "2026-W48 Closed: 1", "2026-W48 SLA breaches: 5"]
        tallest = max(bars[-3:], key=lambda bar: bar.size["height"])
        assert tallest == bars[-1] and tallest.size["height"] > 100  # 5 breaches: the top
        driver.execute_script("arguments[0].scrollIntoView();", drawn)
        screenshot(driver, "browser", "weekly-digest")
        shot = BUILD / "browser" / "weekly-digest-chart.png"
        assert drawn.screenshot(str(shot)) and shot.stat().st_size > 5_000  # bars, not blank
