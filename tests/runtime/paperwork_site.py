"""An in-process agent with one paperwork-only policy, against the sandbox over HTTP.

Real Jira/Confluence/Slack clients and adapters, the real store, templates and
executor: ``cycle(now)`` is ``run --once`` without the subprocess. People edit
pages through the real atlassian client (``edit_page``), as a person in the
Confluence editor would.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.config import load_settings
from agent.policy import load_policies
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps, build_deps
from agent.runtime.first_contact import declare_first_contact
from agent.runtime.report import CycleReport
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.secrets import Redactor
from tests.foundation.test_check_command import sandbox_env
from tests.scenarios.support import FIELDS
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Malta
DEV = "dev@sandbox.example"
LEAD = "lead@sandbox.example"
SPACE = "PAP"
POLICY = """
name: paperwork
description: paperwork only
select: {projects: [PAP]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: Europe/Malta
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
rules:
  - rule: incident_log
    space: PAP
    pages: ["{project} Incident Log"]
    fields: [Root Cause]
  - rule: incident_summary
    space: PAP
    title: "Incident summary {key}: {summary}"
    fields: [Root Cause, Resolution Details]
  - rule: response_report
    space: PAP
    title: "Response report {key}"
    fields: [Root Cause, Impact]
  - rule: postmortem_due
    within: 48h
    fields: [Service Credits, Root Cause]
    space: PAP
    to: [assignee]
    notify: [dm]
    done_status: [DONE, COMPLETE]
"""


@dataclass
class PaperSite:
    sandbox: SandboxHandle
    deps: Deps

    @property
    def ctx(self) -> Any:
        return self.sandbox.ctx

    def cycle(self, now: datetime) -> CycleReport:
        self.sandbox.set_clock(now, frozen=True)
        return run_cycle(self.deps, now)

    def incident(self, summary: str = "Checkout returns 500", **fields: Any) -> str:
        issue = jira.create_issue(
            self.ctx,
            {
                "project": {"key": "PAP"},
                "summary": summary,
                "issuetype": {"name": "Incident"},
                "Severity": {"value": "P1"},
                "assignee": {"accountId": self.sandbox.ctx.users.by_email(DEV)["accountId"]},
                **fields,
            },
            LEAD,
        )
        return str(issue["key"])

    def resolve(self, key: str, at: datetime, **fields: Any) -> None:
        self.sandbox.set_clock(at, frozen=True)
        jira.add_comment(self.ctx, key, "Rolled back the release; checkout works.", DEV)
        if fields:
            jira.edit_issue(self.ctx, key, fields, DEV)
        jira.transition(self.ctx, key, "Done", DEV)

    def page(self, title: str) -> dict[str, Any]:
        found = confluence.find_page(self.ctx, SPACE, title)
        assert found is not None, f"no page {title!r}"
        return dict(found)

    def body(self, title: str) -> str:
        return confluence.page_body(self.ctx, self.page(title)["id"])

    def edit_page(self, title: str, body: str, email: str = DEV) -> None:
        """A person saves a new version through the real client (PUT version + 1)."""
        page = self.page(title)
        client = self.sandbox.confluence(email)
        client.update_page(page["id"], title, body, representation="storage")

    def remote_links(self, key: str) -> list[dict[str, Any]]:
        return list(jira.get_issue(self.ctx, key)["remotelinks"])

    def writes(self) -> list[dict[str, Any]]:
        return [e for e in self.sandbox.requests_log() if e.get("write")]


def open_site(
    sandbox: SandboxHandle, tmp: Path, policy: str = POLICY, env: Mapping[str, str] | None = None
) -> Iterator[PaperSite]:
    """The sandbox seeded (people, project, fields, space) and the agent's deps; closes them.

    ``env`` adds settings (e.g. ``AGENT_USER_MAP``) to the sandbox's own."""
    sandbox.set_clock(START, frozen=True)
    sandbox.add_user("Agent", AGENT_EMAIL)
    sandbox.add_user("Dana Developer", DEV)
    sandbox.add_user("Lee Lead", LEAD)
    jira.create_project(sandbox.ctx, "PAP", "Paperwork", LEAD)
    for name, (kind, options) in FIELDS.items():
        jira.create_custom_field(sandbox.ctx, name, kind, options)
    confluence.create_space(sandbox.ctx, SPACE, "Paperwork")
    rules = tmp / "rules"
    rules.mkdir()
    (rules / "paperwork.yaml").write_text(policy, encoding="utf-8")
    values = sandbox_env(sandbox)
    values["AGENT_RULES"] = str(rules)
    values["AGENT_STATE_URL"] = f"sqlite:///{tmp / 'state.db'}"
    values.update(env or {})
    settings = load_settings(values)
    deps = build_deps(settings, load_policies(settings.rules_path), Redactor(settings.secrets()))
    for loaded in deps.policies:  # the agent has run since START: what resolves later is its own
        declare_first_contact(deps.store, loaded.name, START)
    try:
        yield PaperSite(sandbox, deps)
    finally:
        deps.close()


def later(minutes: int = 0, hours: int = 0) -> datetime:
    return START + timedelta(minutes=minutes, hours=hours)
