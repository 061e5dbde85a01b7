"""Collects each bad input's message and prints them as "bad inputs / clear errors".

Every test in this folder records the input it fed the agent and the first line
of what the agent said about it; the terminal summary lists them, so a reviewer
reads the whole corpus of messages in one place.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

CORPUS: list[tuple[str, str]] = []


@pytest.fixture
def clear_error() -> Callable[[str, str], None]:
    """``clear_error(case, message)``: record what the agent said about one bad input."""

    def record(case: str, message: str) -> None:
        lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
        CORPUS.append((case, lines[0] if lines else "(no message)"))

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CORPUS:
        return
    terminalreporter.section("bad inputs / clear errors")
    width = max(len(case) for case, _ in CORPUS)
    for case, message in sorted(CORPUS):
        terminalreporter.write_line(f"{case:<{width}}  {message[:160]}")
