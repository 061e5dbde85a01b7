"""Shared fixtures: a fresh sandbox per test, talking HTTP on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agent.sandbox.server import SandboxServer
from tests.support.sandbox import TOKEN, SandboxHandle


def _start(seed: str = "empty", deployment: str = "cloud") -> SandboxHandle:
    server = SandboxServer(port=0, token=TOKEN, seed=seed, deployment=deployment)
    handle = SandboxHandle(server)
    server.start()
    return handle


@pytest.fixture
def sandbox() -> Iterator[SandboxHandle]:
    """An empty Jira Cloud + Confluence + Slack sandbox."""
    handle = _start()
    yield handle
    handle.server.stop()


@pytest.fixture
def sandbox_dc() -> Iterator[SandboxHandle]:
    """An empty sandbox whose Jira says it is Data Center (search via /rest/api/2/search)."""
    handle = _start(deployment="datacenter")
    yield handle
    handle.server.stop()
