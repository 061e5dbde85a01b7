"""A ticket's severity level under a policy, and since when it has had it."""

from __future__ import annotations

from datetime import datetime

from agent.core.model import Ticket
from agent.policy.rule_models import SeverityUpgrade
from agent.policy.schema import Policy


def base_severity(policy: Policy, ticket: Ticket) -> str | None:
    """From the field, then labels, then priority, then the default (first match wins)."""
    spec = policy.severity
    if spec is None:
        return None
    if spec.field is not None:
        value = ticket.field_value(spec.field.name)
        if value is not None and str(value) in spec.field.map:
            return spec.field.map[str(value)]
    for label in sorted(ticket.labels):
        if label in spec.labels:
            return spec.labels[label]
    if ticket.priority is not None and ticket.priority in spec.priority:
        return spec.priority[ticket.priority]
    return spec.default


def severity(policy: Policy, ticket: Ticket) -> str | None:
    """The base level after any ``severity_upgrade`` rule (e.g. Sev2 + customer impact -> Sev1)."""
    level = base_severity(policy, ticket)
    for rule in policy.rules:
        if (
            isinstance(rule, SeverityUpgrade)
            and level == rule.from_level
            and str(ticket.field_value(rule.field)) == rule.equals
        ):
            level = rule.to_level
    return level


def severity_since(policy: Policy, ticket: Ticket) -> datetime:
    """The last change of any field the severity comes from, else the ticket's creation."""
    spec = policy.severity
    watched: set[str] = {"labels", "priority"}
    if spec is not None and spec.field is not None:
        watched.add(spec.field.name.lower())
    watched.update(r.field.lower() for r in policy.rules if isinstance(r, SeverityUpgrade))
    since = ticket.created
    for change in ticket.changelog:
        if any(item.field.lower() in watched for item in change.items) and change.created > since:
            since = change.created
    return since


def rank(policy: Policy, level: str | None) -> int:
    """0 for the most severe level; len(levels) when unknown."""
    levels = policy.severity.levels if policy.severity else []
    return levels.index(level) if level in levels else len(levels)
