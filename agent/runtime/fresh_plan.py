"""Plan a cycle, re-reading kept channel messages only where they could change the plan.

The first plan uses the kept copy of quiet channels. Newer messages can only remove
nudges (see ``agent.runtime.chat_cache``), so the channels that matter are those of
tickets that got an action from a rule that reads updates (a kind the catalogue says
``reads_messages``), or have such a rule's obligation open (a newer message may close
it). The incident log reads messages too: its row shows the time to acknowledge, which a
message can set. Those are read again and the cycle is planned once more: the result is
the plan a full read would have given (``tests/scale/test_incremental.py`` checks this).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from agent.core.actions import Plan
from agent.core.followups import FollowupsSeen
from agent.core.planner import plan
from agent.core.rules.catalogue import CATALOGUE
from agent.core.state import EngineState, rule_of_item
from agent.policy import Policy
from agent.runtime.reader import ReadResult, TicketReader
from agent.runtime.report import CycleReport


def needs_fresh_messages(
    first: Plan, state: EngineState, read: ReadResult, policies: Sequence[Policy]
) -> set[str]:
    """Issues planned from kept messages whose action or open obligation a message could change."""
    reading = {
        rule.ident
        for policy in policies
        for rule in policy.rules
        if CATALOGUE.of(rule).reads_messages
    }
    suspects = {
        a.issue
        for a in first.actions
        if a.issue is not None and (a.rule not in CATALOGUE or CATALOGUE.get(a.rule).reads_messages)
    }
    for key, ticket in state.tickets.items():
        if any(rule_of_item(item) in reading for item in ticket.open_items):
            suspects.add(key)
    return suspects & read.cached_messages


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
    stale = needs_fresh_messages(first, state, read, policies)
    if not stale:
        return first
    reader.refresh_messages(stale, policies, state, read, report)
    return planned()
