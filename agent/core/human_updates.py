"""What counts as a human update of a ticket: comments, status changes, channel messages.

The agent's own comments (marked with the ``escalation-agent`` property) never count.
A message counts when its author holds one of the roles, by email, by Jira account, or
as a member of a Slack user group a role names (``group:@handle``; the reader tells
which groups each author is in).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from agent.core.model import ChatMessage, Ticket
from agent.core.roles import RoleHolders, role_holders
from agent.core.slack_reports import reported_at
from agent.policy.schema import Policy


@dataclass(frozen=True)
class Update:
    """``public``: a Jira comment the customer sees (not a JSM internal note)."""

    at: datetime
    source: str
    author: str
    text: str
    public: bool = False


def human_updates(
    policy: Policy,
    ticket: Ticket,
    messages: Sequence[ChatMessage],
    by: Iterable[str] | None = None,
    *,
    holders: RoleHolders | None = None,
) -> list[Update]:
    """Updates by the given roles (default: the policy's ``updates.by``), oldest first.

    ``holders``: who plays those roles, when the caller has already worked it out.
    """
    roles = list(by) if by else list(policy.updates.by)
    sources = set(policy.updates.sources)
    if holders is None:
        holders = role_holders(policy, ticket, roles)
    found: list[Update] = []
    if "jira_comment" in sources:
        for comment in ticket.comments:
            if comment.by_agent or comment.author is None:
                continue
            if holders.has_person(comment.author):
                found.append(
                    Update(
                        comment.created,
                        "jira_comment",
                        comment.author.display_name,
                        comment.body,
                        public=comment.public,
                    )
                )
    if "status_change" in sources:
        for change in ticket.changelog:
            if change.author is None or not any(i.field.lower() == "status" for i in change.items):
                continue
            if holders.has_person(change.author):
                found.append(
                    Update(change.created, "status_change", change.author.display_name, "")
                )
    if "channel_message" in sources:
        for message in messages:
            if (
                (message.user_email and holders.has_email(message.user_email))
                or (message.user_account_id and holders.has_account(message.user_account_id))
                or holders.has_member(message.author_groups)
            ):
                author = (
                    message.user_email or message.user_account_id or message.user_slack_id or ""
                )
                found.append(Update(message.at, "channel_message", author, message.text))
    found.sort(key=lambda u: (u.at, u.source))
    return found


def last_update_at(updates: Sequence[Update], before: datetime | None = None) -> datetime | None:
    times = [u.at for u in updates if before is None or u.at <= before]
    return max(times) if times else None


def acknowledged_at(
    policy: Policy,
    ticket: Ticket,
    messages: Sequence[ChatMessage],
    by: Iterable[str] | None = None,
) -> datetime | None:
    """When the ticket was first acknowledged: its first human update since it was reported.

    The same test the ``ack_overdue`` rule uses, so the digest's time to acknowledge
    and the acknowledgement nudge never disagree.
    """
    reported = reported_at(ticket)
    return first_acknowledgement(human_updates(policy, ticket, messages, by), reported)


def first_acknowledgement(updates: Iterable[Update], reported: datetime) -> datetime | None:
    """The first of ``updates`` (oldest first) made since the ticket was reported.

    Rules pass the updates their ticket memo already worked out, so acknowledging
    costs no second search of comments and messages.
    """
    for update in updates:
        if update.at >= reported:
            return update.at
    return None


def visible(updates: Sequence[Update], visibility: str) -> list[Update]:
    """The updates that count for a rule's ``visibility``: all, or with ``public`` only the
    Jira comments the customer sees (a JSM internal note, a status change or a Slack
    message is not an update to the client)."""
    if visibility == "public":
        return [u for u in updates if u.public]
    return list(updates)
