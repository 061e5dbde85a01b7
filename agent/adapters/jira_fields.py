"""The field catalogue: display names <-> field ids, and typed conversion of values.

Policies name fields as people see them ("Crew Lead"); Jira's API wants ids
(``customfield_10042``) that differ per site. One ``GET field`` per adapter
builds this map; values are then converted by the field's schema type.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from agent.adapters.jira_port import FieldInfo, UnknownFieldError
from agent.adapters.jira_values import (
    ValueProblem,
    as_dict,
    parse_jira_date,
    parse_jira_datetime,
    person_from_json,
    text_value,
)


class AmbiguousFieldError(LookupError):
    """Several Jira fields share a display name; the policy must name the id instead."""

    def __init__(self, name: str, ids: Sequence[str]) -> None:
        self.name = name
        self.ids = tuple(ids)
        super().__init__(
            f"Jira has {len(ids)} fields named {name!r} ({', '.join(ids)}); "
            "name the field by its id instead"
        )


def field_info_from_json(raw: dict[str, Any]) -> FieldInfo:
    schema = as_dict(raw.get("schema"))
    return FieldInfo(
        id=str(raw["id"]),
        name=str(raw.get("name") or raw["id"]),
        custom=bool(raw.get("custom")),
        schema_type=schema.get("type"),
        items=schema.get("items"),
        custom_type=schema.get("custom"),
    )


class FieldCatalogue:
    """Every field Jira knows, looked up by display name (case-insensitive) or id."""

    def __init__(self, fields: Iterable[FieldInfo]) -> None:
        self._by_id: dict[str, FieldInfo] = {}
        self._by_name: dict[str, list[FieldInfo]] = {}
        for info in fields:
            self._by_id[info.id] = info
            self._by_name.setdefault(info.name.casefold(), []).append(info)

    @classmethod
    def from_json(cls, raw: Any) -> FieldCatalogue:
        if not isinstance(raw, list):
            raise ValueError(f"GET field answered {type(raw).__name__}, expected a list")
        return cls(field_info_from_json(item) for item in raw if isinstance(item, dict))

    def by_id(self, field_id: str) -> FieldInfo | None:
        return self._by_id.get(field_id)

    def resolve(self, name: str) -> FieldInfo:
        """The field called ``name`` (or with that id); UnknownField/Ambiguous errors otherwise."""
        found = self._by_name.get(name.strip().casefold())
        if found is None:
            by_id = self._by_id.get(name.strip())
            if by_id is not None:
                return by_id
            raise UnknownFieldError({name: self.close_matches(name)})
        if len(found) > 1:
            raise AmbiguousFieldError(name, [f.id for f in found])
        return found[0]

    def resolve_all(self, names: Sequence[str]) -> dict[str, FieldInfo]:
        """``{name: FieldInfo}``; one error naming *every* unknown name, for ``check``."""
        result: dict[str, FieldInfo] = {}
        missing: dict[str, Sequence[str]] = {}
        for name in names:
            try:
                result[name] = self.resolve(name)
            except UnknownFieldError as exc:
                missing.update(exc.missing)
        if missing:
            raise UnknownFieldError(missing)
        return result

    def close_matches(self, name: str) -> list[str]:
        names = sorted({info.name for infos in self._by_name.values() for info in infos})
        lowered = {n.casefold(): n for n in names}
        hits = difflib.get_close_matches(name.casefold(), list(lowered), n=3, cutoff=0.75)
        return [lowered[h] for h in hits]


def convert_value(info: FieldInfo, raw: Any, *, datacenter: bool = False) -> Any:
    """A field's JSON value as the domain model holds it; ValueProblem for a wrong shape.

    select -> option value str; user -> Person; multi-user -> tuple[Person];
    datetime -> aware UTC; number -> float; text (string or ADF) -> str;
    arrays of strings/options -> tuple[str]. Unknown types are passed through.
    """
    if raw is None:
        return None
    kind = info.schema_type
    if kind == "string":
        return text_value(raw)
    if kind == "option":
        return _option(raw)
    if kind == "user":
        return person_from_json(raw, datacenter=datacenter)
    if kind == "datetime":
        return parse_jira_datetime(raw)
    if kind == "date":
        return parse_jira_date(raw)
    if kind == "number":
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueProblem(f"expected a number, got {raw!r}")
        return float(raw)
    if kind == "array":
        if not isinstance(raw, list):
            raise ValueProblem(f"expected a list, got {type(raw).__name__}")
        if info.items == "user":
            return tuple(person_from_json(item, datacenter=datacenter) for item in raw)
        if info.items == "option":
            return tuple(_option(item) for item in raw)
        if info.items == "string":
            return tuple(str(item) for item in raw)
    return raw


def _option(raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("value"), str):
        return str(raw["value"])
    if isinstance(raw, str):
        return raw
    raise ValueProblem(f"expected a select option with a 'value', got {raw!r}")
