"""Intake: the report carries what the procedure needs, and is an acceptable escalation."""

from __future__ import annotations

from typing import Any

from agent.core.actions import ActionKind
from agent.core.model import Ticket
from agent.core.obligations import ObligationKind
from agent.core.rules.base import RuleContext
from agent.core.rules.kind import Family, RuleKind, Says
from agent.core.slack_reports import report_thread
from agent.policy.rule_models import IntakeMissingFields, IntakeRejected, SlackIntake
from agent.policy.schema import Policy


def field_present(ticket: Ticket, name: str) -> bool:
    """Whether a field is filled (``evidence``: attachment or link; ``estimate``: or due date)."""
    lowered = name.lower()
    if lowered == "evidence":
        return ticket.attachment_count + ticket.link_count > 0
    if lowered == "estimate":
        return bool(ticket.original_estimate_seconds) or ticket.due_date is not None
    value = ticket.field_value(name)
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def missing_fields(ticket: Ticket, names: list[str]) -> list[str]:
    return [name for name in names if not field_present(ticket, name)]


def asked_in_thread(policy: Policy, ticket: Ticket) -> bool:
    """Whether the ticket was made from a report in Slack whose thread its ``slack_intake``
    rule asks for the missing report items: the reporter is asked there, where they
    reported, and a second ask on the Jira ticket would repeat it."""
    return report_thread(ticket) is not None and any(
        isinstance(rule, SlackIntake) and rule.project == ticket.project and rule.ask_for
        for rule in policy.rules
    )


def intake_missing_fields(ctx: RuleContext, rule: IntakeMissingFields) -> None:
    if not ctx.ticket.is_open or asked_in_thread(ctx.policy, ctx.ticket):
        return
    missing = missing_fields(ctx.ticket, rule.fields)
    due = ctx.ticket.created + rule.within if rule.within else ctx.ticket.created
    ctx.obligation(
        "fields",
        due=due,
        met=not missing,
        reason=f"{ctx.issue} is missing {', '.join(missing)}; the procedure needs them.",
        template=ctx.template("ask_fields"),
        audience=ctx.people_later(rule.to or ["reporter"]),
        targets=rule.notify or ["jira"],
        context=lambda: ctx.context(missing=missing),
        task=f"fill in {', '.join(missing)} on {ctx.issue}",
    )


def rejected_value(policy: Policy, ticket: Ticket) -> str | None:
    """The field value that makes this ticket unacceptable as an escalation, if any."""
    for rule in policy.rules:
        if isinstance(rule, IntakeRejected):
            value = ticket.field_value(rule.field)
            if value is not None and str(value) in rule.values:
                return str(value)
    return None


def intake_rejected(ctx: RuleContext, rule: IntakeRejected) -> None:
    value = ctx.ticket.field_value(rule.field)
    if not ctx.ticket.is_open or value is None or str(value) not in rule.values:
        return
    reason = f"{rule.field} is {value}, which this procedure does not accept as an escalation."
    ctx.speak_once(
        f"{rule.field}={value}",
        targets=rule.notify or ["jira"],
        reason=reason,
        due=ctx.now,
        template=ctx.template("rejected"),
        audience=ctx.people_later(rule.to or ["reporter"]),
        context=lambda: ctx.context(field=rule.field, value=str(value)),
    )
    if rule.remove_label and rule.remove_label in ctx.ticket.labels:
        ctx.action(
            ActionKind.JIRA_REMOVE_LABEL,
            f"unlabel:{rule.remove_label}",
            reason=reason,
            due=ctx.now,
            template=None,
            context=lambda: ctx.context(label=rule.remove_label),
        )


FAMILY = Family(
    "intake",
    "Intake",
    "Is the report complete and acceptable?",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=IntakeMissingFields,
        handler=intake_missing_fields,
        family=FAMILY,
        description=(
            "A new escalation must carry the fields the procedure needs. While any is empty "
            "after `within`, the reporter is asked for the missing ones (default: reporter, "
            "on the Jira ticket). A ticket made from a report in Slack is not asked here when "
            "its `slack_intake` rule asks for the missing report items in the report's thread."
        ),
        words="asked for a complete report",
        params={
            "within": "Time after creation to fill them; unset: at once.",
        },
        templates=frozenset({"ask_fields"}),
        runs_while_held=True,
        declares_obligations=True,
        reads_messages=False,
        says=Says.NUDGE,
        adherence=ObligationKind.SET_UP,
    ),
    RuleKind(
        model=IntakeRejected,
        handler=intake_rejected,
        family=FAMILY,
        description=(
            "Some field values make a ticket unacceptable as an escalation. The reporter is "
            "told once why (default: reporter, on the Jira ticket), an optional label is "
            "removed, and no per-ticket rule other than the intake rules acts on it."
        ),
        words="rejected: impact too low to escalate",
        params={
            "values": "Values of `field` that are not acceptable.",
            "remove_label": (
                "Label to remove from a rejected ticket (e.g. the one that made it an escalation)."
            ),
        },
        templates=frozenset({"rejected"}),
        runs_while_held=True,
        reads_messages=False,
    ),
)
