"""Raw Jira JSON -> the domain model (:class:`~agent.core.model.Ticket` and friends).

Real sites hold surprises: null fields, deleted users, a priority scheme
without names, values of the wrong shape after a field's type changed. One
odd field must not hide a whole ticket from the agent, so each field converts
on its own; a failure becomes ``None`` plus a :class:`TicketProblem` note.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, cast

from agent.adapters.jira_fields import convert_value
from agent.adapters.jira_port import AGENT_PROPERTY, FieldInfo, TicketProblem
from agent.adapters.jira_values import (
    ValueProblem,
    as_dict,
    parse_jira_date,
    parse_jira_datetime,
    person_from_json,
    text_value,
)
from agent.core.model import (
    Change,
    Comment,
    FieldChange,
    Person,
    StatusCategory,
    Subtask,
    Ticket,
)

T = TypeVar("T")

BASE_FIELDS: tuple[str, ...] = (
    "summary",
    "status",
    "issuetype",
    "priority",
    "labels",
    "assignee",
    "reporter",
    "created",
    "updated",
    "resolution",
    "resolutiondate",
    "duedate",
    "timetracking",
    "project",
    "subtasks",
    "attachment",
    "issuelinks",
)
"""System fields every ticket needs; policies add the fields they name (custom or system)."""

_CATEGORIES: frozenset[str] = frozenset({"new", "indeterminate", "done"})


class UnusableIssue(ValueError):
    """An issue without a key or any usable timestamp: it cannot become a Ticket."""


@dataclass
class TicketConverter:
    """Converts issues for one search: which named fields to read, and where problems go."""

    named_fields: Mapping[str, FieldInfo]  # display name -> field, read into Ticket.fields
    browse_base: str  # site URL ending in "/"
    datacenter: bool = False  # people are named by username there, not accountId
    problems: list[TicketProblem] = field(default_factory=list)
    # The agent's own Jira account (accountId, or username on Data Center): a comment it
    # wrote is the agent's even when Jira's answer leaves out the comment's properties.
    agent_account: str | None = None

    # -- helpers -----------------------------------------------------------------
    def _try(self, key: str, name: str, convert: Callable[[], T]) -> T | None:
        try:
            return convert()
        except ValueProblem as exc:
            self.problems.append(TicketProblem(key, name, str(exc)))
            return None

    def person(self, key: str, name: str, raw: Any) -> Person | None:
        if raw is None:
            return None
        return self._try(key, name, lambda: person_from_json(raw, datacenter=self.datacenter))

    # -- issues ------------------------------------------------------------------
    def ticket(self, raw: Mapping[str, Any]) -> Ticket:
        issue_key = raw.get("key")
        if not isinstance(issue_key, str) or not issue_key:
            raise UnusableIssue(f"issue {raw.get('id')!r} has no key")
        fields = as_dict(raw.get("fields"))
        created = self._time(issue_key, "created", fields.get("created"))
        updated = self._time(issue_key, "updated", fields.get("updated"))
        if created is None and updated is None:
            raise UnusableIssue(f"{issue_key} has neither a created nor an updated time")
        created = created or updated
        updated = updated or created
        assert created is not None and updated is not None
        status = as_dict(fields.get("status"))
        named = {
            name: self._field(issue_key, info, fields.get(info.id))
            for name, info in self.named_fields.items()
        }
        return Ticket(
            key=issue_key,
            id=str(raw.get("id", "")),
            project=self._project(issue_key, fields.get("project")),
            summary=self._text(issue_key, "summary", fields.get("summary")) or "",
            issue_type=_name(fields.get("issuetype")) or "",
            status=_name(status) or "",
            status_category=self._category(issue_key, status),
            created=created,
            updated=updated,
            priority=self._named(issue_key, "priority", fields.get("priority")),
            labels=self._labels(issue_key, fields.get("labels")),
            assignee=self.person(issue_key, "assignee", fields.get("assignee")),
            reporter=self.person(issue_key, "reporter", fields.get("reporter")),
            resolution=self._named(issue_key, "resolution", fields.get("resolution")),
            resolved_at=self._time(issue_key, "resolutiondate", fields.get("resolutiondate")),
            due_date=self._date(issue_key, fields.get("duedate")),
            original_estimate_seconds=_estimate(fields.get("timetracking")),
            description=self._text(issue_key, "description", fields.get("description")),
            fields=named,
            subtasks=self._subtasks(issue_key, fields.get("subtasks")),
            attachment_count=_count(fields.get("attachment")),
            link_count=_count(fields.get("issuelinks")),
            url=f"{self.browse_base}browse/{issue_key}",
        )

    def _labels(self, key: str, raw: Any) -> frozenset[str]:
        if raw is None:
            return frozenset()
        if not isinstance(raw, list):
            # a bare string would otherwise become a set of its letters
            self.problems.append(TicketProblem(key, "labels", f"expected a list, got {raw!r:.80}"))
            return frozenset()
        return frozenset(x for x in raw if isinstance(x, str))

    def _field(self, key: str, info: FieldInfo, raw: Any) -> Any:
        return self._try(
            key, info.name, lambda: convert_value(info, raw, datacenter=self.datacenter)
        )

    def _time(self, key: str, name: str, raw: Any) -> datetime | None:
        if raw is None:
            return None
        return self._try(key, name, lambda: parse_jira_datetime(raw))

    def _date(self, key: str, raw: Any) -> datetime | None:
        if raw is None:
            return None
        return self._try(key, "duedate", lambda: parse_jira_date(raw))

    def _text(self, key: str, name: str, raw: Any) -> str | None:
        if raw is None:
            return None
        return self._try(key, name, lambda: text_value(raw))

    def _named(self, key: str, name: str, raw: Any) -> str | None:
        if raw is None:
            return None
        found = _name(raw)
        if found is None:
            self.problems.append(TicketProblem(key, name, f"has no name: {raw!r}"))
        return found

    def _project(self, key: str, raw: Any) -> str:
        if isinstance(raw, dict) and isinstance(raw.get("key"), str):
            return str(raw["key"])
        return key.rsplit("-", 1)[0]

    def _category(self, key: str, status: Mapping[str, Any]) -> StatusCategory:
        category = status.get("statusCategory")
        value = category.get("key") if isinstance(category, dict) else None
        if value in _CATEGORIES:
            return cast(StatusCategory, value)
        self.problems.append(
            TicketProblem(key, "status", f"unknown status category {value!r}; read as in progress")
        )
        return "indeterminate"

    def _subtasks(self, key: str, raw: Any) -> tuple[Subtask, ...]:
        found = []
        for item in raw or ():
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                self.problems.append(TicketProblem(key, "subtasks", f"odd sub-task {item!r}"))
                continue
            sub_fields = as_dict(item.get("fields"))
            status = as_dict(sub_fields.get("status"))
            found.append(
                Subtask(
                    key=item["key"],
                    summary=str(sub_fields.get("summary") or ""),
                    status_category=self._category(item["key"], status),
                )
            )
        return tuple(found)

    # -- details -----------------------------------------------------------------
    def comment(self, key: str, raw: Mapping[str, Any]) -> Comment | None:
        created = self._time(key, "comment", raw.get("created"))
        if created is None or raw.get("id") is None:
            self.problems.append(
                TicketProblem(key, "comment", f"unusable comment {raw.get('id')!r}")
            )
            return None
        marker = agent_marker(raw)
        author = self.person(key, "comment author", raw.get("author"))
        return Comment(
            id=str(raw["id"]),
            author=author,
            created=created,
            body=self._text(key, "comment body", raw.get("body")) or "",
            agent_rule=marker.get("rule"),
            agent_key=marker.get("key"),
            agent_author=(
                author is not None
                and self.agent_account is not None
                and author.account_id == self.agent_account
            ),
            public=is_public_comment(raw),
        )

    def change(self, key: str, raw: Mapping[str, Any]) -> Change | None:
        created = self._time(key, "changelog", raw.get("created"))
        if created is None:
            return None
        items = tuple(
            FieldChange(
                field=str(item.get("field") or item.get("fieldId") or ""),
                from_value=_optional_str(item.get("fromString")),
                to_value=_optional_str(item.get("toString")),
                field_id=_optional_str(item.get("fieldId")),
                from_id=_optional_str(item.get("from")),
                to_id=_optional_str(item.get("to")),
            )
            for item in raw.get("items") or ()
            if isinstance(item, dict)
        )
        return Change(
            author=self.person(key, "changelog author", raw.get("author")),
            created=created,
            items=items,
        )


# Jira Service Management marks an internal note with this comment property.
JSM_VISIBILITY_PROPERTY = "sd.public.comment"


def is_public_comment(raw_comment: Mapping[str, Any]) -> bool:
    """Whether a JSM customer sees the comment: not when its ``sd.public.comment`` property
    says ``{"internal": true}`` (how JSM stores an internal note), nor when Jira Cloud's
    ``jsdPublic`` is false (which holds even where properties are left out)."""
    if raw_comment.get("jsdPublic") is False:
        return False
    for prop in raw_comment.get("properties") or ():
        if isinstance(prop, dict) and prop.get("key") == JSM_VISIBILITY_PROPERTY:
            value = prop.get("value")
            if isinstance(value, dict) and value.get("internal") is True:
                return False
    return True


def agent_marker(raw_comment: Mapping[str, Any]) -> dict[str, str]:
    """``{"rule", "key"}`` from the comment's ``escalation-agent`` property, else ``{}``."""
    for prop in raw_comment.get("properties") or ():
        if isinstance(prop, dict) and prop.get("key") == AGENT_PROPERTY:
            value = prop.get("value")
            if isinstance(value, dict):
                return {k: str(v) for k, v in value.items() if k in ("rule", "key") and v}
    return {}


def _name(raw: Any) -> str | None:
    if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"]:
        return str(raw["name"])
    return None


def _estimate(raw: Any) -> int | None:
    if isinstance(raw, dict):
        seconds = raw.get("originalEstimateSeconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool):
            return seconds
    return None


def _count(raw: Any) -> int:
    return len(raw) if isinstance(raw, list) else 0


def _optional_str(raw: Any) -> str | None:
    return None if raw is None else str(raw)
