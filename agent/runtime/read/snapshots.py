"""Ticket <-> JSON, so a detailed ticket (comments, changelog, watchers) can be kept in the store.

An unchanged ticket (same ``updated``) is planned from its last snapshot, which
saves the comments/changelog/watchers calls on every cycle. Field values are
kept as JSON; people inside field values are tagged so they come back as
:class:`~agent.core.model.Person`, times as aware datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from agent.core.model import Change, Comment, FieldChange, Person, Subtask, Ticket

FORMAT_VERSION = 1
_PERSON_TAG = "__person__"
_TIME_TAG = "__time__"


class SnapshotError(ValueError):
    """A stored snapshot cannot be read back (other version, damaged); it is re-read from Jira."""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SnapshotError(f"expected an ISO time, got {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise SnapshotError(f"time {value!r} has no time zone")
    return moment


def _required_time(value: Any) -> datetime:
    moment = _parse_time(value)
    if moment is None:
        raise SnapshotError("a required time is missing")
    return moment


def person_to_json(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "account_id": person.account_id,
        "display_name": person.display_name,
        "email": person.email,
        "active": person.active,
    }


def person_from_json(data: Any) -> Person | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise SnapshotError(f"expected a person, got {data!r}")
    return Person(
        account_id=str(data["account_id"]),
        display_name=str(data["display_name"]),
        email=data.get("email"),
        active=bool(data.get("active", True)),
    )


def _value_to_json(value: Any) -> Any:
    if isinstance(value, Person):
        return {_PERSON_TAG: person_to_json(value)}
    if isinstance(value, datetime):
        return {_TIME_TAG: value.isoformat()}
    if isinstance(value, (list, tuple, frozenset, set)):
        return [_value_to_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _value_to_json(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise SnapshotError(f"cannot keep a field value of type {type(value).__name__}: {value!r}")


def _value_from_json(value: Any) -> Any:
    if isinstance(value, list):
        return [_value_from_json(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_PERSON_TAG}:
            return person_from_json(value[_PERSON_TAG])
        if set(value) == {_TIME_TAG}:
            return _parse_time(value[_TIME_TAG])
        return {k: _value_from_json(v) for k, v in value.items()}
    return value


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    """Everything the engine reads from a ticket, as JSON-safe data."""
    return {
        "version": FORMAT_VERSION,
        "key": ticket.key,
        "id": ticket.id,
        "project": ticket.project,
        "summary": ticket.summary,
        "issue_type": ticket.issue_type,
        "status": ticket.status,
        "status_category": ticket.status_category,
        "created": _time(ticket.created),
        "updated": _time(ticket.updated),
        "priority": ticket.priority,
        "labels": sorted(ticket.labels),
        "assignee": person_to_json(ticket.assignee),
        "reporter": person_to_json(ticket.reporter),
        "resolution": ticket.resolution,
        "resolved_at": _time(ticket.resolved_at),
        "due_date": _time(ticket.due_date),
        "original_estimate_seconds": ticket.original_estimate_seconds,
        "description": ticket.description,
        "fields": {name: _value_to_json(v) for name, v in ticket.fields.items()},
        "comments": [
            {
                "id": c.id,
                "author": person_to_json(c.author),
                "created": _time(c.created),
                "body": c.body,
                "agent_rule": c.agent_rule,
                "agent_key": c.agent_key,
                "agent_author": c.agent_author,
                "public": c.public,
            }
            for c in ticket.comments
        ],
        "changelog": [
            {
                "author": person_to_json(ch.author),
                "created": _time(ch.created),
                "items": [_item_to_json(i) for i in ch.items],
            }
            for ch in ticket.changelog
        ],
        "subtasks": [[s.key, s.summary, s.status_category] for s in ticket.subtasks],
        "attachment_count": ticket.attachment_count,
        "link_count": ticket.link_count,
        "watchers": [person_to_json(w) for w in ticket.watchers],
        "url": ticket.url,
    }


def ticket_from_json(data: Mapping[str, Any]) -> Ticket:
    """The ticket back; :class:`SnapshotError` when the document is not a usable snapshot."""
    if data.get("version") != FORMAT_VERSION:
        raise SnapshotError(f"snapshot version {data.get('version')!r} is not {FORMAT_VERSION}")
    try:
        return Ticket(
            key=str(data["key"]),
            id=str(data["id"]),
            project=str(data["project"]),
            summary=str(data["summary"]),
            issue_type=str(data["issue_type"]),
            status=str(data["status"]),
            status_category=data["status_category"],
            created=_required_time(data["created"]),
            updated=_required_time(data["updated"]),
            priority=data.get("priority"),
            labels=frozenset(data.get("labels", [])),
            assignee=person_from_json(data.get("assignee")),
            reporter=person_from_json(data.get("reporter")),
            resolution=data.get("resolution"),
            resolved_at=_parse_time(data.get("resolved_at")),
            due_date=_parse_time(data.get("due_date")),
            original_estimate_seconds=data.get("original_estimate_seconds"),
            description=data.get("description"),
            fields={k: _value_from_json(v) for k, v in data.get("fields", {}).items()},
            comments=tuple(
                Comment(
                    id=str(c["id"]),
                    author=person_from_json(c.get("author")),
                    created=_required_time(c["created"]),
                    body=str(c.get("body", "")),
                    agent_rule=c.get("agent_rule"),
                    agent_key=c.get("agent_key"),
                    agent_author=c.get("agent_author") is True,
                    public=c.get("public") is not False,  # snapshots before it: public
                )
                for c in data.get("comments", [])
            ),
            changelog=tuple(
                Change(
                    author=person_from_json(ch.get("author")),
                    created=_required_time(ch["created"]),
                    items=tuple(_item_from_json(item) for item in ch.get("items", [])),
                )
                for ch in data.get("changelog", [])
            ),
            subtasks=tuple(Subtask(k, s, cat) for k, s, cat in data.get("subtasks", [])),
            attachment_count=int(data.get("attachment_count", 0)),
            link_count=int(data.get("link_count", 0)),
            watchers=tuple(
                p for p in (person_from_json(w) for w in data.get("watchers", [])) if p is not None
            ),
            url=str(data.get("url", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"damaged snapshot: {type(exc).__name__}: {exc}") from exc


def _item_to_json(item: FieldChange) -> list[str | None]:
    """``[field, from, to]``, plus ``field_id, from_id, to_id`` when Jira gave any."""
    short = [item.field, item.from_value, item.to_value]
    ids = [item.field_id, item.from_id, item.to_id]
    return short + ids if any(v is not None for v in ids) else short


def _item_from_json(raw: Sequence[Any]) -> FieldChange:
    """A changelog item from its 3- or 6-element list (snapshots older than ids have 3)."""
    if len(raw) not in (3, 6):
        raise ValueError(f"a changelog item has 3 or 6 parts, not {len(raw)}")
    return FieldChange(*raw)
