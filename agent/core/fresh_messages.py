"""Which tickets a channel message newer than the kept copy could plan differently.

The runtime plans first from the channel messages it kept from earlier cycles. A newer
message can only take a nudge away (``agent.runtime.read.chat_cache``), so only two kinds of
ticket can be planned differently with it: one that got an action from a rule that reads
messages (a kind the catalogue says ``reads_messages``; an action of no catalogued
rule is counted too), and one with such a rule's item still open from an earlier cycle
(a newer message may close it). The planner names them (``Plan.fresh_messages_for``);
the runtime re-reads those of them it planned from kept messages and plans once more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from agent.core.actions import PlannedAction
from agent.core.rules.catalogue import CATALOGUE
from agent.core.state import EngineState, rule_of_item
from agent.policy.schema import Policy


def fresh_messages_for(
    actions: Iterable[PlannedAction], before: EngineState, policies: Sequence[Policy]
) -> frozenset[str]:
    """Issues whose planned action, or open item in ``before``, a newer message could change."""
    reading = {
        rule.ident
        for policy in policies
        for rule in policy.rules
        if CATALOGUE.of(rule).reads_messages
    }
    suspects = {
        a.issue
        for a in actions
        if a.issue is not None and (a.rule not in CATALOGUE or CATALOGUE.get(a.rule).reads_messages)
    }
    for key, ticket in before.tickets.items():
        if any(rule_of_item(item) in reading for item in ticket.open_items):
            suspects.add(key)
    return frozenset(suspects)
