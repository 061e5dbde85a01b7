"""Turns a notify list (jira, dm, escalation_channel, #channel, group:@...) into planned actions.

A Slack user group as a target (``group:@sre-oncall``, or a group among the
audience of ``dm``) means a direct message to each member, as the group's
members would expect from "tell the on-call group": a post in some channel
would reach people who are not in the group, and a ``<!subteam^...>`` ping
needs a channel to live in. Who the members are is only known when acting, so
the core plans one ``slack.post`` to ``group:<handle>`` per group and tells the
executor (``context["dm_skip"]``) whom this notification already DMs through
the other targets, so nobody gets the same message twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from agent.core.actions import ActionKind, PlannedAction
from agent.core.answers import replies_count
from agent.core.destinations import (
    Channel,
    Destination,
    DirectMessage,
    EscalationChannel,
    GroupMembers,
    IncidentThread,
)
from agent.core.keys import ActionKey
from agent.core.lazy import once, resolve
from agent.core.message import Message
from agent.core.model import Ticket
from agent.core.slack_reports import incident_thread as thread_of_ticket
from agent.policy.schema import Policy

# The place a routed Jira comment is keyed at (``<base>#jira``).
JIRA = "jira"
_SLUG = re.compile(r"[^a-z0-9]+")
SLACK_CHANNEL_MAX = 80


def escalation_channel_name(policy: Policy, ticket: Ticket) -> str | None:
    """``ds-{number}-{summary}`` -> ``ds-42-payments-fail``: lowercase, dashes, Slack's 80 max."""
    template = policy.channels.escalation
    if template is None:
        return None
    summary = _SLUG.sub("-", ticket.summary.lower()).strip("-")
    name = template.format(
        number=ticket.number,
        key=ticket.key.lower(),
        project=ticket.project.lower(),
        summary=summary,
    )
    name = _SLUG.sub("-", name.lower().replace("_", "-")).strip("-")
    return name[:SLACK_CHANNEL_MAX].rstrip("-")


def destination(policy: Policy, ticket: Ticket | None, target: str) -> Destination | None:
    """Where a channel target of the policy points (its words read once, here); None when
    it cannot apply (no ticket, no project channel) or is not a channel (``jira``, ``dm``)."""
    if target == "escalation_channel":
        return EscalationChannel(ticket.key) if ticket else None
    if target == "project_channel":
        return Channel(policy.channels.project) if policy.channels.project else None
    if target == "incident_thread":
        return incident_thread(ticket)
    if target.startswith("#"):
        return Channel(target)
    if target.startswith("group:"):
        return GroupMembers.of(target.removeprefix("group:"))
    return None


def incident_thread(ticket: Ticket | None) -> Destination | None:
    """The incident's thread in the ``slack_intake`` channel: its report's thread, or the
    one the agent opened for a ticket made in Jira. None until that one is open (the
    message waits a cycle rather than start a second thread at the top of the channel)."""
    thread = thread_of_ticket(ticket) if ticket else None
    return IncidentThread(thread.channel, thread.ts) if thread is not None else None


def route(
    policy: Policy,
    ticket: Ticket | None,
    targets: Sequence[str],
    base_key: ActionKey,
    message: Message,
    *,
    thread_anchor: ActionKey | None = None,
    slack_only: bool = False,
    skip: AbstractSet[str] = frozenset(),
    skipped: list[str] | None = None,
) -> list[PlannedAction]:
    """One action per target (one per person for ``dm``, one per user group) saying
    ``message``; keys are ``base_key`` at each place (``base_key#<where>``).

    With ``thread_anchor`` the Slack posts reply in the thread started by the
    anchor's post in the same place (``thread_of = anchor#<where>``); with
    ``slack_only`` a ``jira`` target is left out. Keys in ``skip`` (already
    carried out) are not built, and the message's ``audience`` and ``context``
    are resolved only if an action is (``dm`` needs the audience for its keys).
    The keys left out as done are added to ``skipped``: a nudge with neither an
    action nor a done key went to nobody.
    """
    issue = ticket.key if ticket else None
    actions: list[PlannedAction] = []
    people = once(lambda: resolve(message.audience))
    data_of = once(lambda: resolve(message.context))
    groups_done: list[str] = []  # the groups' specs planned so far, in order

    def done(key: str) -> bool:
        if key not in skip:
            return False
        if skipped is not None:
            skipped.append(key)
        return True

    def dm_people() -> list[str]:
        return [who for p in people() if (who := p.account_id or p.email)]

    def post(where: Destination) -> None:
        key = base_key.at(where.spec).format()
        if isinstance(where, GroupMembers):
            if where.spec in groups_done:
                return
            before = list(groups_done)
            groups_done.append(where.spec)
            if done(key):
                return
            skip_people = dm_people() if "dm" in targets else []
            data: Mapping[str, Any] = {
                **data_of(),
                "dm_skip": {"people": skip_people, "groups": before},
            }
        elif done(key):
            return
        elif replies_count(policy, issue, where):
            data = {**data_of(), "reply_in_thread": True}
        else:
            data = data_of()
        actions.append(
            PlannedAction(
                key=key,
                policy=policy.name,
                rule=message.rule,
                issue=issue,
                kind=ActionKind.SLACK_POST,
                reason=message.reason,
                due=message.due,
                template=f"slack/{message.template}.j2",
                audience=people(),
                urgent=message.urgent,
                channel=where,
                thread_of=thread_anchor.at(where.spec) if thread_anchor else None,
                context=data,
                event=message.event,
            )
        )

    for target in targets:
        if target == "jira":
            key = base_key.at(JIRA).format()
            if slack_only or ticket is None or done(key):
                continue
            actions.append(
                PlannedAction(
                    key=key,
                    policy=policy.name,
                    rule=message.rule,
                    issue=issue,
                    kind=ActionKind.JIRA_COMMENT,
                    reason=message.reason,
                    due=message.due,
                    template=f"jira/{message.template}.j2",
                    audience=people(),
                    urgent=message.urgent,
                    context=data_of(),
                )
            )
        elif target == "dm":
            for person in people():
                if who := person.account_id or person.email:
                    post(DirectMessage(who))
                elif person.group:
                    post(GroupMembers.of(person.group))
        else:
            where = destination(policy, ticket, target)
            if where is not None:
                post(where)
    return actions
