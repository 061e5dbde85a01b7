"""Plan a cycle, re-reading kept channel messages only where they could change the plan.

The first plan uses the kept copy of quiet channels. Newer messages can only remove
nudges (see ``agent.runtime.read.chat_cache``), so the plan itself names the tickets whose
plan a message could change (``Plan.fresh_messages_for``: an action or an open item of a
rule that reads messages; the incident log reads them too, its row shows the time to
acknowledge). Those planned from a kept copy are read again and the cycle is planned
once more: the result is the plan a full read would have given
(``tests/scale/test_incremental.py`` checks this).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from agent.core.actions import Plan
from agent.core.followups import FollowupsSeen
from agent.core.planner import plan
from agent.core.state import EngineState
from agent.policy import Policy
from agent.runtime.read.reader import ReadResult, TicketReader
from agent.runtime.report import CycleReport


def needs_fresh_messages(first: Plan, read: ReadResult) -> set[str]:
    """The tickets the first plan says a newer message could change, of those planned
    from kept messages."""
    return set(first.fresh_messages_for & read.cached_messages)


def plan_with_fresh_messages(
    reader: TicketReader,
    read: ReadResult,
    state: EngineState,
    *,
    now: datetime,
    policies: Sequence[Policy],
    report: CycleReport,
    pages: Mapping[str, Mapping[str, str]] | None = None,
    first_contact: Mapping[str, datetime] | None = None,
    followups: Mapping[str, FollowupsSeen] | None = None,
) -> Plan:
    def planned() -> Plan:
        return plan(
            read.tickets,
            state,
            now,
            policies,
            read.messages,
            pages=pages,
            first_contact=first_contact,
            followups=followups,
            reports=read.reports,
        )

    first = planned()
    stale = needs_fresh_messages(first, read)
    if not stale:
        return first
    reader.refresh_messages(stale, policies, state, read, report)
    return planned()
