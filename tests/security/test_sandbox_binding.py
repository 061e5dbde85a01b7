"""``escalation-agent sandbox`` listens on loopback unless told otherwise, and says so when not.

The sandbox accepts a fixed token and has a control surface that rewrites its
data, so it must not be reachable from other machines by default; binding to
any other address is allowed but never silent.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.foundation.test_check_command import ENV_NAMES

STARTUP_SECONDS = 30.0


def _lines_until(process: subprocess.Popen[str], last: str) -> list[str]:
    """stdout lines up to the one containing ``last`` (or fail after STARTUP_SECONDS).

    A reader thread feeds a queue: ``select`` on the pipe would miss lines already
    sitting in the text wrapper's buffer.
    """
    stream = process.stdout
    assert stream is not None
    lines_read: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines_read.put(line.rstrip("\n"))
        lines_read.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    lines: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines_read.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        lines.append(line)
        if last in line:
            return lines
    pytest.fail(f"the sandbox did not print {last!r}; it printed: {lines}")


def _start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env["PYTHONUNBUFFERED"] = "1"
    return subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "--no-color", "sandbox", "--port", "0", *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def default_sandbox(tmp_path: Path) -> Iterator[list[str]]:
    process = _start(tmp_path, "--data-dir", str(tmp_path), "--token", "binding-test-token-42")
    try:
        yield _lines_until(process, "Slack API:")
    finally:
        _stop(process)


def _url_of(lines: list[str], label: str) -> str:
    (line,) = [line for line in lines if line.strip().startswith(label)]
    return line.split(label, 1)[1].strip()


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent for UDP connect
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    unspecified = "0.0.0.0"  # noqa: S104 - compared, not bound
    return None if address.startswith("127.") or address == unspecified else address


@pytest.mark.slow
def test_default_is_loopback_only(default_sandbox: list[str]) -> None:
    jira_url = _url_of(default_sandbox, "Jira:")
    parts = urlsplit(jira_url)
    assert parts.hostname == "127.0.0.1", default_sandbox
    assert not any("WARNING" in line for line in default_sandbox)
    answer = requests.get(f"{jira_url}/rest/api/2/serverInfo", timeout=10)
    assert answer.status_code == 401  # it is really listening there (and wants the token)
    other = _other_address()
    if other is None:
        return  # no second interface to try from
    assert parts.port is not None
    with pytest.raises(ConnectionRefusedError):  # a plain socket: no proxy in between
        socket.create_connection((other, parts.port), timeout=5).close()


@pytest.mark.slow
def test_any_other_address_is_announced_with_a_warning(tmp_path: Path) -> None:
    everywhere = "0.0.0.0"  # noqa: S104 - the point of this test
    process = _start(tmp_path, "--host", everywhere, "--data-dir", str(tmp_path))
    try:
        lines = _lines_until(process, "Slack API:")
    finally:
        _stop(process)
    (warning,) = [line for line in lines if "WARNING" in line]
    assert "listening on 0.0.0.0, reachable from other machines" in warning
    assert lines.index(warning) < lines.index(next(x for x in lines if "Jira:" in x))
