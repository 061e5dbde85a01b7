"""Follow-up issues in Jira: created once per page task, linked, found again by their property.

Each follow-up carries the entity property ``escalation-agent-followup``
(``{"escalation", "page", "task", "key"}``), set *in the create request*
(``IssueUpdateDetails.properties``,
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-post),
so no follow-up ever exists without it. An API-token client cannot make an
entity property searchable: only an app's ``jira:entityProperty`` module indexes
one for JQL (https://developer.atlassian.com/platform/forge/manifest-reference/modules/jira-entity-property/).
So the follow-ups are found by JQL on what every site indexes (the agent's own
issues, ``creator = currentUser()``, in the follow-up projects, created since the
escalation) with the property asked for in the same search (``properties=``), and
matched on its value. That search runs before every create: a crash between
the create and the page write, a lost state file or a second replica finds the
issue instead of making another.

A follow-up a person creates in Jira carries no property: the same search also
asks for the follow-up label (``labels in (...)``), and the issue is the
escalation's follow-up when it links to it (its ``issuelinks``, read in the same
search).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from agent.adapters.jira_http import JiraHttp, path_part
from agent.adapters.jira_jql import jql_quote
from agent.adapters.jira_read import PAGE_SIZE, _items
from agent.adapters.jira_write import may_have_taken_effect
from agent.core.followups import FOLLOWUP_PROPERTY
from agent.core.model import Ticket


@dataclass(frozen=True)
class NewIssue:
    """What an issue is created with (general: any caller may create an issue).

    ``assignee`` and ``reporter`` are accountIds on Cloud, usernames on Data Center;
    ``properties`` are entity properties stored with the issue in one request;
    ``fields`` are more fields by id, already in Jira's JSON shape
    (``JiraAdapter.shaped_fields``)."""

    project: str
    issue_type: str
    summary: str
    description: str | None = None
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    due: date | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    reporter: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def payload(self, *, datacenter: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "project": {"key": self.project},
            "issuetype": {"name": self.issue_type},
            "summary": self.summary[:255],
        }
        if self.description:
            fields["description"] = self.description
        if self.labels:
            fields["labels"] = list(self.labels)
        if self.assignee:
            fields["assignee"] = (
                {"name": self.assignee} if datacenter else {"accountId": self.assignee}
            )
        if self.reporter:
            fields["reporter"] = (
                {"name": self.reporter} if datacenter else {"accountId": self.reporter}
            )
        if self.due is not None:
            fields["duedate"] = self.due.isoformat()
        fields.update(self.fields)
        body: dict[str, Any] = {"fields": fields}
        if self.properties:
            body["properties"] = [{"key": k, "value": v} for k, v in self.properties.items()]
        return body


def create_issue(
    http: JiraHttp,
    new: NewIssue,
    *,
    datacenter: bool,
    find_existing: Callable[[], str | None],
) -> str:
    """Create the issue; returns its key. After an answer that may hide a create (5xx,
    a lost connection), ``find_existing`` is asked before trying again."""
    unclear = False

    def attempt() -> Any:
        nonlocal unclear
        if unclear:
            existing = find_existing()
            if existing is not None:
                return {"key": existing}
        try:
            return http.send("POST", "issue", None, new.payload(datacenter=datacenter))
        except Exception as exc:
            unclear = unclear or may_have_taken_effect(exc)
            raise

    made = http.caller.call("create_issue", attempt)
    return str(made["key"])


def link_issues(http: JiraHttp, inward: str, outward: str, link_type: str) -> None:
    """Link two issues (``POST issueLink``); Jira keeps one link per pair and type."""
    body = {
        "type": {"name": link_type},
        "inwardIssue": {"key": inward},
        "outwardIssue": {"key": outward},
    }
    http.post("link_issues", "issueLink", body)


def set_issue_property(http: JiraHttp, issue: str, key: str, value: Any) -> None:
    """Store ``value`` as the issue's entity property ``key``, replacing what it held
    ("Set issue property", ``PUT issue/{issueIdOrKey}/properties/{propertyKey}``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-properties/#api-rest-api-3-issue-issueidorkey-properties-propertykey-put).
    Idempotent: the same value again changes nothing."""
    http.put("set_issue_property", f"issue/{path_part(issue)}/properties/{path_part(key)}", value)


def linked_keys(http: JiraHttp, issue: str) -> set[str]:
    """Keys of every issue linked to ``issue`` (its ``issuelinks`` field)."""
    raw = http.get("issue_links", f"issue/{path_part(issue)}", {"fields": "issuelinks"}) or {}
    return links_of(raw)


def links_of(raw: dict[str, Any]) -> set[str]:
    """Keys of the issues a raw issue's ``issuelinks`` field links it to."""
    found: set[str] = set()
    for link in (raw.get("fields") or {}).get("issuelinks") or []:
        for side in ("inwardIssue", "outwardIssue"):
            other = link.get(side) if isinstance(link, dict) else None
            if isinstance(other, dict) and other.get("key"):
                found.add(str(other["key"]))
    return found


def followups_jql(projects: Sequence[str], since: date, labels: Sequence[str] = ()) -> str:
    """The agent's own issues, and any with one of ``labels``, in ``projects`` since ``since``."""
    names = ", ".join(jql_quote(p) for p in sorted(set(projects)))
    whose = "creator = currentUser()"
    if labels:
        whose = f"({whose} OR labels in ({', '.join(jql_quote(x) for x in sorted(set(labels)))}))"
    return f'{whose} AND project in ({names}) AND created >= "{since.isoformat()}"'


@dataclass(frozen=True)
class FoundFollowup:
    """A searched issue: its follow-up property ({} when it has none) and the issues it links to."""

    ticket: Ticket
    marker: dict[str, str]
    links: frozenset[str] = frozenset()


def search_with_property(
    http: JiraHttp, jql: str, field_ids: Sequence[str], *, cloud: bool
) -> Iterator[dict[str, Any]]:
    """Raw issues matching ``jql`` with the follow-up property (Cloud ``search/jql``,
    Data Center ``search``; both take ``properties``)."""
    token: str | None = None
    start = 0
    while True:
        params: dict[str, Any] = {
            "jql": jql,
            "fields": list(field_ids),
            "maxResults": PAGE_SIZE,
            "properties": FOLLOWUP_PROPERTY,
        }
        if cloud:
            if token:
                params["nextPageToken"] = token
            page = http.get("search_followups", "search/jql", params) or {}
            yield from _items(page, "issues", "search_followups")
            token = page.get("nextPageToken")
            if page.get("isLast", token is None) or not token:
                return
        else:
            params["startAt"] = start
            page = http.get("search_followups", "search", params) or {}
            issues = _items(page, "issues", "search_followups")
            yield from issues
            start += len(issues)
            if not issues or start >= int(page.get("total", 0)):
                return


def followup_marker(raw: dict[str, Any]) -> dict[str, str]:
    """The follow-up property of a raw searched issue, or {}."""
    value = (raw.get("properties") or {}).get(FOLLOWUP_PROPERTY)
    if not isinstance(value, dict):
        return {}
    return {k: str(v) for k, v in value.items() if v is not None}
