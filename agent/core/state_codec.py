"""EngineState <-> plain JSON-safe data, so any store (SQLite, PostgreSQL, a file) can keep it.

Fields added after version 1 (``breaches``, ``incidents``, ``archived_channels``) are
optional when loading, so a state saved by an older agent still loads (with an
empty ledger).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from agent.core.ledger import Breach, IncidentRecord
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


def _texts(raw: Any, field: str, issue: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"state of {issue}: {field} must be a list of strings, got {raw!r}")
    return tuple(raw)


def _breaches_to_list(breaches: tuple[Breach, ...]) -> list[list[str]]:
    return [[b.rule, b.item, b.due.isoformat()] for b in breaches]


def _breaches_from_list(raw: Any, issue: str) -> tuple[Breach, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"state of {issue}: breaches must be a list, got {raw!r}")
    found: list[Breach] = []
    for entry in raw:
        if not (isinstance(entry, list) and len(entry) == 3):
            raise ValueError(f"state of {issue}: a breach must be [rule, item, due], got {entry!r}")
        due = _parse_time(entry[2], "breach due", issue)
        if due is None:
            raise ValueError(f"state of {issue}: a breach needs its due time, got {entry!r}")
        found.append(Breach(rule=str(entry[0]), item=str(entry[1]), due=due))
    return tuple(found)


def _record_to_dict(record: IncidentRecord) -> dict[str, Any]:
    return {
        "policy": record.policy,
        "project": record.project,
        "severity": record.severity,
        "opened": record.opened.isoformat(),
        "acknowledged": _time(record.acknowledged),
        "resolved": _time(record.resolved),
        "breaches": _breaches_to_list(record.breaches),
    }


def _record_from_dict(issue: str, raw: Any) -> IncidentRecord:
    if not isinstance(raw, dict):
        raise ValueError(f"ledger record of {issue} must be an object, got {raw!r}")
    opened = _parse_time(raw.get("opened"), "opened", issue)
    if opened is None:
        raise ValueError(f"ledger record of {issue}: opened is required")
    return IncidentRecord(
        issue=issue,
        policy=str(raw["policy"]),
        project=str(raw["project"]),
        severity=raw.get("severity"),
        opened=opened,
        acknowledged=_parse_time(raw.get("acknowledged"), "acknowledged", issue),
        resolved=_parse_time(raw.get("resolved"), "resolved", issue),
        breaches=_breaches_from_list(raw.get("breaches", []), issue),
    )


def state_to_dict(state: EngineState) -> dict[str, Any]:
    tickets: dict[str, Any] = {}
    for issue, ticket in sorted(state.tickets.items()):
        data: dict[str, Any] = {name: _time(getattr(ticket, name)) for name in _TIMES}
        data.update({name: getattr(ticket, name) for name in _TEXTS})
        data["open_items"] = dict(sorted(ticket.open_items.items()))
        if ticket.breaches:
            data["breaches"] = _breaches_to_list(ticket.breaches)
        if ticket.archived_channels:
            data["archived_channels"] = list(ticket.archived_channels)
        tickets[issue] = data
    return {
        "version": FORMAT_VERSION,
        "tickets": tickets,
        "done_keys": sorted(state.done_keys),
        "incidents": {k: _record_to_dict(r) for k, r in sorted(state.incidents.items())},
    }


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
            breaches=_breaches_from_list(raw.get("breaches", []), issue),
            archived_channels=_texts(raw.get("archived_channels", []), "archived_channels", issue),
        )
    incidents = {k: _record_from_dict(k, r) for k, r in data.get("incidents", {}).items()}
    return EngineState(
        tickets=frozen_map(tickets),
        done_keys=frozenset(data.get("done_keys", [])),
        incidents=frozen_map(incidents),
    )
