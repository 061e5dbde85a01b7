"""What a ticket owes at a moment, for adherence: each obligation's due time and standing.

This is the replay's one door to the rules' obligations: the planner returns
each ticket's open (unmet) obligations with the plan (``Plan.obligations``); an
obligation no longer listed was met, or the ticket moved on (the adherence
tracker tells which). Obligations of an escalation held by a limit wait for its
admission and are left out here: the limits count that wait once, as its kind.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from agent.core.actions import Plan
from agent.core.obligations import WaitReason


class Standing(enum.StrEnum):
    PENDING = "pending"  # not due yet
    OVERDUE = "overdue"  # due and not met
    MET = "met"  # due and met (the tracker also reads an obligation gone from the plan so)


@dataclass(frozen=True, slots=True)
class Owed:
    """One obligation of a rule (by its identifier) on a ticket, as the rules see it now."""

    rule: str
    item: str
    due: datetime
    standing: Standing
    # an overdue item whose nudge waits for business hours: when they open (nothing of it,
    # neither nudge nor repeat nor chain step, can go before)
    waits_until: datetime | None = None


def owed_by_issue(planned: Plan) -> dict[str, list[Owed]]:
    """Each planned ticket's open obligations, by issue key."""
    found: dict[str, list[Owed]] = {}
    for obligation in planned.obligations:
        if obligation.waiting is not None and obligation.waiting.reason is WaitReason.HELD:
            continue
        standing = Standing.OVERDUE if obligation.overdue else Standing.PENDING
        waits = obligation.waiting
        until = waits.fires_at if waits and waits.reason is WaitReason.QUIET_HOURS else None
        found.setdefault(obligation.issue, []).append(
            Owed(obligation.rule, obligation.item, obligation.due, standing, until)
        )
    return found
