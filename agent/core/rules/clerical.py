"""Clerical steps the procedure asks for: priority, label, escalation channel, PM watcher."""

from __future__ import annotations

import hashlib
from typing import Any

from agent.core.actions import ActionKind, Recipient
from agent.core.destinations import Destination, EscalationChannel
from agent.core.routing import destination
from agent.core.rules.base import RuleContext
from agent.core.rules.kind import Family, RuleKind
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
    everyone, and post it on the ticket (comment and remote link).

    When the ticket's channel was found archived (nobody, the bot included, can use it
    again), all of this is planned once more for its successor, under keys marked with
    the channel's generation (``channel@2``...); the successor says which channel it
    replaces.
    """
    if not ctx.ticket.is_open:
        return
    name = ctx.channel_name()
    if name is None:
        ctx.problem("clerical_channel needs channels.escalation in the policy")
        return
    generation = ctx.state.channel_generation
    mark = "" if generation == 1 else f"@{generation}"
    channel = EscalationChannel(ctx.issue)
    data = ctx.context(channel_name=name, channel_action=ctx.key(f"channel{mark}"))
    created: dict[str, Any] = {**data, "is_private": False, "on_archived": rule.archived}
    if ctx.state.archived_channels:
        created["replaces"] = ctx.state.archived_channels[-1]
    ctx.action(
        ActionKind.SLACK_CREATE_CHANNEL,
        f"channel{mark}",
        reason=(
            f"Communication about {ctx.issue} is centralised in one public channel."
            if generation == 1
            else f"The escalation channel of {ctx.issue} was archived; a new one replaces it."
        ),
        due=ctx.now,
        template=None,
        channel=channel,
        context=created,
    )
    _introduce(ctx, channel, data, mark)
    _invite(ctx, rule, data, mark=mark, name=name)
    if rule.announce_on_ticket:
        ctx.action(
            ActionKind.JIRA_COMMENT,
            f"announce{mark}",
            reason="The procedure posts the escalation channel on the ticket.",
            due=ctx.now,
            template="jira/channel_announce.j2",
            context=data,
        )
        ctx.action(
            ActionKind.JIRA_REMOTE_LINK,
            f"channel:link{mark}",
            reason="The ticket links to its escalation channel.",
            due=ctx.now,
            template=None,
            # the channel's URL (and a successor's name) is only known once it exists:
            # the handler takes it from the channel action's result
            context={
                **data,
                "link_from_ref": ctx.key(f"channel{mark}"),
                "link_title": f"Slack #{name}",
                "link_names_ref": True,
            },
        )
    if generation > 1:
        return  # the announcements elsewhere named the first channel; the ticket has the new one
    for target in rule.announce_in:
        where = destination(ctx.policy, ctx.ticket, target)
        if where is None:
            continue
        ctx.action(
            ActionKind.SLACK_POST,
            "announce",
            where=where.spec,
            reason=f"The escalation channel #{name} is announced in {where.spec}.",
            due=ctx.now,
            template="slack/channel_announce.j2",
            channel=where,
            context=data,
        )


def _who(person: Recipient) -> str:
    return person.account_id or person.email or f"@{(person.group or '').lstrip('@')}"


def _invite(
    ctx: RuleContext, rule: ClericalChannel, data: dict[str, Any], *, mark: str, name: str
) -> None:
    """Everyone in one invite (one ``conversations.invite`` call). Its key names who is
    invited, so someone new (another assignee) gets a new invite, the others stay done."""
    people = ctx.people(rule.invite, required=False) + _fixed_recipients(rule.always_include)
    missing = [r for r in rule.invite if not ctx.anybody_plays(r)]
    for role in missing:
        # say why (empty field, deactivated user...), not only that the role is empty
        why = ctx.resolution([role]).problems
        detail = "; ".join(why) or "nobody holds that role on the ticket"
        ctx.problem(f"cannot invite {role} to #{name}: {detail}")
    if not people:
        return
    whom = sorted({_who(person) for person in people})
    digest = hashlib.sha256("\n".join(whom).encode()).hexdigest()[:10]
    roles = sorted({_role_words(person.role) for person in people})
    ctx.action(
        ActionKind.SLACK_INVITE,
        f"invite{mark}:{digest}",
        reason=f"The procedure invites {_and(roles)} to the escalation channel.",
        due=ctx.now,
        template=None,
        audience=people,
        channel=EscalationChannel(ctx.issue),
        # a note about people without Slack is keyed under this, whoever else is invited
        context={**data, "note_scope": ctx.key(f"invite{mark}")},
    )


def _introduce(ctx: RuleContext, channel: Destination, data: dict[str, Any], mark: str) -> None:
    """A first message in the channel with the ticket (link, summary, severity, assignee),
    pinned so that whoever joins later finds what the channel is about."""
    ctx.action(
        ActionKind.SLACK_POST,
        f"channel:intro{mark}",
        reason=f"The escalation channel says which ticket it is for: {ctx.issue}.",
        due=ctx.now,
        template="slack/channel_intro.j2",
        channel=channel,
        context=data,
    )
    ctx.action(
        ActionKind.SLACK_PIN,
        f"channel:pin{mark}",
        reason="The ticket link stays pinned in the escalation channel.",
        due=ctx.now,
        template=None,
        channel=channel,
        context={**data, "message_key": ctx.key(f"channel:intro{mark}")},
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


# Roles whose names are not nouns a sentence can use as they are.
_ROLE_WORDS = {"always_include": "the people it always includes"}


def _role_words(role: str) -> str:
    """``the assignee``, ``the account manager``, ``the people it always includes``."""
    return _ROLE_WORDS.get(role, "the " + role.replace("_", " "))


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


FAMILY = Family(
    "clerical",
    "Clerical steps",
    "Priority, label, channel and watchers.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=ClericalPriority,
        handler=clerical_priority,
        family=FAMILY,
        description=(
            "Escalations have the priority the procedure names: the agent sets it on open "
            "tickets that differ."
        ),
        words="raised the priority",
        params={
            "priority": "The priority escalations must have.",
        },
        reads_messages=False,
    ),
    RuleKind(
        model=ClericalLabel,
        handler=clerical_label,
        family=FAMILY,
        description="Escalations carry the procedure's label: the agent adds it.",
        words="labelled the escalation",
        params={
            "label": "The label escalations must carry.",
        },
        reads_messages=False,
    ),
    RuleKind(
        model=ClericalChannel,
        handler=clerical_channel,
        family=FAMILY,
        description=(
            "Each escalation gets its own public Slack channel, named by "
            "`channels.escalation`: the agent creates it, posts and pins the ticket (link, "
            "summary, severity, assignee) in it, invites the roles and fixed members (a user "
            "group as its members; whoever has no Slack account is named once in the "
            "channel), and announces it on the ticket as a comment and a link (and optionally"
            " elsewhere)."
        ),
        words="opened the escalation channel",
        params={
            "invite": "Roles invited to the channel.",
            "always_include": (
                "People or user groups invited to every escalation channel (`email:` or "
                "`group:` sources)."
            ),
            "announce_on_ticket": "Post the channel on the Jira ticket.",
            "announce_in": "Also announce the new channel here.",
            "archived": (
                "When the ticket's channel is archived (Slack removes everyone from it, the "
                "bot too): `replace` it with a successor under the next free suffix (`-2`, "
                "`-3`...) with the same people invited, linked on the ticket, and a line "
                "saying which channel it replaces; `unarchive` first asks Slack to unarchive "
                "it, which a bot token cannot do, then does the same."
            ),
        },
        templates=frozenset({"channel_announce"}),
        reads_messages=False,
        template_files=frozenset({"slack/channel_intro.j2", "slack/channel_successor.j2"}),
    ),
    RuleKind(
        model=PmWatcher,
        handler=pm_watcher,
        family=FAMILY,
        description=(
            "The `role` (e.g. the project manager) watches every ticket: the agent adds them "
            "as a Jira watcher."
        ),
        words="added the PM as a watcher",
        params={
            "role": "The role (e.g. the project manager) added as a watcher.",
        },
        reads_messages=False,
    ),
)
