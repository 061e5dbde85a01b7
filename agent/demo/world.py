"""The demo's world: an in-process sandbox seeded at the day's start, and the agent's deps.

The seed dates its history relative to the sandbox clock, so the clock is set
(and frozen) before the ``demo`` seed is applied. The agent is configured in
code: it reads no ``.env`` and no environment variable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from agent.config import Settings, load_settings
from agent.policy import Policy, load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.deps import Deps, build_deps
from agent.runtime.first_contact import declare_first_contact
from agent.sandbox.context import SandboxContext
from agent.sandbox.seed import apply_seed
from agent.sandbox.server import SandboxServer, SandboxUrls
from agent.secrets import Redactor

AGENT_EMAIL = "agent@sandbox.example"
RUNNING_FOR = timedelta(days=30)  # before the oldest seeded ticket (20 days)
# The simulated day runs far faster than real time: Slack's rate-limit windows (per method,
# per channel) shrink by this factor in the sandbox and in the agent's own pacing alike.
DEMO_SLACK_TIME_SCALE = 3600


@dataclass
class DemoSite:
    """A running sandbox with the demo organisation and an agent pointed at it."""

    server: SandboxServer
    token: str
    deps: Deps

    @property
    def ctx(self) -> SandboxContext:
        return self.server.ctx

    @property
    def urls(self) -> SandboxUrls:
        return self.server.urls

    def set_clock(self, now: datetime) -> None:
        self.ctx.clock.set(now, frozen=True)

    def close(self) -> None:
        """Close the agent's store, then stop the sandbox (which closes its own)."""
        self.deps.close()
        self.server.stop()


def agent_settings(urls: SandboxUrls, token: str, state_dir: Path) -> Settings:
    """Settings as a user's ``.env`` would give them, built in code."""
    return load_settings(
        {
            "JIRA_URL": urls.jira,
            "JIRA_EMAIL": AGENT_EMAIL,
            "JIRA_API_TOKEN": token,
            "CONFLUENCE_URL": urls.confluence,
            "CONFLUENCE_EMAIL": AGENT_EMAIL,
            "CONFLUENCE_API_TOKEN": token,
            "CONFLUENCE_SPACE": "OPS",
            "SLACK_BOT_TOKEN": token,
            "SLACK_API_URL": urls.slack,
            "AGENT_RULES": str(bundled_rules_dir()),
            "AGENT_STATE_URL": f"sqlite:///{state_dir / 'agent-state.db'}",
            "AGENT_SLACK_TIME_SCALE": str(DEMO_SLACK_TIME_SCALE),
        }
    )


def start_site(work_dir: Path, start: datetime, *, port: int = 0) -> DemoSite:
    """Start the sandbox seeded at ``start`` (clock frozen there) and connect the agent."""
    token = secrets.token_urlsafe(18)
    sandbox_dir = work_dir / "sandbox"
    sandbox_dir.mkdir(parents=True, exist_ok=True)
    server = SandboxServer(port=port, seed="empty", token=token, data_dir=sandbox_dir).start()
    try:
        server.ctx.clock.set(start, frozen=True)
        apply_seed(server.ctx, "demo")
        server.ctx.realism.update({"slack_time_scale": DEMO_SLACK_TIME_SCALE})
        settings = agent_settings(server.urls, token, work_dir)
        policies: list[Policy] = load_policies(settings.rules_path, settings.timezone)
        deps = build_deps(settings, policies, Redactor(settings.secrets()))
        # The demo plays an agent that has run for a month: the seed's tickets resolved
        # days ago are its own (their log rows are in the seed), not history to leave alone.
        for policy in policies:
            declare_first_contact(deps.store, policy.name, start - RUNNING_FOR)
    except BaseException:
        server.stop()
        raise
    return DemoSite(server=server, token=token, deps=deps)
