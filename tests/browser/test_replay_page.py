"""replay.html in headless Chromium, as a PM opens it: no network, charts drawn, text escaped.

The hand-made morning of ``tests/replay/test_replay_command`` is replayed by the
real command; the page is opened from disk and read as a person sees it: the
headings, the adherence row for acknowledgements, the SVG charts, the hostile
ticket title shown as text, and a timeline that opens. The screenshot is kept
under ``build/replay/`` (README describes it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.replay.test_replay_command import HOSTILE, replay_cli, seed
from tests.support.browser import chromium, require_browser, screenshot
from tests.support.sandbox import SandboxHandle

pytestmark = pytest.mark.browser


def test_the_replay_page_reads_like_a_report(sandbox: SandboxHandle, tmp_path: Path) -> None:
    require_browser()
    from selenium.webdriver.common.by import By

    seed(sandbox, tmp_path)
    _data, _page, _stdout = replay_cli(sandbox, tmp_path)
    page = tmp_path / "out" / "replay.html"
    with chromium("replay-chromium-") as driver:
        driver.get(page.as_uri())
        assert driver.find_element(By.TAG_NAME, "h1").text == "Replay: rules-2h"
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        assert headings[:5] == [
            "Messages per day, by rule",
            "How well the procedure was followed",
            "Noisiest tickets",
            "Who would hear from it most",
            "Messages by rule",
        ]
        assert "Each ticket's timeline" in headings
        rows = driver.find_elements(By.CSS_SELECTOR, "table tr")
        ack = next(r.text for r in rows if r.text.startswith("acknowledgement"))
        assert ack.split()[:5] == ["acknowledgement", "4", "3", "1", "0"]
        assert "20m" in ack
        assert len(driver.find_elements(By.CSS_SELECTOR, "svg rect")) > 5
        assert HOSTILE in driver.find_element(By.TAG_NAME, "body").text
        assert driver.execute_script("return document.scripts.length") == 0
        screenshot(driver, "replay", "replay")
        timeline = driver.find_elements(By.TAG_NAME, "details")[0]
        timeline.find_element(By.TAG_NAME, "summary").click()
        assert "ack_overdue" in timeline.text
