"""Setup and closure checklists, severity upgrades and post-mortems."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from agent.core.actions import ActionKind
from agent.core.lazy import extended, once
from agent.core.obligations import ObligationKind
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.intake import missing_fields
from agent.core.rules.kind import Family, RuleKind, Says
from agent.core.rules.pages import field_values, plan_page, record
from agent.core.severity import base_severity, severity_since
from agent.policy.rule_models import (
    ClosureMissingFields,
    PostmortemDue,
    Sev1SetupMissing,
    SeverityUpgrade,
)
from agent.timekeeping.durations import format_duration


def resolved_at(ctx: RuleContext) -> datetime:
    return ctx.ticket.resolved_at or ctx.state.resolved_at or ctx.ticket.updated


def _field_set_at(ctx: RuleContext, field: str) -> datetime:
    """When ``field`` was last set (changelog), else when the ticket was last updated."""
    times = [
        change.created
        for change in ctx.ticket.changelog
        for item in change.items
        if item.field.lower() == field.lower() and item.to_value
    ]
    return max(times) if times else ctx.ticket.updated


def closure_missing_fields(ctx: RuleContext, rule: ClosureMissingFields) -> None:
    """Fields required on resolution, or once ``after_field`` is filled (e.g. root cause)."""
    if rule.after_field is not None:
        if ctx.ticket.field_value(rule.after_field) is None:
            return
        since = _field_set_at(ctx, rule.after_field)
        trigger = f"{rule.after_field} is set"
    else:
        if ctx.ticket.is_open:
            return
        since = resolved_at(ctx)
        trigger = "the ticket is resolved"
    due = since + rule.within if rule.within else since
    missing = missing_fields(ctx.ticket, rule.fields)
    ctx.obligation(
        "closure",
        due=due,
        met=not missing,
        reason=f"Now that {trigger}, {ctx.issue} needs {', '.join(missing) or 'nothing more'}.",
        template=ctx.template("ask_fields"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["jira", "dm"],
        context=lambda: ctx.context(missing=missing, trigger=trigger),
        task=f"fill in {', '.join(missing)} on {ctx.issue}",
    )


def sev1_setup_missing(ctx: RuleContext, rule: Sev1SetupMissing) -> None:
    """Within the setup window a Sev1 needs its fields and milestones (sub-tasks)."""
    if not ctx.ticket.is_open:
        return
    since = severity_since(ctx.policy, ctx.ticket)
    due = since + rule.within
    missing = missing_fields(ctx.ticket, rule.fields)
    if rule.milestones and not ctx.ticket.subtasks:
        missing.append("milestones (sub-tasks)")
    ctx.obligation(
        "setup",
        due=due,
        met=not missing,
        reason=(
            f"{ctx.issue} has been {ctx.severity} for {format_duration(rule.within)} and "
            f"still lacks {', '.join(missing) or 'nothing'}."
        ),
        template=ctx.template("ask_fields"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["jira", "dm"],
        context=lambda: ctx.context(missing=missing, since=iso(since)),
        task=f"give {ctx.issue} {', '.join(missing)}",
    )


def severity_upgrade(ctx: RuleContext, rule: SeverityUpgrade) -> None:
    """Record an upgrade the policy implies (e.g. Sev2 with customer impact -> Sev1)."""
    if not ctx.ticket.is_open:
        return
    base = base_severity(ctx.policy, ctx.ticket)
    if base != rule.from_level or str(ctx.ticket.field_value(rule.field)) != rule.equals:
        return
    reason = (
        f"{ctx.issue} is {rule.from_level} with {rule.field} = {rule.equals}, "
        f"so the procedure makes it {rule.to_level}."
    )
    data = ctx.context(from_level=rule.from_level, to_level=rule.to_level)
    if rule.set_field:
        ctx.action(
            ActionKind.JIRA_SET_FIELD,
            f"upgrade:{rule.set_field}={rule.to_level}",
            reason=reason,
            due=ctx.now,
            template=None,
            context={**data, "field": rule.set_field, "value": rule.to_level},
        )
    if rule.add_label and rule.add_label not in ctx.ticket.labels:
        ctx.action(
            ActionKind.JIRA_ADD_LABEL,
            f"upgrade:label:{rule.add_label}",
            reason=reason,
            due=ctx.now,
            template=None,
            context={**data, "label": rule.add_label},
        )
    if rule.remove_label and rule.remove_label in ctx.ticket.labels:
        # the old level's label goes, or the ticket would read as both levels at once
        ctx.action(
            ActionKind.JIRA_REMOVE_LABEL,
            f"upgrade:unlabel:{rule.remove_label}",
            reason=reason,
            due=ctx.now,
            template=None,
            context={**data, "label": rule.remove_label},
        )
    ctx.notify(
        rule.notify or ["jira"],
        ctx.action_key(f"upgrade:{rule.to_level}"),
        ctx.message(
            reason=reason,
            due=ctx.now,
            template=ctx.template("severity_upgrade"),
            audience=ctx.people_later(rule.to or ["assignee"]),
            context=data,
        ),
    )


def postmortem_done(ctx: RuleContext, rule: PostmortemDue) -> bool:
    """Whether the post-mortem page's status lozenge (read by the runtime) says done."""
    status = ctx.pages.get(ctx.rule_name)
    return status is not None and status.strip().upper() in {s.upper() for s in rule.done_status}


def postmortem_due(ctx: RuleContext, rule: PostmortemDue) -> None:
    """On resolution: draft the post-mortem page; by ``within`` it must be done.

    Done means its ``fields`` are filled in Jira OR a person set the page's status
    to one of ``done_status``: the procedure asks for the written post-mortem,
    and teams record it in one place or the other, so either one ends the nudges
    (and the open thread gets its "done" reply).
    """
    if ctx.ticket.is_open:
        return
    resolved = resolved_at(ctx)
    due = resolved + rule.within
    title = rule.title.format(key=ctx.issue, summary=ctx.ticket.summary)
    data = once(
        lambda: {
            **record(ctx, rule.fields, resolved),
            "space": rule.space,
            "title": title,
            "postmortem_due": iso(due),
        }
    )
    plan_page(
        ctx,
        resolved=resolved,
        what="the post-mortem",
        reason=(
            f"{ctx.issue} is a {ctx.severity} incident: a post-mortem is due."
            if ctx.severity
            else f"{ctx.issue} needs a post-mortem."
        ),
        template=rule.page_template or "confluence/postmortem.xml.j2",
        title=title,
        fields=field_values(ctx, rule.fields),
        data=data,
    )
    missing = missing_fields(ctx.ticket, rule.fields)
    ctx.obligation(
        "postmortem",
        due=due,
        met=not missing or postmortem_done(ctx, rule),
        reason=(
            f"The post-mortem for {ctx.issue} is due and still lacks "
            f"{', '.join(missing) or 'nothing'}."
        ),
        template=ctx.template("ask_fields"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["jira", "dm"],
        context=functools.partial(extended, data, {"missing": missing}),
        task=f"complete the post-mortem of {ctx.issue}",
    )


FAMILY = Family(
    "closure",
    "Setup, severity and closure",
    "Checklists, upgrades and post-mortems.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=ClosureMissingFields,
        handler=closure_missing_fields,
        family=FAMILY,
        description=(
            "Fields required at resolution, or once `after_field` is filled, within `within` "
            "(default: assignee, on Jira and by DM). Items stay open after the ticket closes."
        ),
        words="asked for missing closure fields",
        params={
            "after_field": (
                "Require the fields once this field is filled (e.g. Root Cause) instead of at"
                " resolution."
            ),
            "within": "Time after the trigger to fill them; unset: at once.",
        },
        templates=frozenset({"ask_fields"}),
        keeps_items_when_closed=True,
        declares_obligations=True,
        reads_messages=False,
        says=Says.NUDGE,
        adherence=ObligationKind.PAPERWORK,
    ),
    RuleKind(
        model=Sev1SetupMissing,
        handler=sev1_setup_missing,
        family=FAMILY,
        description=(
            "Within `within` of reaching its severity, a ticket has the `fields` and, with "
            "`milestones`, sub-tasks (default: assignee, on Jira and by DM)."
        ),
        words="asked for the Sev1 setup",
        params={
            "within": "Time after the ticket reached its severity.",
            "milestones": "Also require at least one sub-task (milestone).",
        },
        templates=frozenset({"ask_fields"}),
        declares_obligations=True,
        reads_messages=False,
        says=Says.NUDGE,
        adherence=ObligationKind.SET_UP,
    ),
    RuleKind(
        model=SeverityUpgrade,
        handler=severity_upgrade,
        family=FAMILY,
        description=(
            "A ticket at `from_level` whose `field` equals `equals` becomes `to_level`: the "
            "agent sets `set_field` / adds `add_label` / removes `remove_label` and tells the "
            "assignee (default: on the Jira ticket)."
        ),
        words="upgraded Sev2 to Sev1 (customer impact)",
        params={
            "field": "Jira field to look at.",
            "equals": "Value of `field` that triggers the upgrade.",
            "from_level": "The level being upgraded.",
            "to_level": "The level it becomes.",
            "set_field": "Jira field set to `to_level` (e.g. the severity field).",
            "add_label": "Label added to the upgraded ticket.",
            "remove_label": "Label removed from the upgraded ticket (the old level's, e.g. "
            "`sev2` when `add_label` is `sev1`).",
        },
        templates=frozenset({"severity_upgrade"}),
        reads_messages=False,
    ),
    RuleKind(
        model=PostmortemDue,
        handler=postmortem_due,
        family=FAMILY,
        description=(
            "On resolution the agent drafts a post-mortem page in `space` with the resolution"
            " time and links it from the ticket; within `within` its `fields` must be filled "
            "or its status lozenge set to a `done_status` (default: assignee, on Jira and by "
            "DM)."
        ),
        words="drafted the post-mortem",
        params={
            "within": "Time after resolution to complete the post-mortem.",
            "fields": "Fields shown on the page and required by `within`.",
            "space": "Confluence space of the post-mortem page.",
            "done_status": (
                "Titles of the page's status lozenge that mean the post-mortem is done (e.g. "
                "DONE, COMPLETE, APPROVED; any case); the obligation is met when the page "
                "says so or the `fields` are filled."
            ),
            "title": "Page title; placeholders `{key}`, `{summary}`.",
            "page_template": (
                "The page's template instead of the generic `confluence/postmortem.xml.j2`, "
                "e.g. one that extends it with the procedure's own sections (the support "
                "pack's `confluence/postmortem_support.xml.j2` adds the service credits due "
                "and the findings shared with the operator). `template:` names the message."
            ),
        },
        templates=frozenset({"ask_fields"}),
        keeps_items_when_closed=True,
        declares_obligations=True,
        reads_messages=False,
        reads_descriptions=True,
        paperwork=True,
        adherence=ObligationKind.PAPERWORK,
        template_files=frozenset({"confluence/postmortem.xml.j2"}),
    ),
)
