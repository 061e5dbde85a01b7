"""What the rules owe on each ticket, as the planner finds it: due when, why, and waiting or not.

An obligation is one item a rule expects on a ticket (an acknowledgement, the
next update, a filled field) that is not met yet. The planner records each one
while it plans (``Plan.obligations``), so ``plan``, ``status`` and metrics read
what the rules decided instead of asking them again. An overdue obligation
whose nudge does not go out now says why (``Waiting``) and when it will:
outside business hours a non-urgent nudge waits for the next opening, a ticket
held by a limit waits for its release, and a nudge meant only for people when
nobody plays the role waits for someone to be named.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


class ObligationKind(enum.StrEnum):
    """What kind of promise an obligation is, as a PM asks about it ("did we acknowledge in
    time, keep the updates coming, write the paperwork?"): each rule kind names one."""

    ACKNOWLEDGEMENT = "acknowledgement"
    UPDATE_CADENCE = "update cadence"
    END_OF_DAY = "end of day"
    SET_UP = "set-up"
    PAPERWORK = "paperwork"
    LIMITS = "limits"


class WaitReason(enum.StrEnum):
    """Why a due obligation's nudge is not sent now."""

    QUIET_HOURS = "outside business hours"
    HELD = "held by a limit"
    NOBODY = "role empty"


@dataclass(frozen=True, slots=True)
class Waiting:
    """Why an overdue obligation waits, and when it will fire.

    ``fires_at`` is the earliest moment the nudge can go (the next opening of
    business hours, the next day for a daily limit); without one, ``fires_when``
    says in words what must happen first.
    """

    reason: WaitReason
    why: str
    fires_at: datetime | None = None
    fires_when: str = ""


@dataclass(frozen=True, slots=True)
class Obligation:
    """One open item of a rule on a ticket: not met, due at ``due``.

    ``rule`` is the rule's identifier (its ``name:`` or its kind), ``item`` the
    item within it (``ack``, ``update``...); together they are the id the state
    keeps open threads under (``ident``). ``overdue`` means due and still unmet
    at planning time; ``waiting`` is set when it is overdue but its nudge is
    held back.
    """

    issue: str
    policy: str
    rule: str
    item: str
    due: datetime
    reason: str
    overdue: bool
    waiting: Waiting | None = None

    @property
    def ident(self) -> str:
        return f"{self.rule}:{self.item}"


def earliest_first(obligation: Obligation) -> tuple[datetime, str, str]:
    """Sort key: by due time, then ticket and rule (the first is the next one to meet)."""
    return obligation.due, obligation.issue, obligation.ident


def next_open(obligations: Iterable[Obligation]) -> Obligation | None:
    """The earliest obligation not yet met (an overdue one comes first), or None."""
    return min(obligations, key=earliest_first, default=None)


def waiting(obligations: Iterable[Obligation]) -> list[Obligation]:
    """The overdue obligations whose nudge is held back, earliest first."""
    return sorted((o for o in obligations if o.waiting is not None), key=earliest_first)
