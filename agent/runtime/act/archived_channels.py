"""Escalation channels found archived, recorded in the state and reported once.

Archiving a Slack channel removes everyone from it, the bot included, and a bot
token can neither unarchive nor rejoin it. The reader finds out when it cannot
read the channel any more, the executor when Slack refuses a post into it;
both hand the channel here. Recorded in the ticket's state, it makes the next
plan open a successor channel (see ``clerical_channel``); the report says so
the first time only, since afterwards the state knows.
"""

from __future__ import annotations

from collections.abc import Mapping

from agent.core.state import EngineState
from agent.runtime.report import CycleReport


def record_archived(
    state: EngineState, archived: Mapping[str, str], report: CycleReport
) -> EngineState:
    """``state`` with each ``issue -> channel id`` recorded as archived; reported when new."""
    for issue, channel_id in sorted(archived.items()):
        updated = state.with_channel_archived(issue, channel_id)
        if updated is not state:
            report.add_problems(
                [
                    f"{issue}: its escalation channel {channel_id} was archived, which removed "
                    "everyone from it (a bot cannot unarchive or rejoin it); a new channel "
                    "replaces it, with the same people invited and a link on the ticket"
                ]
            )
        state = updated
    return state
