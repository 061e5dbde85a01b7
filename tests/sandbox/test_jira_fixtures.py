"""Shared set-up for the sandbox Jira tests (no tests of its own).

``seed_site`` builds a small site through the Python seeding API: two
projects, a few people and the custom fields the policy packs read.
``api`` calls the REST API with ``requests`` as a given person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests

from agent.sandbox.jira import seeding as jira_seeding
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

START = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
LEAD = "lead@sandbox.example"
ALICE = "alice@sandbox.example"
BOB = "bob@sandbox.example"


@dataclass
class Site:
    sandbox: SandboxHandle
    fields: dict[str, str]  # custom field name -> id

    def account(self, email: str) -> str:
        user = self.sandbox.ctx.users.by_email(email)
        assert user is not None
        return str(user["accountId"])

    def issue(self, key: str) -> dict[str, Any]:
        return jira_seeding.get_issue(self.sandbox.ctx, key)


def seed_site(sandbox: SandboxHandle, *, frozen_at: datetime = START) -> Site:
    sandbox.set_clock(frozen_at, frozen=True)
    ctx = sandbox.ctx
    sandbox.add_user("Alice Example", ALICE)
    sandbox.add_user("Bob Builder", BOB)
    sandbox.add_user("Agent", AGENT_EMAIL)
    jira_seeding.create_project(ctx, "INC", "Incidents", LEAD)
    jira_seeding.create_project(ctx, "DS", "DS Escalations", LEAD)
    fields = {
        "Escalation Reason": jira_seeding.create_custom_field(ctx, "Escalation Reason", "textarea"),
        "Escalation Contact": jira_seeding.create_custom_field(
            ctx, "Escalation Contact", "userpicker"
        ),
        "Impact Level": jira_seeding.create_custom_field(
            ctx, "Impact Level", "select", ["Low", "Medium", "High"]
        ),
        "Product Impacted": jira_seeding.create_custom_field(ctx, "Product Impacted", "textfield"),
        "Time of Occurrence": jira_seeding.create_custom_field(
            ctx, "Time of Occurrence", "datetime"
        ),
        "Watch List": jira_seeding.create_custom_field(ctx, "Watch List", "multiuserpicker"),
        "Credits": jira_seeding.create_custom_field(ctx, "Credits", "float"),
        "Tags": jira_seeding.create_custom_field(ctx, "Tags", "labels"),
    }
    return Site(sandbox, fields)


def api(
    sandbox: SandboxHandle,
    method: str,
    path: str,
    *,
    email: str = AGENT_EMAIL,
    version: str = "2",
    **kwargs: Any,
) -> requests.Response:
    """Call ``/rest/api/{version}/{path}`` as ``email``."""
    return requests.request(
        method,
        f"{sandbox.base}/rest/api/{version}/{path}",
        auth=(email, sandbox.token),
        timeout=10,
        **kwargs,
    )


def new_issue(site: Site, summary: str = "Checkout is down", **fields: Any) -> str:
    """Create an INC issue over the seeding API; returns its key."""
    payload = {
        "project": {"key": "INC"},
        "summary": summary,
        "issuetype": {"name": "Incident"},
        **fields,
    }
    return str(jira_seeding.create_issue(site.sandbox.ctx, payload, ALICE)["key"])
