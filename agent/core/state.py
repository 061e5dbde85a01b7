"""What the engine remembers between cycles; immutable, updated by returning copies.

The executor adds the keys it has carried out (``with_done``) and the ids it
learned (``with_channel``, ``with_channel_archived``); the planner records first
sightings, admissions, holds, severity changes, open threads, SLA breaches and the incident ledger
(``incidents``), which the weekly digest counts and which outlives ticket pruning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from agent.core.keys import issue_of
from agent.core.ledger import Breach, IncidentRecord, pruned_records, with_breach


def frozen_map(values: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class TicketState:
    """Per-ticket memory.

    ``open_items`` maps an obligation id (``rule:item``) to the key of the first
    nudge sent for it, so repeats reply in its thread and the thread is closed
    when the obligation is met. ``breaches`` lists each overdue slot once (for
    the ledger's SLA-breach counts). ``archived_channels`` holds the ticket's
    escalation channels found archived, oldest first: each one makes the next
    channel a successor (:attr:`channel_generation`).
    """

    first_seen: datetime
    admitted_at: datetime | None = None
    held_reason: str | None = None
    held_since: datetime | None = None
    severity: str | None = None
    severity_since: datetime | None = None
    channel_id: str | None = None
    resolved_at: datetime | None = None
    open_items: Mapping[str, str] = field(default_factory=frozen_map)
    breaches: tuple[Breach, ...] = ()
    archived_channels: tuple[str, ...] = ()

    @property
    def channel_generation(self) -> int:
        """1 for the ticket's first escalation channel, 2 for its successor, and so on."""
        return len(self.archived_channels) + 1

    def with_breach(self, rule: str, item: str, due: datetime) -> TicketState:
        """This state with the overdue slot ``(item, due)`` counted once; ``self`` if it was."""
        counted = with_breach(self.breaches, rule, item, due)
        return self if counted is self.breaches else replace(self, breaches=counted)

    def with_item(self, item: str, anchor_key: str) -> TicketState:
        items = dict(self.open_items)
        items[item] = anchor_key
        return replace(self, open_items=frozen_map(items))

    def without_item(self, item: str) -> TicketState:
        items = {k: v for k, v in self.open_items.items() if k != item}
        return replace(self, open_items=frozen_map(items))


@dataclass(frozen=True)
class EngineState:
    """All tickets' memory, the keys of actions already carried out, and the ledger."""

    tickets: Mapping[str, TicketState] = field(default_factory=frozen_map)
    # any set: a replay passes a view over its tickets' own sets rather than copy them
    done_keys: AbstractSet[str] = frozenset()
    incidents: Mapping[str, IncidentRecord] = field(default_factory=frozen_map)

    def ticket(self, issue: str) -> TicketState | None:
        return self.tickets.get(issue)

    def with_ticket(self, issue: str, state: TicketState) -> EngineState:
        tickets = dict(self.tickets)
        tickets[issue] = state
        return replace(self, tickets=frozen_map(tickets))

    def with_tickets(self, states: Mapping[str, TicketState]) -> EngineState:
        """Several tickets at once: one copy of the map, not one per ticket."""
        if not states:
            return self
        tickets = dict(self.tickets)
        tickets.update(states)
        return replace(self, tickets=frozen_map(tickets))

    def with_incidents(self, records: Mapping[str, IncidentRecord]) -> EngineState:
        """Several ledger records at once (one copy of the map)."""
        if not records:
            return self
        incidents = dict(self.incidents)
        incidents.update(records)
        return replace(self, incidents=frozen_map(incidents))

    def incidents_pruned(self, resolved_before: datetime) -> EngineState:
        """Forget ledger records resolved before the cut-off (the digest's horizon)."""
        kept = pruned_records(self.incidents, resolved_before)
        return self if kept is None else replace(self, incidents=kept)

    def with_done(self, keys: Iterable[str]) -> EngineState:
        return replace(self, done_keys=frozenset(self.done_keys) | frozenset(keys))

    def with_channel(self, issue: str, channel_id: str) -> EngineState:
        current = self.tickets.get(issue)
        if current is None:
            raise KeyError(f"no state for {issue}; plan a cycle before recording its channel")
        return self.with_ticket(issue, replace(current, channel_id=channel_id))

    def with_channel_archived(self, issue: str, channel_id: str) -> EngineState:
        """The ticket's escalation channel ``channel_id`` was found archived: its next
        channel is a successor. ``self`` when that was known, or it is not the ticket's
        current channel (an older one, or none: nothing to replace)."""
        current = self.tickets.get(issue)
        if (
            current is None
            or channel_id in current.archived_channels
            or current.channel_id != channel_id
        ):
            return self
        archived = replace(
            current,
            channel_id=None,
            archived_channels=(*current.archived_channels, channel_id),
        )
        return self.with_ticket(issue, archived)

    def pruned(self, resolved_before: datetime) -> EngineState:
        """Forget tickets resolved before the cut-off, and the done keys of their actions.

        A ticket's action keys name it as their owner (``agent.core.keys``); keys of
        other actions stay.
        The ledger (``incidents``) is kept: it has its own, longer horizon.
        """
        gone = {
            key
            for key, ticket in self.tickets.items()
            if ticket.resolved_at is not None and ticket.resolved_at < resolved_before
        }
        if not gone:
            return self
        keep = {k: v for k, v in self.tickets.items() if k not in gone}
        done = frozenset(k for k in self.done_keys if issue_of(k) not in gone)
        return replace(self, tickets=frozen_map(keep), done_keys=done)


def item_id_of(rule: str, item: str) -> str:
    """An open obligation's id in ``TicketState.open_items``: ``<rule ident>:<item>``."""
    return f"{rule}:{item}"


def rule_of_item(item_id: str) -> str:
    """The rule ident an open obligation's id (``item_id_of``) names."""
    return item_id.split(":", 1)[0]
