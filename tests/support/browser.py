"""Headless Chromium for browser tests, from Debian's ``chromium`` and ``chromium-driver``.

Selenium Manager is never used (the driver path is given), so nothing is
downloaded. Without the browser the tests skip, except under ``CI=true`` where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BUILD = Path(__file__).resolve().parents[2] / "build"


def require_browser() -> None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    message = f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the browser is missing: {message}")
    pytest.skip(message)


@contextmanager
def chromium(profile_prefix: str = "chromium-") -> Iterator[Any]:
    """A headless Chromium WebDriver with a throw-away profile."""
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1280,1400",
    ):
        options.add_argument(argument)
    with tempfile.TemporaryDirectory(prefix=profile_prefix) as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def screenshot(driver: Any, folder: str, name: str) -> Path:
    """Save a screenshot under ``build/<folder>/`` and check it is a real picture."""
    shots = BUILD / folder
    shots.mkdir(parents=True, exist_ok=True)
    path = shots / f"{name}.png"
    assert driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000  # a real picture, not an empty page
    return path
