"""One side of a Jira changelog item (``from``/``fromString`` or ``to``/``toString``) as the
value a :class:`~agent.core.model.Ticket` holds.

Jira's changelog names system fields by a lower-case name (``status``,
``priority``, ``assignee``...) and custom fields by their display name (with
``fieldId`` on Cloud). The ids (``from``/``to``) are what identify people,
statuses and dates; the strings are what people read. Either may be null. A
value that cannot be read back becomes a :class:`PastProblem`, and the ticket
keeps its value from before that change: a replay shows less rather than
something invented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agent.adapters.jira_port import FieldInfo
from agent.adapters.jira_values import ValueProblem, parse_jira_date, parse_jira_datetime
from agent.core.model import FieldChange, Person, StatusCategory

# Ticket attributes a changelog item can change, by Jira's changelog field name.
SYSTEM_FIELDS: Mapping[str, str] = {
    "status": "status",
    "priority": "priority",
    "labels": "labels",
    "assignee": "assignee",
    "reporter": "reporter",
    "resolution": "resolution",
    "summary": "summary",
    "description": "description",
    "issuetype": "issue_type",
    "duedate": "due_date",
    "timeoriginalestimate": "original_estimate_seconds",
    "attachment": "attachment",
    "link": "link",
}
CUSTOM_PREFIX = "field:"


@dataclass(frozen=True)
class PastProblem:
    """A change the replay could not read back; the ticket keeps its earlier value."""

    issue: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.issue}: {self.field}: {self.message}"


class People:
    """Every person seen on the tickets read, by account id (Cloud) or username (Data Center):
    the changelog names people by id and display name only, without their email."""

    def __init__(self) -> None:
        self._by_id: dict[str, Person] = {}

    def add(self, people: Iterable[Person | None]) -> None:
        for person in people:
            if person is not None and (
                person.account_id not in self._by_id or person.email is not None
            ):
                self._by_id[person.account_id] = person

    def get(self, account_id: str, display_name: str | None) -> Person:
        known = self._by_id.get(account_id)
        return known if known is not None else Person(account_id, display_name or account_id)


@dataclass(frozen=True)
class Statuses:
    """Status category by status id and by name (``GET status``): the changelog gives only
    the status, and whether a ticket was open then depends on its category."""

    by_id: Mapping[str, StatusCategory]
    by_name: Mapping[str, StatusCategory]

    def category(self, status_id: str | None, name: str | None) -> StatusCategory | None:
        if status_id is not None and status_id in self.by_id:
            return self.by_id[status_id]
        if name is not None:
            return self.by_name.get(name.casefold())
        return None


class ValueReader:
    """Turns changelog items into ticket values for one read of the site."""

    def __init__(self, fields: Mapping[str, FieldInfo], people: People, statuses: Statuses) -> None:
        # policy field name -> its catalogue entry; matched by id, else by display name
        self._by_id = {info.id: name for name, info in fields.items()}
        self._by_name = {info.name.casefold(): name for name, info in fields.items()}
        self._by_name.update({name.casefold(): name for name in fields})
        self._infos = dict(fields)
        self.people = people
        self.statuses = statuses

    def attribute(self, item: FieldChange) -> str | None:
        """Which ticket attribute the item changes (``field:<name>`` for a policy's field);
        None for a field nothing in the replay reads."""
        if item.field_id is not None and item.field_id in self._by_id:
            return CUSTOM_PREFIX + self._by_id[item.field_id]
        system = SYSTEM_FIELDS.get(item.field.casefold())
        if system is not None and (item.field_id is None or not item.field_id.startswith("cust")):
            return system
        name = self._by_name.get(item.field.casefold())
        return CUSTOM_PREFIX + name if name is not None else None

    def value(self, attribute: str, raw_id: str | None, text: str | None) -> Any:
        """The value one side of an item stands for; ValueProblem when it cannot be read."""
        if attribute == "status":
            if text is None:
                return None
            category = self.statuses.category(raw_id, text)
            if category is None:
                raise ValueProblem(f"status {text!r} is not in Jira's status list")
            return (text, category)
        if attribute in ("assignee", "reporter"):
            return None if raw_id is None else self.people.get(raw_id, text)
        if attribute == "labels":
            return frozenset((text or "").split())
        if attribute == "due_date":
            source = raw_id or text
            return None if source is None else parse_jira_date(source)
        if attribute == "original_estimate_seconds":
            source = raw_id or text
            return None if source is None else _whole_number(source)
        if attribute.startswith(CUSTOM_PREFIX):
            info = self._infos[attribute.removeprefix(CUSTOM_PREFIX)]
            return self._custom(info, raw_id, text)
        return text  # priority, resolution, summary, description, issue type by name

    def _custom(self, info: FieldInfo, raw_id: str | None, text: str | None) -> Any:
        if raw_id is None and text is None:
            return None
        kind = info.schema_type
        if kind == "user":
            if raw_id is None:
                raise ValueProblem(f"the change of {info.name} names no account")
            return self.people.get(raw_id, text)
        if kind == "datetime":
            return parse_jira_datetime(raw_id or text)
        if kind == "date":
            return parse_jira_date(raw_id or text)
        if kind == "number":
            try:
                return float(text or raw_id or "")
            except ValueError as exc:
                raise ValueProblem(f"{text!r} is not a number") from exc
        if kind == "array":
            parts = tuple(p.strip() for p in (text or "").split(",") if p.strip())
            if info.items == "user":
                ids = _id_list(raw_id)
                if len(ids) != len(parts):
                    raise ValueProblem(f"the change of {info.name} does not name its accounts")
                return tuple(self.people.get(i, n) for i, n in zip(ids, parts, strict=True))
            return parts
        return text


def _whole_number(text: str) -> int:
    try:
        return int(float(text))
    except ValueError as exc:
        raise ValueProblem(f"{text!r} is not a number of seconds") from exc


def _id_list(raw: str | None) -> list[str]:
    """``[a, b]`` or ``a,b`` as Jira writes several ids in one ``from``/``to``."""
    if not raw:
        return []
    return [p.strip() for p in raw.strip("[]").split(",") if p.strip()]
