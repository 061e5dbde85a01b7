"""Clerical steps the procedure asks for: priority, label, escalation channel, PM watcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.core.actions import ActionKind, Recipient
from agent.core.routing import channel_spec
from agent.core.rules.base import RuleContext
from agent.policy.rule_models import ClericalChannel, ClericalLabel, ClericalPriority, PmWatcher


def clerical_priority(ctx: RuleContext, rule: ClericalPriority) -> None:
    if not ctx.ticket.is_open or ctx.ticket.priority == rule.priority:
        return
    ctx.action(
        ActionKind.JIRA_SET_PRIORITY,
        f"priority:{ctx.ticket.priority or 'none'}->{rule.priority}",
        reason=f"The procedure moves escalations to {rule.priority} priority.",
        due=ctx.now,
        template=None,
        context=lambda: ctx.context(priority=rule.priority, previous=ctx.ticket.priority),
    )


def clerical_label(ctx: RuleContext, rule: ClericalLabel) -> None:
    if not ctx.ticket.is_open or rule.label in ctx.ticket.labels:
        return
    ctx.action(
        ActionKind.JIRA_ADD_LABEL,
        f"label:{rule.label}",
        reason=f"The procedure tags escalations with {rule.label}.",
        due=ctx.now,
        template=None,
        context=lambda: ctx.context(label=rule.label),
    )


def _fixed_recipients(refs: list[str]) -> tuple[Recipient, ...]:
    found = []
    for ref in refs:
        if ref.startswith("email:"):
            found.append(Recipient(role="always_include", email=ref.removeprefix("email:")))
        elif ref.startswith("group:"):
            found.append(Recipient(role="always_include", group=ref.removeprefix("group:")))
    return tuple(found)


def clerical_channel(ctx: RuleContext, rule: ClericalChannel) -> None:
    """Create the public escalation channel, introduce and pin the ticket in it, invite
    everyone, and post it on the ticket (comment and remote link)."""
    if not ctx.ticket.is_open:
        return
    name = ctx.channel_name()
    if name is None:
        ctx.problem("clerical_channel needs channels.escalation in the policy")
        return
    channel = f"escalation:{ctx.issue}"
    data = ctx.context(channel_name=name)
    ctx.action(
        ActionKind.SLACK_CREATE_CHANNEL,
        "channel",
        reason=f"Communication about {ctx.issue} is centralised in one public channel.",
        due=ctx.now,
        template=None,
        channel=channel,
        context={**data, "is_private": False, "on_archived": rule.archived},
    )
    _introduce(ctx, channel, data)
    people = ctx.people(rule.invite, required=False) + _fixed_recipients(rule.always_include)
    missing = [r for r in rule.invite if not ctx.anybody_plays(r)]
    for role in missing:
        # say why (empty field, deactivated user...), not only that the role is empty
        why = ctx.resolution([role]).problems
        detail = "; ".join(why) or "nobody holds that role on the ticket"
        ctx.problem(f"cannot invite {role} to #{name}: {detail}")
    for person in people:
        who = person.account_id or person.email or f"@{(person.group or '').lstrip('@')}"
        role_name = person.role.replace("_", " ")
        ctx.action(
            ActionKind.SLACK_INVITE,
            f"invite:{who}",
            reason=f"The procedure includes the {role_name} in the escalation channel.",
            due=ctx.now,
            template=None,
            audience=(person,),
            channel=channel,
            context=data,
        )
    if rule.announce_on_ticket:
        ctx.action(
            ActionKind.JIRA_COMMENT,
            "announce",
            reason="The procedure posts the escalation channel on the ticket.",
            due=ctx.now,
            template="jira/channel_announce.j2",
            context=data,
        )
        ctx.action(
            ActionKind.JIRA_REMOTE_LINK,
            "channel:link",
            reason="The ticket links to its escalation channel.",
            due=ctx.now,
            template=None,
            # the channel's URL is only known once it exists: the handler takes it
            # from the channel action's result
            context={**data, "link_from_ref": ctx.key("channel"), "link_title": f"Slack #{name}"},
        )
    for target in rule.announce_in:
        where = channel_spec(ctx.policy, ctx.ticket, target)
        if where is None:
            continue
        ctx.action(
            ActionKind.SLACK_POST,
            f"announce#{where}",
            reason=f"The escalation channel #{name} is announced in {where}.",
            due=ctx.now,
            template="slack/channel_announce.j2",
            channel=where,
            context=data,
        )


def _introduce(ctx: RuleContext, channel: str, data: dict[str, Any]) -> None:
    """A first message in the channel with the ticket (link, summary, severity, assignee),
    pinned so that whoever joins later finds what the channel is about."""
    ctx.action(
        ActionKind.SLACK_POST,
        "channel:intro",
        reason=f"The escalation channel says which ticket it is for: {ctx.issue}.",
        due=ctx.now,
        template="slack/channel_intro.j2",
        channel=channel,
        context=data,
    )
    ctx.action(
        ActionKind.SLACK_PIN,
        "channel:pin",
        reason="The ticket link stays pinned in the escalation channel.",
        due=ctx.now,
        template=None,
        channel=channel,
        context={**data, "message_key": ctx.key("channel:intro")},
    )


def pm_watcher(ctx: RuleContext, rule: PmWatcher) -> None:
    """Copy the project manager on the ticket by making them a watcher."""
    watching = {w.account_id for w in ctx.ticket.watchers}
    for person in ctx.people([rule.role]):
        if person.account_id in watching:
            continue
        ctx.action(
            ActionKind.JIRA_ADD_WATCHER,
            f"watcher:{person.account_id or person.email}",
            reason=f"The procedure copies the {rule.role} on every ticket.",
            due=ctx.now,
            template=None,
            audience=(person,),
        )


HANDLERS: dict[str, Callable[[RuleContext, Any], None]] = {
    "clerical_priority": clerical_priority,
    "clerical_label": clerical_label,
    "clerical_channel": clerical_channel,
    "pm_watcher": pm_watcher,
}
