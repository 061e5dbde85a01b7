"""Clock rules about getting started: alert, acknowledge, estimate, progress, call, after hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from agent.core.actions import ActionKind
from agent.core.destinations import Channel
from agent.core.human_updates import first_acknowledgement
from agent.core.lazy import once
from agent.core.obligations import ObligationKind
from agent.core.routing import destination
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.intake import field_present
from agent.core.rules.kind import Family, RuleKind, Says
from agent.core.slack_reports import reported_at
from agent.policy.rule_models import (
    AckOverdue,
    AfterHoursPage,
    CallNeeded,
    EscalationAlert,
    EstimateMissing,
    ProgressOverdue,
)
from agent.timekeeping.durations import format_duration


def escalation_alert(ctx: RuleContext, rule: EscalationAlert) -> None:
    """Tag the people the procedure names when a ticket becomes an escalation (pin if asked)."""
    targets = rule.notify or ["project_channel"]
    if not ctx.ticket.is_open:
        if rule.pin:
            for where in _channels(ctx, targets):
                ctx.action(
                    ActionKind.SLACK_UNPIN,
                    "unpin",
                    where=where.spec,
                    reason="The escalation is closed; its pin is removed.",
                    due=ctx.ticket.resolved_at or ctx.now,
                    template=None,
                    channel=where,
                    context={**ctx.context(), "message_key": ctx.key("alert", where.spec)},
                )
        return
    before = len(ctx.actions)
    ctx.speak_once(
        "alert",
        targets=targets,
        reason=f"{ctx.issue} is an escalation; the procedure tags these people.",
        due=ctx.ticket.created,
        template=ctx.template("alert"),
        audience=ctx.people_later(rule.mention or ["assignee"]),
        # the page is the after-hours contacts' one message; the alert follows at opening
        wait=paged_after_hours(ctx),
    )
    if not rule.pin:
        return
    # pin the alert where it is posted now, or was posted before (a failed pin is retried)
    posted = [
        a.channel
        for a in ctx.actions[before:]
        if a.kind is ActionKind.SLACK_POST and isinstance(a.channel, Channel)
    ]
    posted += [w for w in _channels(ctx, targets) if w not in posted and ctx.done("alert", w.spec)]
    for where in posted:
        ctx.action(
            ActionKind.SLACK_PIN,
            "pin",
            where=where.spec,
            reason="The procedure pins the escalation thread in the channel.",
            due=ctx.ticket.created,
            template=None,
            channel=where,
            context=lambda spec=where.spec: {
                **ctx.context(),
                "message_key": ctx.key("alert", spec),
            },
        )


def _channels(ctx: RuleContext, targets: list[str]) -> list[Channel]:
    """The named channels among ``targets`` (pins are for channels, not DMs or threads)."""
    found = [destination(ctx.policy, ctx.ticket, t) for t in targets]
    return [c for c in found if isinstance(c, Channel)]


def ack_overdue(ctx: RuleContext, rule: AckOverdue) -> None:
    if not ctx.ticket.is_open:
        return
    reported = reported_at(ctx.ticket)  # a report made in Slack: the message's time
    due = reported + rule.within
    acked = first_acknowledgement(ctx.updates(rule.by), reported) is not None
    ctx.obligation(
        "ack",
        due=due,
        met=acked,
        reason=f"{ctx.issue} was not acknowledged within {_minutes(rule.within)} of reporting.",
        template=ctx.template("nudge"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["escalation_channel"],
        task=f"acknowledge {ctx.issue}",
    )


def estimate_missing(ctx: RuleContext, rule: EstimateMissing) -> None:
    if not ctx.ticket.is_open:
        return
    due = ctx.ticket.created + rule.within if rule.within else ctx.ticket.created
    ctx.obligation(
        "estimate",
        due=due,
        met=field_present(ctx.ticket, "estimate"),
        reason=f"{ctx.issue} has no resolution estimate (original estimate or due date).",
        template=ctx.template("ask_estimate"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["jira", "dm"],
        task=f"give {ctx.issue} a resolution estimate",
    )


def last_progress(ctx: RuleContext, by: list[str]) -> datetime:
    """The latest of: creation, (re)assignment, and an update by ``by``."""
    moments = [ctx.ticket.created]
    moments += [
        change.created
        for change in ctx.ticket.changelog
        if any(item.field.lower() == "assignee" for item in change.items)
    ]
    moments += [u.at for u in ctx.updates(by)]
    return max(m for m in moments if m <= ctx.now) if moments else ctx.ticket.created


def progress_overdue(ctx: RuleContext, rule: ProgressOverdue) -> None:
    if not ctx.ticket.is_open:
        return
    due = last_progress(ctx, rule.by) + rule.within
    ctx.obligation(
        "progress",
        due=due,
        met=False,
        reason=f"No progress on {ctx.issue} for {_minutes(rule.within)}.",
        template=ctx.template("nudge"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["project_channel", "dm"],
        task=f"make progress on {ctx.issue}",
    )


def call_needed(ctx: RuleContext, rule: CallNeeded) -> None:
    if not ctx.ticket.is_open:
        return
    due = last_progress(ctx, rule.by) + rule.after
    if ctx.now < due:
        return
    people = once(ctx.people_later(rule.participants))
    ctx.speak_once(
        f"call@{iso(due)}",
        targets=rule.notify or ["project_channel"],
        reason=(
            f"No progress on {ctx.issue} for {_minutes(rule.after)}: "
            "organise a call to agree on a solution."
        ),
        due=due,
        template=ctx.template("call_needed"),
        audience=people,
        context=lambda: ctx.context(participants=[p.label for p in people()]),
    )


def _pages_now(ctx: RuleContext) -> bool:
    """Whether the ticket was raised outside business hours that have not opened since."""
    created = ctx.ticket.created
    if not ctx.ticket.is_open or ctx.calendar.is_business_time(created):
        return False
    return ctx.now < ctx.calendar.next_business_time(created)


def paged_after_hours(ctx: RuleContext) -> bool:
    """Whether an ``after_hours_page`` rule pages this ticket's after-hours contacts now:
    then a one-off announcement that would be redirected to the same people is not sent
    to them as a second, near-identical DM; it waits for business hours instead."""
    spec = ctx.policy.after_hours
    if spec is None or not ctx.quiet() or not _pages_now(ctx):
        return False
    return any(
        isinstance(rule, AfterHoursPage)
        and (not rule.severities or ctx.severity in rule.severities)
        and (not rule.to or rule.to == spec.contacts)
        and (not rule.notify or rule.notify == spec.notify)
        for rule in ctx.policy.rules
    )


def after_hours_page(ctx: RuleContext, rule: AfterHoursPage) -> None:
    """A ticket raised outside business hours pages the after-hours contacts at once."""
    if not _pages_now(ctx):
        return
    created = ctx.ticket.created
    spec = ctx.policy.after_hours
    roles = rule.to or (spec.contacts if spec else [])
    if not roles:
        ctx.problem("after_hours_page needs to: or an after_hours: section")
        return
    ctx.notify(
        rule.notify or (spec.notify if spec else ["dm"]),
        ctx.action_key(f"page@{iso(created)}"),
        ctx.message(
            reason=f"{ctx.issue} was raised outside business hours and needs immediate attention.",
            due=created,
            template=ctx.template("page"),
            audience=ctx.people_later(roles),
            context=ctx.context,
        ),
    )


def _minutes(delta: timedelta) -> str:
    return format_duration(delta)


FAMILY = Family(
    "clocks",
    "Getting started",
    "Alert, acknowledge, estimate, progress, call, page.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=EscalationAlert,
        handler=escalation_alert,
        family=FAMILY,
        description=(
            "When a ticket becomes an escalation, the people the procedure names are tagged "
            "(default: the assignee, in the project channel); optionally pinned."
        ),
        words="alerted the people on call",
        params={
            "mention": "Roles tagged in the alert; empty: the assignee.",
            "pin": "Pin the alert in the channel; unpinned on resolution.",
        },
        templates=frozenset({"alert"}),
        reads_messages=False,
    ),
    RuleKind(
        model=AckOverdue,
        handler=ack_overdue,
        family=FAMILY,
        description=(
            "An escalation is acknowledged within `within` of being raised: an update by the "
            "`by` roles. Otherwise the assignee is nudged (default: assignee, in the "
            "escalation channel)."
        ),
        words="nudged: not acknowledged",
        params={
            "within": "Time after creation to acknowledge.",
            "by": (
                "Roles whose update counts as the acknowledgement; empty: the policy's "
                "`updates.by`."
            ),
        },
        templates=frozenset({"nudge"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.ACKNOWLEDGEMENT,
    ),
    RuleKind(
        model=EstimateMissing,
        handler=estimate_missing,
        family=FAMILY,
        description=(
            "An escalation gets a resolution estimate (original estimate or due date) within "
            "`within` (default: assignee, on Jira and by DM)."
        ),
        words="asked for a resolution estimate",
        params={
            "within": "Time after creation to give an estimate; unset: at once.",
        },
        templates=frozenset({"ask_estimate"}),
        declares_obligations=True,
        reads_messages=False,
        says=Says.NUDGE,
        adherence=ObligationKind.SET_UP,
    ),
    RuleKind(
        model=ProgressOverdue,
        handler=progress_overdue,
        family=FAMILY,
        description=(
            "Progress at least every `within`: an update by `by`, or a (re)assignment "
            "(default: assignee, in the project channel and by DM)."
        ),
        words="nudged: no progress",
        params={
            "within": "Longest time without progress.",
        },
        templates=frozenset({"nudge"}),
        declares_obligations=True,
        says=Says.NUDGE,
        adherence=ObligationKind.UPDATE_CADENCE,
    ),
    RuleKind(
        model=CallNeeded,
        handler=call_needed,
        family=FAMILY,
        description=(
            "After `after` without progress, a call with the `participants` is asked for, "
            "once per stall (default channel: the project channel)."
        ),
        words="asked for a call",
        params={
            "after": "Time without progress after which a call is needed.",
            "by": "Roles whose updates count as progress.",
            "participants": "Roles invited to the call (tagged in the message).",
        },
        templates=frozenset({"call_needed"}),
        says=Says.CALL,
    ),
    RuleKind(
        model=AfterHoursPage,
        handler=after_hours_page,
        family=FAMILY,
        description=(
            "A ticket raised outside business hours pages the `after_hours` contacts at once "
            "(or `to:`), by their `after_hours.notify` (default DM)."
        ),
        words="paged the on-call leads after hours",
        templates=frozenset({"page"}),
        reads_messages=False,
        says=Says.PAGE,
    ),
)
