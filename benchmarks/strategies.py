"""The two reading strategies the cycle benchmark compares, and priming the agent's store.

``NaiveReader`` is what an agent without incremental reads does: every cycle it
searches every policy in full and reads every ticket's comments, changelog,
watchers and escalation channel again. Priming records a full read and plan as
already carried out, as if the agent had been running for a while.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.core.model import ChatMessage, Ticket
from agent.core.state import EngineState
from agent.runtime.cycle import read_and_plan, save_state
from agent.runtime.deps import Deps
from agent.runtime.read.chat_cache import ChatCache
from agent.runtime.read.reader import SNAPSHOT_NAMESPACE, TicketReader
from agent.runtime.read.snapshots import ticket_from_json
from agent.runtime.report import CycleReport
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import workspace as slack

CHANNEL_PROJECTS = ("SUP", "DS")  # packs whose tickets get an escalation channel


def create_channels(ctx: SandboxContext, keys: list[str]) -> dict[str, str]:
    """An escalation channel per SUP/DS ticket, made in the sandbox directly (set-up only)."""
    bot = slack.bot_slack_id(ctx)
    made = {}
    for key in keys:
        if key.split("-", 1)[0] in CHANNEL_PROJECTS:
            made[key] = str(slack.create_channel(ctx, f"{key.lower()}-bench", bot)["id"])
    return made


class _NoChatCache(ChatCache):
    def get(self, issue: str, channel_id: str) -> list[ChatMessage] | None:
        return None

    def put(
        self,
        issue: str,
        channel_id: str,
        messages: list[ChatMessage],
        carried: list[ChatMessage] | None = None,
    ) -> None:
        return None


class NaiveReader(TicketReader):
    """Reads everything every cycle: full searches, all details, all channels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["full_sync_every"] = None
        super().__init__(*args, **kwargs)
        self.chat = _NoChatCache(self.store, writable=False)

    def _load_snapshots(self) -> dict[str, Ticket]:
        return {}


@dataclass
class Primed:
    tickets: list[Ticket]
    state: EngineState


def prime_store(deps: Deps, at: datetime, channels: dict[str, str]) -> Primed:
    """A full read and plan at ``at`` whose actions count as done; ``channels``: issue -> id."""
    report = CycleReport()
    planned = read_and_plan(deps, at, report)
    if report.read_errors:
        raise RuntimeError(f"priming read failed: {report.read_errors[:3]}")
    state = planned.state.with_done(a.key for a in planned.actions)
    for key, channel_id in channels.items():
        if key in state.tickets:
            state = state.with_channel(key, channel_id)
    save_state(deps.store, state)
    tickets = [ticket_from_json(raw) for raw in deps.store.kv_all(SNAPSHOT_NAMESPACE).values()]
    return Primed(tickets, state)
