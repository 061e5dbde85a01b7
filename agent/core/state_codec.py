"""EngineState <-> plain JSON-safe data, so any store (SQLite, PostgreSQL, a file) can keep it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.core.state import EngineState, TicketState, frozen_map

FORMAT_VERSION = 1
_TIMES = ("first_seen", "admitted_at", "held_since", "severity_since", "resolved_at")
_TEXTS = ("held_reason", "severity", "channel_id")


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any, field: str, issue: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"state of {issue}: {field} must be an ISO time string, got {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"state of {issue}: {field} {value!r} has no time zone")
    return moment


def state_to_dict(state: EngineState) -> dict[str, Any]:
    tickets: dict[str, Any] = {}
    for issue, ticket in sorted(state.tickets.items()):
        data: dict[str, Any] = {name: _time(getattr(ticket, name)) for name in _TIMES}
        data.update({name: getattr(ticket, name) for name in _TEXTS})
        data["open_items"] = dict(sorted(ticket.open_items.items()))
        tickets[issue] = data
    return {"version": FORMAT_VERSION, "tickets": tickets, "done_keys": sorted(state.done_keys)}


def state_from_dict(data: dict[str, Any]) -> EngineState:
    version = data.get("version")
    if version != FORMAT_VERSION:
        raise ValueError(f"engine state version {version!r} is not {FORMAT_VERSION}")
    tickets: dict[str, TicketState] = {}
    for issue, raw in data.get("tickets", {}).items():
        first_seen = _parse_time(raw.get("first_seen"), "first_seen", issue)
        if first_seen is None:
            raise ValueError(f"state of {issue}: first_seen is required")
        tickets[issue] = TicketState(
            first_seen=first_seen,
            admitted_at=_parse_time(raw.get("admitted_at"), "admitted_at", issue),
            held_since=_parse_time(raw.get("held_since"), "held_since", issue),
            severity_since=_parse_time(raw.get("severity_since"), "severity_since", issue),
            resolved_at=_parse_time(raw.get("resolved_at"), "resolved_at", issue),
            held_reason=raw.get("held_reason"),
            severity=raw.get("severity"),
            channel_id=raw.get("channel_id"),
            open_items=frozen_map(raw.get("open_items", {})),
        )
    return EngineState(tickets=frozen_map(tickets), done_keys=frozenset(data.get("done_keys", [])))
