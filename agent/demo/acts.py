"""People of the demo organisation acting between cycles, through the sandbox's seeding API.

Each call stamps its change with the sandbox clock, exactly as the REST API
would, so the agent sees comments, moves and edits at the simulated time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agent.core.followups import FOLLOWUP_PROPERTY
from agent.core.slack_reports import thread_in_labels
from agent.render.escaping import escape_xml
from agent.sandbox.confluence import content as wiki
from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.jira_setup import rest_values
from agent.sandbox.demo.organisation import email_of, person, slack_id
from agent.sandbox.demo.timeline import Timeline
from agent.sandbox.jira import seeding as jira
from agent.sandbox.jira.documents import ISSUE
from agent.sandbox.slack import workspace as slack

ACTIONS_HEADING = "<h2>Actions</h2>"


@dataclass
class People:
    """Verbs for the script: ``comment``, ``move``, ``edit``, ``raise_ticket``, ``say``,
    ``add_task`` (on a post-mortem's Actions), ``finish_followup`` and ``reply_in_thread``."""

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

    def add_task(self, key: str, who: str, text: str, owner: str, due: date) -> None:
        """Add a task to the Actions of ``key``'s post-mortem, as a person does in the
        editor: a mention of ``owner`` and a date, saved as the next version."""
        page = next(
            (p for p in wiki.pages(self.ctx) if str(p["title"]).startswith(f"Post-mortem {key}:")),
            None,
        )
        if page is None:
            raise LookupError(f"{key} has no post-mortem page yet")
        body = wiki.page_body(self.ctx, page["id"])
        heading = body.find(ACTIONS_HEADING)
        if heading < 0:
            raise LookupError(f"the post-mortem of {key} has no Actions section")
        at = body.index("</p>", heading) + len("</p>")
        mention = f'<ac:link><ri:user ri:account-id="{person(self.ctx, owner)["accountId"]}"/>'
        task = (
            "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
            f"</ac:task-status><ac:task-body>{escape_xml(text)} {mention}</ac:link> "
            f'<time datetime="{due.isoformat()}"/></ac:task-body></ac:task></ac:task-list>'
        )
        wiki.update_page(
            self.ctx,
            page["id"],
            int(page["version"]["number"]) + 1,
            storage_body=body[:at] + task + body[at:],
            author_email=email_of(who),
        )

    def finish_followup(self, key: str, who: str) -> None:
        """Resolve the follow-up issue the agent made for ``key`` (found by its property)."""
        for doc in self.ctx.store.all(ISSUE):
            marker = (doc.get("properties") or {}).get(FOLLOWUP_PROPERTY) or {}
            if marker.get("escalation") == key:
                self.move(str(doc["key"]), who, "Done")
                return
        raise LookupError(f"{key} has no follow-up issue yet")

    def reply_in_thread(self, key: str, who: str, text: str) -> None:
        """Reply in the ticket's incident thread (its labels say which: its report's, or
        the one the agent opened for it)."""
        labels = jira.get_issue(self.ctx, key)["fields"].get("labels") or []
        thread = thread_in_labels(str(label) for label in labels)
        if thread is None:
            raise LookupError(f"{key} has no incident thread yet")
        slack.post_message(self.ctx, thread.channel, text, slack_id(self.ctx, who), thread.ts)

    def _rest(self, fields: dict[str, Any]) -> dict[str, Any]:
        return rest_values(self.ctx, Timeline(self.ctx, self.ctx.clock.now()), fields)
