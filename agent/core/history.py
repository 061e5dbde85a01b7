"""First contact: what happened before a policy first ran against the site is history.

A site adopting the agent has years of tickets its procedures never saw. The
runtime records, per policy, the first cycle that ran it (its *first contact*)
and the planner leaves alone every ticket resolved before then: no paperwork,
log rows, links or nudges. ``escalation-agent backfill`` writes their paperwork
when a team asks for it. An open ticket whose obligation was already overdue at
first contact is not history, but its lateness is inherited: it gets the one
nudge, without the repeats and escalation-chain steps that a lateness the agent
watched grow would get (see ``RuleContext.obligation``). A ticket that carries
the agent's marker is not history, whatever the record says (``is_history``).

Pure: the instants come from the store (through the runtime) and the ticket.
"""

from __future__ import annotations

from datetime import datetime

from agent.core.model import Ticket


def resolved_moment(ticket: Ticket) -> datetime:
    """When a closed ticket was resolved; its last update when Jira gives no date."""
    return ticket.resolved_at or ticket.updated


def handled_before(ticket: Ticket) -> bool:
    """Whether the agent already spoke on the ticket: one of its comments carries its marker."""
    return any(comment.by_agent for comment in ticket.comments)


def is_history(ticket: Ticket, first_contact: datetime | None) -> bool:
    """Whether ``ticket`` was resolved before its policy first ran (and is still closed).

    A ticket with the agent's own marked comment is never history: the agent was
    running while it was open, and the first contact on record is younger only
    because the state was lost (or moved to a new store). Its paperwork is the
    agent's to finish, and the markers keep what was written from being written
    again.
    """
    if first_contact is None or ticket.is_open:
        return False
    return resolved_moment(ticket) < first_contact and not handled_before(ticket)


def resolved_between(ticket: Ticket, since: datetime, first_contact: datetime) -> bool:
    """Whether a history ticket was resolved at or after ``since`` (``backfill --since``)."""
    return is_history(ticket, first_contact) and resolved_moment(ticket) >= since


def inherited(due: datetime, first_contact: datetime | None) -> bool:
    """Whether an obligation was already overdue when its policy first ran."""
    return first_contact is not None and due < first_contact
