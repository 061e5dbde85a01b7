"""After the demo, in headless Chromium: the viewer shows what the agent did.

Runs ``escalation-agent demo --keep-running`` as a user would, reads the viewer's
URL from its output, finds the incident logs with the day's rows, an incident
summary page and an escalation channel with the agent's nudges, then stops it
with Ctrl-C (SIGINT), which must exit 0. Needs Debian's ``chromium`` and
``chromium-driver``; skips without them unless ``CI=true``. Screenshots go to
``build/demo/``.
"""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.support.browser import chromium, require_browser, screenshot

VIEWER = re.compile(r"^Viewer: (http://127\.0\.0\.1:\d+)/$")
DEMO_SECONDS = 150

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line.rstrip("\n"))
    lines.put(None)


class KeptDemo:
    """The demo subprocess, its output so far, and the viewer's base URL."""

    def __init__(self, folder: Path) -> None:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent.cli", "demo", "--no-color", "--keep-running"],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=_pump, args=(self.process.stdout, self.lines), daemon=True).start()
        self.base = self._wait_for_viewer()

    def _next_line(self, timeout: float) -> str | None:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail("the demo printed nothing for too long:\n" + "\n".join(self.seen[-30:]))
        if line is not None:
            self.seen.append(line)
        return line

    def _wait_for_viewer(self) -> str:
        while (line := self._next_line(DEMO_SECONDS)) is not None:
            found = VIEWER.match(line)
            if found:
                return found.group(1)
        pytest.fail("the demo ended without a viewer URL:\n" + "\n".join(self.seen[-30:]))

    def stop(self) -> tuple[int, list[str]]:
        """Ctrl-C; the exit code and the lines printed after the URL."""
        before = len(self.seen)
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=20)
        while self._next_line(5) is not None:
            pass
        return code, self.seen[before:]


@pytest.fixture(scope="module")
def kept_demo() -> Iterator[KeptDemo]:
    require_browser()
    with tempfile.TemporaryDirectory(prefix="demo-browser-") as folder:
        demo = KeptDemo(Path(folder))
        try:
            yield demo
        finally:
            if demo.process.poll() is None:
                demo.process.kill()
                demo.process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(kept_demo: KeptDemo) -> Iterator[Any]:
    with chromium("demo-chromium-") as driver:
        yield driver


def _shot(driver: Any, name: str) -> Path:
    return screenshot(driver, "demo", name)


def test_incident_logs_have_the_days_rows(kept_demo: KeptDemo, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{kept_demo.base}/view/wiki")
    tree = browser.find_element(By.TAG_NAME, "main").text
    assert "INC Incident Log" in tree and "Projects Incident Log" in tree
    browser.find_element(By.LINK_TEXT, "INC Incident Log").click()
    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "article td")]
    for key in ("INC-5", "INC-6", "INC-7"):  # resolved during the simulated day
        assert key in cells, key
    assert "A refactor dropped the tenant filter from the export query." in cells
    _shot(browser, "demo-incident-log")
    browser.get(f"{kept_demo.base}/view/wiki")
    browser.find_element(By.LINK_TEXT, "Projects Incident Log").click()
    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "article td")]
    assert "INC-7" in cells


def test_an_incident_summary_page(kept_demo: KeptDemo, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{kept_demo.base}/view/wiki")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Incident summary INC-5").click()
    title = browser.find_element(By.TAG_NAME, "h1").text
    assert title.startswith("Incident summary INC-5")
    article = browser.find_element(By.TAG_NAME, "article").text
    assert "A refactor dropped the tenant filter" in article
    _shot(browser, "demo-incident-summary")


def test_the_support_channel_holds_one_thread_per_incident_with_its_nudges(
    kept_demo: KeptDemo, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{kept_demo.base}/view/slack")
    name = "#operator-support"
    browser.find_element(By.LINK_TEXT, name).click()
    assert browser.find_element(By.TAG_NAME, "h1").text == name
    bot = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "section > .msg.bot")]
    sup5 = next((text for text in bot if "Incident SUP-5" in text), None)
    assert sup5 is not None, bot[:5]
    # the agent opened SUP-5's thread; its nudges, their repeats and "done" went there
    assert "SUP-5 was not acknowledged" in sup5 and "SUP-5 needs an update" in sup5
    assert "Done — SUP-5 no longer needs this." in sup5
    assert "SUP-3" not in sup5 and "SUP-6" not in sup5  # one thread per incident
    replies = browser.find_elements(By.CSS_SELECTOR, "section > .msg.bot .thread .msg.bot")
    assert len(replies) >= 3
    # an operator's report became SUP-8: its ticket is replied in the report's thread
    people = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "section > .msg")]
    report = next((text for text in people if "Live scores for Serie A delayed" in text), None)
    assert report is not None and "SUP-8" in report
    _shot(browser, "demo-support-channel")


def test_ctrl_c_stops_the_kept_sandbox_cleanly(kept_demo: KeptDemo, browser: Any) -> None:
    code, after = kept_demo.stop()
    assert code == 0, after
    assert "Sandbox stopped." in after
    assert not any("Traceback" in line for line in kept_demo.seen)
