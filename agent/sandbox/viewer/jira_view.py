"""Jira issues as the viewer shows them: display strings only, read from the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf, catalog, customfields
from agent.sandbox.jira.documents import ISSUE, custom_fields, issue_by_ref, projects
from agent.sandbox.store import Doc
from agent.sandbox.user_directory import BOT_EMAIL
from agent.sandbox.viewer.jira_markup import body_to_html
from agent.sandbox.viewer.storage_html import safe_href
from agent.sandbox.viewer.timefmt import from_jira

AGENT_PROPERTY = "escalation-agent"  # the property the agent puts on its comments
AGENT_EMAILS = frozenset({"agent@sandbox.example", BOT_EMAIL})


@dataclass(frozen=True)
class CommentView:
    author: str
    created: str
    body: Markup  # the body as Jira draws it (wiki markup or ADF rendered)
    by_agent: bool
    agent_rule: str = ""


@dataclass(frozen=True)
class IssueRow:
    key: str
    summary: str
    issuetype: str
    priority: str
    priority_color: str
    status: str
    status_category: str
    labels: list[str]
    assignee: str
    updated: str
    comment_count: int


@dataclass
class IssueView:
    row: IssueRow
    project: str
    reporter: str
    created: str
    resolution: str
    resolved: str
    description: str
    parent: str | None
    subtasks: list[IssueRow]
    custom: list[tuple[str, str]]
    attachments: list[str]
    comments: list[CommentView]
    links: list[tuple[str, str, str]] = field(default_factory=list)  # title, url, relationship
    history: list[tuple[str, str, str]] = field(default_factory=list)  # when, who, what


def _person(ctx: SandboxContext, account_id: str | None) -> str:
    if not account_id:
        return ""
    user = ctx.users.by_account_id(account_id)
    if user is None:
        return account_id
    name = str(user["displayName"])
    return f"{name} (deactivated)" if user.get("deleted") else name


def row(ctx: SandboxContext, doc: Doc) -> IssueRow:
    fields = doc["fields"]
    priority = catalog.PRIORITY_BY_ID.get(fields.get("priority") or "")
    status = catalog.STATUS_BY_ID[fields["status"]]
    return IssueRow(
        key=doc["key"],
        summary=str(fields.get("summary") or ""),
        issuetype=catalog.ISSUE_TYPE_BY_ID[fields["issuetype"]].name,
        priority=priority.name if priority else "",
        priority_color=priority.color if priority else "#999999",
        status=status.name,
        status_category=status.category_key,
        labels=list(fields.get("labels") or []),
        assignee=_person(ctx, fields.get("assignee")) or "Unassigned",
        updated=from_jira(fields.get("updated")),
        comment_count=len(doc["comments"]),
    )


def board(ctx: SandboxContext) -> list[tuple[Doc, list[IssueRow]]]:
    """Every project with its issues, newest first."""
    issues: dict[str, list[Doc]] = {}
    for doc in ctx.store.all(ISSUE):
        issues.setdefault(doc["projectId"], []).append(doc)
    result = []
    for project in projects(ctx):
        docs = sorted(issues.get(project["id"], []), key=lambda d: -int(d["number"]))
        result.append((project, [row(ctx, d) for d in docs]))
    return result


def _comment(ctx: SandboxContext, comment: Doc) -> CommentView:
    author = ctx.users.by_account_id(comment["author"])
    marker = comment.get("properties", {}).get(AGENT_PROPERTY)
    by_agent = marker is not None or (
        author is not None and author["emailAddress"].lower() in AGENT_EMAILS
    )
    rule = str(marker.get("rule", "")) if isinstance(marker, dict) else ""
    return CommentView(
        author=_person(ctx, comment["author"]),
        created=from_jira(comment["created"]),
        body=body_to_html(comment["body"]),
        by_agent=by_agent,
        agent_rule=rule,
    )


def _remote_links(doc: Doc) -> list[tuple[str, str, str]]:
    """The ticket's remote links (Jira's "Web links"): title, address, relationship."""
    found = []
    for link in doc.get("remotelinks", []):
        target = link.get("object") or {}
        url = safe_href(str(target.get("url", "")))
        if url is not None:
            title = str(target.get("title") or url)
            found.append((title, url, str(link.get("relationship") or "links to")))
    return found


def _custom(ctx: SandboxContext, doc: Doc) -> list[tuple[str, str]]:
    shown = []
    for field_doc in custom_fields(ctx):
        value = doc["fields"].get(field_doc["id"])
        if value is None:
            continue
        text = customfields.display_string(ctx, field_doc, value)
        if customfields.type_suffix(field_doc["type"]) == "datetime":
            text = from_jira(str(value))
        shown.append((str(field_doc["name"]), text or ""))
    return shown


def _change(ctx: SandboxContext, item: dict[str, Any]) -> str:
    before = item.get("fromString") or "—"
    after = item.get("toString") or "—"
    return f"{item.get('field')}: {before} → {after}"


def issue(ctx: SandboxContext, key: str) -> IssueView | None:
    doc = issue_by_ref(ctx, key)
    if doc is None:
        return None
    fields = doc["fields"]
    project = ctx.store.get("jira.project", doc["projectId"]) or {}
    parent = ctx.store.get(ISSUE, fields["parent"]) if fields.get("parent") else None
    children = [ctx.store.get(ISSUE, child) for child in doc.get("children", [])]
    resolution = catalog.RESOLUTION_BY_ID.get(fields.get("resolution") or "")
    history = [
        (from_jira(entry["created"]), _person(ctx, entry["author"]), _change(ctx, item))
        for entry in reversed(doc["changelog"])
        for item in entry["items"]
    ]
    return IssueView(
        row=row(ctx, doc),
        project=f"{project.get('name', '')} ({doc['projectKey']})",
        reporter=_person(ctx, fields.get("reporter")),
        created=from_jira(fields.get("created")),
        resolution=resolution["name"] if resolution else "Unresolved",
        resolved=from_jira(fields.get("resolutiondate")),
        description=adf.as_text(fields.get("description")) if fields.get("description") else "",
        parent=parent["key"] if parent else None,
        subtasks=[row(ctx, c) for c in children if c is not None],
        custom=_custom(ctx, doc),
        attachments=[f"{a['filename']} ({a['size']:,} bytes)" for a in doc["attachments"]],
        comments=[_comment(ctx, c) for c in reversed(doc["comments"])],
        links=_remote_links(doc),
        history=history,
    )
