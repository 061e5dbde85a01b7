"""Jira for the demo: the five projects, the custom fields the packs read, and a
small language for tickets with a history (comments, moves, edits, attachments).

Ticket specs name people by handle (``taras``), select options by value and
date-times by how long ago they were; :func:`schedule_ticket` turns a spec into
timeline events that go through the Jira seeding API, so the stored issues,
changelogs and comments are exactly what the REST API would have made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.organisation import AGENT_EMAIL, email_of, person
from agent.sandbox.demo.timeline import Timeline
from agent.sandbox.jira import seeding as jira_seeding
from agent.sandbox.jira.changelog import now_stamp, record_history
from agent.sandbox.jira.documents import require_issue

AGENT_PROPERTY = "escalation-agent"  # the comment property the agent marks its comments with

# (key, name, lead handle, seed file): one project per procedure.
PROJECTS: tuple[tuple[str, str, str, str], ...] = (
    ("INC", "Incidents", "oleh", "000 incident-critical"),
    ("PS", "PS Customer Escalations", "diane", "001 ps-customer-escalation"),
    ("SUP", "Operator Support", "support-lead", "002 support-p1-p4"),
    ("DS", "Dev Support", "grace", "003 ds-ticket-escalation"),
    ("CLI", "Client Communication", "maria", "004 client-communication"),
)

# name -> (type key suffix, options): the contract in briefs/fields.md.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Escalation Reason": ("textarea", ()),
    "Escalation Contact": ("userpicker", ()),
    "Initiator": ("userpicker", ()),
    "Crew Lead": ("userpicker", ()),
    "Impact Level": ("select", ("Low", "Medium", "High")),
    "Summary of Findings": ("textarea", ()),
    "Root Cause": ("textarea", ()),
    "Severity": ("select", ("P1", "P2", "P3", "P4")),
    "Product Impacted": ("textfield", ()),
    "Impact": ("textarea", ()),
    "Time of Occurrence": ("datetime", ()),
    "Service Credits": ("textfield", ()),
    "Escalation Sev": ("select", ("Sev1", "Sev2")),
    "Escalation Severity Level": ("select", ("Critical", "High", "Medium")),
    "DRI": ("userpicker", ()),
    "Customer Impact": ("select", ("Yes", "No")),
    "Customer Sign-off": ("select", ("Yes", "No")),
    "Account Manager": ("userpicker", ()),
    "Project Manager": ("userpicker", ()),
    "Resolution Details": ("textarea", ()),
    "Prevention": ("textarea", ()),
}


# -- the ticket language ----------------------------------------------------------
@dataclass(frozen=True)
class Comment:
    ago: timedelta
    by: str
    text: str
    agent_rule: str | None = None  # set: an agent comment, marked as the agent marks them


@dataclass(frozen=True)
class Move:
    ago: timedelta
    by: str
    status: str


@dataclass(frozen=True)
class Edit:
    ago: timedelta
    by: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Attach:
    ago: timedelta
    by: str
    filename: str
    size: int = 48_213
    mime: str = "image/png"


Event = Comment | Move | Edit | Attach


@dataclass(frozen=True)
class TicketSpec:
    key: str  # the key the ticket must get (specs are listed in creation order)
    ago: timedelta
    summary: str
    reporter: str
    issuetype: str = "Task"
    priority: str = "Medium"
    assignee: str | None = None
    labels: tuple[str, ...] = ()
    description: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    estimate: str | None = None
    history: tuple[Event, ...] = ()

    @property
    def project(self) -> str:
        return self.key.split("-", 1)[0]


def create_projects_and_fields(ctx: SandboxContext) -> None:
    for key, name, lead, _seed in PROJECTS:
        jira_seeding.create_project(ctx, key, name, email_of(lead))
    for name, (suffix, options) in FIELDS.items():
        jira_seeding.create_custom_field(ctx, name, suffix, list(options) or None)


def _user_ref(ctx: SandboxContext, handle: str | None) -> dict[str, Any] | None:
    return None if handle is None else {"accountId": person(ctx, handle)["accountId"]}


def rest_values(
    ctx: SandboxContext, timeline: Timeline, values: Mapping[str, Any]
) -> dict[str, Any]:
    """Spec values (handles, option values, "how long ago") in the REST v2 form."""
    result: dict[str, Any] = {}
    for name, value in values.items():
        if name == "priority":
            result[name] = {"name": value}
        elif name == "labels":
            result[name] = list(value)
        elif name == "assignee":
            result[name] = _user_ref(ctx, value)
        elif name in FIELDS:
            suffix = FIELDS[name][0]
            if value is None:
                result[name] = None
            elif suffix == "userpicker":
                result[name] = _user_ref(ctx, value)
            elif suffix == "select":
                result[name] = {"value": value}
            elif suffix == "datetime":
                result[name] = timeline.moment(value).isoformat()
            else:
                result[name] = value
        else:
            raise KeyError(f"the demo does not know the field {name!r}")
    return result


def schedule_ticket(ctx: SandboxContext, timeline: Timeline, spec: TicketSpec) -> None:
    """Create the ticket at ``spec.ago`` and replay its history at the events' times."""

    def create() -> None:
        fields: dict[str, Any] = {
            "project": {"key": spec.project},
            "issuetype": {"name": spec.issuetype},
            "summary": spec.summary,
            "priority": {"name": spec.priority},
            "labels": list(spec.labels),
        }
        if spec.description:
            fields["description"] = spec.description
        if spec.assignee:
            fields["assignee"] = _user_ref(ctx, spec.assignee)
        if spec.parent:
            fields["parent"] = {"key": spec.parent}
        if spec.estimate:
            fields["timetracking"] = {"originalEstimate": spec.estimate}
        fields.update(rest_values(ctx, timeline, spec.fields))
        made = jira_seeding.create_issue(ctx, fields, email_of(spec.reporter))
        if made["key"] != spec.key:
            raise jira_seeding.SeedError(f"demo ticket {spec.key!r} was created as {made['key']!r}")

    timeline.at(spec.ago, create)
    for event in spec.history:
        if event.ago > spec.ago:
            raise ValueError(f"{spec.key}: an event {event.ago} ago predates the ticket")
        timeline.at(event.ago, _event_action(ctx, timeline, spec.key, event))


def _event_action(ctx: SandboxContext, timeline: Timeline, key: str, event: Event) -> Any:
    if isinstance(event, Comment):

        def comment() -> None:
            if event.agent_rule is not None:
                marker = {"rule": event.agent_rule, "key": f"demo:{key}:{event.agent_rule}"}
                jira_seeding.add_comment(
                    ctx, key, event.text, AGENT_EMAIL, {AGENT_PROPERTY: marker}
                )
            else:
                jira_seeding.add_comment(ctx, key, event.text, email_of(event.by))

        return comment
    if isinstance(event, Move):
        return lambda: jira_seeding.transition(ctx, key, event.status, email_of(event.by))
    if isinstance(event, Edit):
        return lambda: jira_seeding.edit_issue(
            ctx, key, rest_values(ctx, timeline, event.fields), email_of(event.by)
        )
    return lambda: attach(ctx, key, event)


def attach(ctx: SandboxContext, key: str, event: Attach) -> None:
    """Record an attachment as ``POST /issue/{key}/attachments`` does (the seeding API has
    no attachment call): the file's metadata plus an ``Attachment`` changelog entry."""
    author = person(ctx, event.by)
    with ctx.store.lock:
        issue = require_issue(ctx, key)
        stamp, _millis = now_stamp(ctx)
        item = {
            "id": str(ctx.store.next_id("jira.attachment", 10000)),
            "filename": event.filename,
            "author": author["accountId"],
            "created": stamp,
            "size": event.size,
            "mimeType": event.mime,
        }
        issue["attachments"].append(item)
        change = {
            "field": "Attachment",
            "fieldtype": "jira",
            "fieldId": "attachment",
            "from": None,
            "fromString": None,
            "to": item["id"],
            "toString": event.filename,
        }
        record_history(ctx, issue, author, [change])
