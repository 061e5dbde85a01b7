"""Long-running ``escalation-agent run`` processes for tests: started, watched, stopped.

Output goes to files (a pipe nobody reads would block a chatty agent), and
every wait is a poll with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from tests.foundation.test_check_command import ENV_NAMES

T = TypeVar("T")
POLL = 0.1


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], T | None], timeout: float) -> T:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(POLL)


@dataclass
class AgentProcess:
    name: str
    process: subprocess.Popen[str]
    log_path: Path
    _log: IO[str]

    @classmethod
    def start(cls, name: str, args: list[str], env: dict[str, str], cwd: Path) -> AgentProcess:
        clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
        clean.update(env)
        log_path = cwd / f"{name}.log"
        log = log_path.open("w", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "agent.cli", *args],
            env=clean,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        return cls(name, process, log_path, log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.alive():
            self.process.send_signal(signum)

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM and wait: the exit code (a graceful stop is 0)."""
        self.signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.close()

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)
        self.close()

    def close(self) -> None:
        if not self._log.closed:
            self._log.close()


def get(url: str) -> tuple[int, bytes]:
    """GET ``url``: status and body (error statuses too); (0, b"") while nothing listens."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local test URL
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())
    except (urllib.error.URLError, ConnectionError):
        return 0, b""


def healthz(port: int) -> dict[str, Any] | None:
    status, body = get(f"http://127.0.0.1:{port}/healthz")
    if status == 0:
        return None
    answer = dict(json.loads(body))
    answer["http_status"] = status
    return answer
