"""Pydantic models of a policy file; every model forbids unknown keys.

Rules are a discriminated union on ``rule:`` (``agent.policy.rule_models``) so each
rule only accepts its own parameters. Cross-references (roles, severities,
chains) are checked by ``agent.policy.checks`` after the shape is valid.
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, Field

from agent.core.model import Ticket
from agent.policy.rule_models import AnyRule, ChainStep
from agent.policy.types import (
    BUILTIN_ROLES,
    STRICT,
    LocalTime,
    NotifyTarget,
    RoleList,
    Weekday,
)


class Strict(BaseModel):
    model_config = STRICT


def _jql_value(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _jql_in(field: str, values: list[str]) -> str:
    return f"{field} in ({', '.join(_jql_value(v) for v in values)})"


class Select(Strict):
    """Which tickets a policy governs: all listed conditions must hold.

    ``labels`` and ``fields_set`` together form one "any of" condition: a ticket
    qualifies when it carries one of the labels or one of the fields is filled.
    ``jql`` is an extra fragment ANDed in by the adapter only.
    """

    projects: list[str] = Field(min_length=1)
    issue_types: list[str] = []
    priorities: list[str] = []
    labels: list[str] = []
    fields_set: list[str] = []
    jql: str | None = None

    def matches(self, ticket: Ticket) -> bool:
        if ticket.project not in self.projects:
            return False
        if self.issue_types and ticket.issue_type not in self.issue_types:
            return False
        if self.priorities and ticket.priority not in self.priorities:
            return False
        if self.labels or self.fields_set:
            by_label = bool(ticket.labels & set(self.labels))
            by_field = any(ticket.field_value(f) is not None for f in self.fields_set)
            return by_label or by_field
        return True

    def jql_clauses(self) -> list[str]:
        clauses = [_jql_in("project", self.projects)]
        if self.issue_types:
            clauses.append(_jql_in("issuetype", self.issue_types))
        if self.priorities:
            clauses.append(_jql_in("priority", self.priorities))
        anyof = []
        if self.labels:
            anyof.append(_jql_in("labels", self.labels))
        anyof.extend(f"{_jql_value(f)} is not EMPTY" for f in self.fields_set)
        if anyof:
            clauses.append(anyof[0] if len(anyof) == 1 else "(" + " OR ".join(anyof) + ")")
        if self.jql:
            clauses.append(f"({self.jql})")
        return clauses


class FieldSeverity(Strict):
    name: str
    map: dict[str, str]


class SeveritySpec(Strict):
    """Ordered levels (most severe first) and where a ticket's level comes from.

    Sources are tried in order: field, labels, priority; then ``default``.
    """

    levels: list[str] = Field(min_length=1)
    field: FieldSeverity | None = None
    labels: dict[str, str] = {}
    priority: dict[str, str] = {}
    default: str | None = None


class BusinessHoursSpec(Strict):
    start: LocalTime
    end: LocalTime
    weekdays: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]


class HolidaySpec(Strict):
    country: str
    subdivision: str | None = None
    extra: list[str] = []


class ChannelsSpec(Strict):
    """``escalation`` is a name template ({number}, {key}, {project}, {summary})."""

    escalation: str | None = None
    project: str | None = None


class UpdatesSpec(Strict):
    """What counts as a human update of a ticket and by whom (role names or ``any``)."""

    sources: list[Literal["jira_comment", "channel_message", "status_change"]] = ["jira_comment"]
    by: list[str] = ["assignee"]


class AfterHoursSpec(Strict):
    contacts: list[str] = Field(min_length=1)
    notify: list[NotifyTarget] = ["dm"]


class Policy(Strict):
    """One procedure: which tickets, who is who, the calendar, and its rules."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str
    select: Select
    severity: SeveritySpec | None = None
    roles: dict[str, RoleList] = {}
    timezone: str = "UTC"
    business_hours: BusinessHoursSpec = BusinessHoursSpec(start=time(9), end=time(17))
    holidays: HolidaySpec | None = None
    channels: ChannelsSpec = ChannelsSpec()
    updates: UpdatesSpec = UpdatesSpec()
    after_hours: AfterHoursSpec | None = None
    # Who hears a rule's message when nobody plays any role it is for (an escalation
    # naming no initiator): the first of these roles somebody plays on the ticket.
    fallback: list[str] = ["reporter", "assignee"]
    chains: dict[str, list[ChainStep]] = {}
    rules: list[AnyRule] = Field(min_length=1)

    def jql(self) -> str:
        """The JQL that fetches this policy's tickets, values quoted for JQL."""
        return " AND ".join(self.select.jql_clauses()) + " ORDER BY created ASC"

    def role_sources(self, role: str) -> list[str]:
        if role in BUILTIN_ROLES and role not in self.roles:
            return [role]
        return list(self.roles.get(role, []))

    def required_fields(self) -> list[str]:
        """Names of the Jira custom fields this policy reads, sorted, for fetching and check."""
        names: set[str] = set(self.select.fields_set)
        if self.severity and self.severity.field:
            names.add(self.severity.field.name)
        for sources in self.roles.values():
            for src in sources:
                if src.startswith("field:"):
                    names.add(src.removeprefix("field:"))
        for rule in self.rules:
            for attr in ("fields", "field", "after_field", "set_field"):
                value = getattr(rule, attr, None)
                if isinstance(value, str):
                    names.add(value)
                elif isinstance(value, list):
                    names.update(value)
        return sorted(n for n in names if n.lower() not in _NOT_CUSTOM)


_NOT_CUSTOM = frozenset(
    {
        "summary",
        "title",
        "description",
        "priority",
        "assignee",
        "reporter",
        "labels",
        "due date",
        "duedate",
        "resolution",
        "status",
        "evidence",
        "estimate",
    }
)
