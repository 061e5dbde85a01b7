"""Shared set-up for the end-to-end scenarios: a seeded sandbox and the real CLI.

The agent runs as ``python -m agent.cli`` in a subprocess, configured only by
environment variables pointing at the sandbox fixture, exactly as a user runs it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.policy import load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.first_contact import declare_first_contact
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from agent.store import open_store
from tests.foundation.test_check_command import run_cli, sandbox_env
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

LEAD = "lead@sandbox.example"
# Custom fields the packs in rules/ read: name -> (type suffix, options)
FIELDS: dict[str, tuple[str, list[str] | None]] = {
    "Escalation Reason": ("textarea", None),
    "Escalation Contact": ("userpicker", None),
    "Initiator": ("userpicker", None),
    "Crew Lead": ("userpicker", None),
    "Impact Level": ("select", ["Low", "Medium", "High"]),
    "Summary of Findings": ("textarea", None),
    "Root Cause": ("textarea", None),
    "Severity": ("select", ["P1", "P2", "P3", "P4"]),
    "Product Impacted": ("textfield", None),
    "Impact": ("textarea", None),
    "Time of Occurrence": ("datetime", None),
    "Service Credits": ("textfield", None),
    "Account Manager": ("userpicker", None),
    "Resolution Details": ("textarea", None),
}


@dataclass
class Site:
    sandbox: SandboxHandle
    state_dir: Path

    @property
    def ctx(self) -> Any:
        return self.sandbox.ctx

    def person(self, name: str, email: str, slack_account: bool = True) -> str:
        """Create a person (Jira + optionally Slack); returns the Jira accountId."""
        return str(self.sandbox.add_user(name, email, slack=slack_account)["accountId"])

    def slack_id(self, email: str) -> str:
        user = self.ctx.users.by_email(email)
        assert user is not None and user.get("slackId")
        return str(user["slackId"])

    def issue(self, key: str) -> dict[str, Any]:
        return jira.get_issue(self.ctx, key)

    def field(self, key: str, name: str) -> Any:
        return self.issue(key)["fields"].get(jira.field_id_by_name(self.ctx, name))

    def env(self, rules: str) -> dict[str, str]:
        env = sandbox_env(self.sandbox)
        env["AGENT_RULES"] = str(bundled_rules_dir() / rules)
        env["AGENT_STATE_URL"] = f"sqlite:///{self.state_dir / 'state.db'}"
        env["AGENT_LOG_LEVEL"] = "INFO"
        return env

    def cli(self, args: list[str], rules: str, **extra: str) -> subprocess.CompletedProcess[str]:
        env = self.env(rules)
        env.update(extra)
        return run_cli(args, env, self.state_dir)

    def run_once(self, now: datetime, rules: str) -> subprocess.CompletedProcess[str]:
        return self.cli(["run", "--once", "--now", now.isoformat()], rules)

    def running_since(self, at: datetime, rules: str) -> None:
        """Declare that the agent has run the policies in ``rules`` since ``at`` (their first
        contact), so tickets resolved after ``at`` and before the first cycle are its own."""
        store = open_store(self.env(rules)["AGENT_STATE_URL"])
        try:
            for policy in load_policies(bundled_rules_dir() / rules):
                declare_first_contact(store, policy.name, at)
        finally:
            store.close()

    def at(self, now: datetime) -> None:
        self.sandbox.set_clock(now, frozen=True)

    def channel(self, name: str) -> dict[str, Any]:
        found = slack.find_channel(self.ctx, name)
        assert found is not None, f"no Slack channel #{name}"
        return dict(found)

    def channels(self, prefix: str) -> list[dict[str, Any]]:
        return [c for c in slack.all_channels(self.ctx) if str(c["name"]).startswith(prefix)]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        return [m for m in slack.channel_messages(self.ctx, channel_id) if not m.get("subtype")]

    def writes(self) -> list[dict[str, Any]]:
        return [e for e in self.sandbox.requests_log() if e.get("write")]


def build_site(
    sandbox: SandboxHandle, state_dir: Path, start: datetime, projects: list[str]
) -> Site:
    sandbox.set_clock(start, frozen=True)
    site = Site(sandbox, state_dir)
    site.person("Agent", AGENT_EMAIL)
    for key in projects:
        jira.create_project(site.ctx, key, f"{key} project", LEAD)
    for name, (kind, options) in FIELDS.items():
        jira.create_custom_field(site.ctx, name, kind, options)
    return site


def agent_comments(site: Site, key: str) -> list[dict[str, Any]]:
    """The issue's comments marked with the agent's property (stored form)."""
    return [c for c in site.issue(key)["comments"] if "escalation-agent" in c["properties"]]
