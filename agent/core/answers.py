"""Where a person's answer to a nudge counts as an update, so a nudge says only what is true.

A policy counts Jira comments, status changes and messages in the ticket's
escalation channel (thread replies included), or replies in its incident thread
in a ``slack_intake`` channel, as updates, as its ``updates:`` says. Messages are
read from there only, so "reply in this thread" is true only for a nudge posted
there by a policy that counts them; anywhere else (a DM, a project channel) the
answer that counts is on the ticket, or in that channel or thread.
"""

from __future__ import annotations

from typing import Any

from agent.core.destinations import Destination, EscalationChannel, IncidentThread
from agent.policy.rule_models import SlackIntake
from agent.policy.schema import Policy


def answer_places(
    policy: Policy, channel_name: str | None, thread_in: str | None = None
) -> dict[str, Any]:
    """Template data ``answer``: ``comment`` and ``status`` (do they count), ``channel``
    (the escalation channel's name when its messages count, else None) and ``thread``
    (the name of the channel ``thread_in`` whose thread of the ticket counts, else None)."""
    sources = policy.updates.sources
    messages = "channel_message" in sources
    return {
        "comment": "jira_comment" in sources,
        "status": "status_change" in sources,
        "channel": channel_name if channel_name and messages else None,
        "thread": thread_in.removeprefix("#") if thread_in and messages else None,
    }


def intake_channel(policy: Policy, project: str) -> str | None:
    """The ``slack_intake`` channel (``#name``) where a ticket of ``project`` has its
    incident thread, if the policy has one."""
    for rule in policy.rules:
        if isinstance(rule, SlackIntake) and rule.project == project:
            return rule.channel
    return None


def replies_count(policy: Policy, issue: str | None, where: Destination) -> bool:
    """Whether a reply in the thread of a post at ``where`` counts as an update (in the
    ticket's escalation channel, or in its incident thread)."""
    if isinstance(where, IncidentThread):
        return issue is not None and "channel_message" in policy.updates.sources
    return (
        issue is not None
        and where == EscalationChannel(issue)
        and policy.channels.escalation is not None
        and "channel_message" in policy.updates.sources
    )
