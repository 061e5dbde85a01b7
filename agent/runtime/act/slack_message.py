"""An action's Slack message as Block Kit: the point, the facts, where it comes from.

Every post has the rendered template as its sections (and as the plain ``text``
fallback Slack shows in notifications), the ticket's facts the action carries
(severity, status, assignee) as fields, and a context line linking the ticket
and naming the procedure and rule, so a reader can tell why the agent wrote.
"""

from __future__ import annotations

import re

from agent.adapters.slack_blocks import SlackMessage, agent_message
from agent.core.actions import PlannedAction
from agent.render.escaping import Mrkdwn, escape_mrkdwn, slack_link

HTTP_URL = re.compile(r"https?://[^\s<>|]+")
# Context keys shown as fields when the action carries them, with their labels.
FACTS = (("severity", "Severity"), ("status", "Status"), ("assignee", "Assignee"))


def ticket_url(action: PlannedAction) -> str | None:
    url = str(action.context.get("url") or "")
    return url if HTTP_URL.fullmatch(url) else None


def facts(action: PlannedAction) -> dict[str, str]:
    """The ticket's facts the action carries, by label; none for pack-wide messages."""
    found: dict[str, str] = {}
    for key, label in FACTS:
        value = action.context.get(key)
        if isinstance(value, str) and value.strip():
            found[label] = value.strip()
    return found


def footer(action: PlannedAction) -> Mrkdwn:
    """``<url|DS-6> · ds-ticket-escalation · rule update_overdue``."""
    url = ticket_url(action)
    parts: list[str] = []
    if action.issue:
        parts.append(slack_link(url, action.issue) if url else escape_mrkdwn(action.issue))
    parts.append(escape_mrkdwn(action.policy))
    parts.append(f"rule {escape_mrkdwn(action.rule)}")
    return Mrkdwn(" · ".join(parts))


def compose(action: PlannedAction, text: str, *, with_facts: bool = True) -> SlackMessage:
    """The Block Kit message for ``text`` (the action's rendered template)."""
    return agent_message(
        Mrkdwn(text),
        facts=facts(action) if with_facts else None,
        footer=footer(action),
        link=ticket_url(action),
    )
