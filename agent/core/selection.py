"""Which policy governs a ticket: its ``select:`` read against the ticket's fields.

The policy only describes the selection (``agent.policy.schema.Select``); deciding it
needs a ticket, so it lives here with the model, and the planner, status, the reader
and replay all ask the same two functions. A ticket selected by several policies
belongs to the first (the planner reports the others as a problem).
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.core.model import Ticket
from agent.policy.rule_models import Followups
from agent.policy.schema import Policy, Select


def selects(select: Select, ticket: Ticket) -> bool:
    """Whether every condition of ``select`` holds for the ticket.

    ``labels`` and ``fields_set`` together form one "any of" condition: the ticket
    qualifies when it carries one of the labels or one of the fields is filled.
    ``jql`` is not read here: the Jira search applies it (``agent.adapters.jira_jql``).
    """
    if ticket.project not in select.projects:
        return False
    if select.issue_types and ticket.issue_type not in select.issue_types:
        return False
    if select.priorities and ticket.priority not in select.priorities:
        return False
    if select.labels or select.fields_set:
        by_label = bool(ticket.labels & set(select.labels))
        by_field = any(ticket.field_value(f) is not None for f in select.fields_set)
        return by_label or by_field
    return True


def is_followup(policy: Policy, ticket: Ticket) -> bool:
    """Whether the ticket carries a label of the policy's ``followups`` rule: it is an
    escalation's follow-up (which may sit in the escalation's own project), not one."""
    return any(
        isinstance(rule, Followups) and not ticket.labels.isdisjoint(rule.labels)
        for rule in policy.rules
    )


def governs(policy: Policy, ticket: Ticket) -> bool:
    """Whether the policy's ``select:`` picks the ticket (never one of its follow-ups)."""
    return selects(policy.select, ticket) and not is_followup(policy, ticket)


def governing_policy(policies: Iterable[Policy], ticket: Ticket) -> Policy | None:
    """The first policy that selects the ticket, as the planner decides; None if none does."""
    return next((p for p in policies if governs(p, ticket)), None)
