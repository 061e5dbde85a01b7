"""People of the demo organisation acting between cycles, through the sandbox's seeding API.

Each call stamps its change with the sandbox clock, exactly as the REST API
would, so the agent sees comments, moves and edits at the simulated time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.jira_setup import rest_values
from agent.sandbox.demo.organisation import email_of, slack_id
from agent.sandbox.demo.timeline import Timeline
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack


@dataclass
class People:
    """Verbs for the script: ``comment``, ``move``, ``edit``, ``raise_ticket``, ``say``."""

    ctx: SandboxContext

    def comment(self, key: str, who: str, text: str) -> None:
        jira.add_comment(self.ctx, key, text, email_of(who))

    def move(self, key: str, who: str, status: str) -> None:
        jira.transition(self.ctx, key, status, email_of(who))

    def edit(self, key: str, who: str, fields: dict[str, Any]) -> None:
        """Set fields by name with demo values (handles for people, option values)."""
        jira.edit_issue(self.ctx, key, self._rest(fields), email_of(who))

    def resolve(self, key: str, who: str, fields: dict[str, Any] | None = None) -> None:
        """Fill the closure fields (if any), then move the ticket to Done."""
        if fields:
            self.edit(key, who, fields)
        self.move(key, who, "Done")

    def raise_ticket(
        self, project: str, who: str, summary: str, fields: dict[str, Any], **system: Any
    ) -> str:
        """Create a ticket; ``system`` holds issuetype, priority, description; returns its key."""
        values: dict[str, Any] = {
            "project": {"key": project},
            "summary": summary,
            "issuetype": {"name": system.get("issuetype", "Task")},
            "priority": {"name": system.get("priority", "Medium")},
        }
        if "description" in system:
            values["description"] = system["description"]
        values.update(self._rest(fields))
        return str(jira.create_issue(self.ctx, values, email_of(who))["key"])

    def say(self, channel: str, who: str, text: str) -> None:
        """Post in a Slack channel by name (ignored by nobody: packs count channel updates)."""
        found = slack.find_channel(self.ctx, channel)
        if found is None:
            raise LookupError(f"the demo has no Slack channel #{channel}")
        slack.post_message(self.ctx, str(found["id"]), text, slack_id(self.ctx, who))

    def _rest(self, fields: dict[str, Any]) -> dict[str, Any]:
        return rest_values(self.ctx, Timeline(self.ctx, self.ctx.clock.now()), fields)
