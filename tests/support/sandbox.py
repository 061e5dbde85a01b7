"""A running sandbox for tests, with the real client libraries pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from agent.sandbox.server import SandboxServer

TOKEN = "test-sandbox-token-3f9a1c"  # a fake, only ever valid against a test sandbox
AGENT_EMAIL = "agent@sandbox.example"
# Slack's rate limits stay on in every test, with their windows divided by this factor
# (a Tier 2 method: 20 calls per 0.1 s instead of per minute). Agents pointed at a test
# sandbox pace themselves with the same factor (AGENT_SLACK_TIME_SCALE).
SLACK_TIME_SCALE = 600


@dataclass
class SandboxHandle:
    server: SandboxServer
    token: str = TOKEN
    on_stop: list[Callable[[], None]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.server.urls.base

    @property
    def ctx(self) -> Any:
        return self.server.ctx

    @property
    def confluence_url(self) -> str:
        """Where Confluence answers: ``/wiki`` on Cloud, the root on Data Center."""
        return self.server.urls.confluence

    # -- control surface ---------------------------------------------------
    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = requests.request(method, f"{self.base}/_sandbox/{path}", json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def realism(self, **knobs: Any) -> dict[str, Any]:
        """Change the sandbox's realism knobs (``/_sandbox/realism``); returns them all."""
        return dict(self.control("POST", "realism", knobs))

    def set_clock(self, now: datetime | str, frozen: bool = True) -> None:
        value = now.isoformat() if isinstance(now, datetime) else now
        self.control("POST", "clock", {"now": value, "frozen": frozen})

    def add_user(self, name: str, email: str, slack: bool = True) -> dict[str, Any]:
        return dict(self.control("POST", "users", {"name": name, "email": email, "slack": slack}))

    def requests_log(self) -> list[dict[str, Any]]:
        return list(self.control("GET", "requests"))

    def clear_requests(self) -> None:
        self.control("DELETE", "requests")

    # -- real clients --------------------------------------------------------
    def jira(self, email: str = AGENT_EMAIL, **kwargs: Any) -> Any:
        from jira import JIRA

        return JIRA(server=self.base, basic_auth=(email, self.token), **kwargs)

    def confluence(self, email: str = AGENT_EMAIL) -> Any:
        from atlassian import ConfluenceServer

        cloud = self.ctx.deployment == "cloud"
        return ConfluenceServer(
            self.confluence_url, username=email, password=self.token, cloud=cloud
        )

    def slack(self) -> Any:
        from slack_sdk import WebClient

        return WebClient(token=self.token, base_url=f"{self.base}/api/")
