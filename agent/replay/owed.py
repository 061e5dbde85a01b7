"""What a ticket owes at a moment, for adherence: each obligation's due time and standing.

This is the replay's one door to the rules' obligations. It asks the same rule
handlers the planner runs (through ``agent.runtime.status.due_items``, which
records what each rule declares and plans nothing); when the planner returns
the open obligations itself, this module reads them from the plan instead.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from agent.core.model import ChatMessage, Ticket
from agent.core.state import TicketState
from agent.policy import Policy
from agent.runtime.status import due_items


class Standing(enum.StrEnum):
    PENDING = "pending"  # not due yet (it may already be met)
    OVERDUE = "overdue"  # due and not met
    MET = "met"  # due and met


@dataclass(frozen=True, slots=True)
class Owed:
    """One obligation of a rule (by its identifier) on a ticket, as the rules see it now."""

    rule: str
    item: str
    due: datetime
    standing: Standing


def owed(
    policy: Policy,
    ticket: Ticket,
    state: TicketState,
    now: datetime,
    messages: tuple[ChatMessage, ...],
) -> list[Owed]:
    """The obligations ``policy``'s rules declare on ``ticket`` at ``now``."""
    found = []
    for item in due_items(policy, ticket, state, now, messages):
        rule, _, name = item.item.partition(":")
        if item.overdue:
            standing = Standing.OVERDUE
        elif now < item.due:
            standing = Standing.PENDING
        else:
            standing = Standing.MET
        found.append(Owed(rule, name, item.due, standing))
    return found
