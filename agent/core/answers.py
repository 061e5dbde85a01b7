"""Where a person's answer to a nudge counts as an update, so a nudge says only what is true.

A policy counts Jira comments, status changes and messages in the ticket's
escalation channel (thread replies included) as updates, as its ``updates:``
says. Messages are read from that channel only, so "reply in this thread" is
true only for a nudge posted there by a policy that counts them; anywhere else
(a DM, a project channel) the answer that counts is on the ticket.
"""

from __future__ import annotations

from typing import Any

from agent.core.destinations import Destination, EscalationChannel, IncidentThread
from agent.policy.schema import Policy


def answer_places(policy: Policy, channel_name: str | None) -> dict[str, Any]:
    """Template data ``answer``: ``comment`` and ``status`` (do they count) and ``channel``
    (the escalation channel's name when its messages count, else None)."""
    sources = policy.updates.sources
    return {
        "comment": "jira_comment" in sources,
        "status": "status_change" in sources,
        "channel": channel_name if channel_name and "channel_message" in sources else None,
    }


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
