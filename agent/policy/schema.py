"""Pydantic models of a policy file; every model forbids unknown keys.

Rules are a discriminated union on ``rule:`` (``agent.policy.rule_models``) so each
rule only accepts its own parameters. Cross-references (roles, severities,
chains) are checked by ``agent.policy.checks`` after the shape is valid.
"""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from agent.policy.rule_models import AnyRule, ChainStep
from agent.policy.types import (
    BUILTIN_ROLES,
    STRICT,
    LocalTime,
    NotifyTarget,
    RoleList,
    Weekday,
)
from agent.timekeeping.zones import zone_named


class Strict(BaseModel):
    model_config = STRICT


class Select(Strict):
    """Which tickets a policy governs: all listed conditions must hold.

    ``labels`` and ``fields_set`` together form one "any of" condition: a ticket
    qualifies when it carries one of the labels or one of the fields is filled.
    ``jql`` is an extra fragment ANDed in by the Jira search only. The core decides
    a ticket (``agent.core.selection``); the Jira adapter writes the query
    (``agent.adapters.jira_jql.policy_jql``).
    """

    projects: list[str] = Field(min_length=1)
    issue_types: list[str] = []
    priorities: list[str] = []
    labels: list[str] = []
    fields_set: list[str] = []
    jql: str | None = None


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

    @property
    def zone(self) -> ZoneInfo:
        """The policy's time zone: its ``timezone:``, or ``AGENT_TIMEZONE`` when the file
        names none (the loader fills it in and checks that it exists)."""
        return zone_named(self.timezone)

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
