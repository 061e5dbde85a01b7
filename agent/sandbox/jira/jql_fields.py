"""What each JQL field means: how to read it from an issue, how its values are
named in a query, which operators it takes and how it sorts.

A :class:`JqlField` turns a clause's operand into stored values once (so an
unknown status or project is a 400 up front, as in Jira) and hands the
evaluator cheap getters that run per issue.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf, catalog, customfields
from agent.sandbox.jira.documents import (
    custom_field,
    custom_field_by_name,
    custom_fields,
    issue_by_ref,
    project_by_ref,
    projects,
)
from agent.sandbox.jira.jql_dates import date_ms
from agent.sandbox.jira.jql_parser import JqlError
from agent.sandbox.jira.jql_text import tokens_of
from agent.sandbox.store import Doc

EQUALITY = frozenset({"=", "!=", "in", "not in", "is", "is not"})
ORDERING = frozenset({">", ">=", "<", "<="})
TEXT_OPS = frozenset({"~", "!~", "is", "is not"})
_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-(\d+)$")

Getter = Callable[[Doc], Any]


@dataclass
class JqlField:
    """One field as JQL sees it."""

    name: str
    kind: str  # equality | multi | ordered | date | text | number
    get: Getter  # stored value(s) of an issue, None when empty
    values: Callable[[str], set[Any]]  # operand text -> stored values (raises JqlError)
    operators: frozenset[str]
    sort: Getter | None = None
    user_field: bool = False
    path: tuple[str, ...] = ()  # where ``get`` reads, so hot predicates can skip a call

    def check_operator(self, operator: str) -> None:
        if operator.lower() not in self.operators:
            raise JqlError(
                f"The operator '{operator}' is not supported by the '{self.name}' field."
            )


def _unknown(value: str, name: str) -> JqlError:
    return JqlError(f"The value '{value}' does not exist for the field '{name}'.")


# -- text -------------------------------------------------------------------------------


def _text_field(name: str, cache_key: str, text_of: Callable[[Doc], str]) -> JqlField:
    def get(doc: Doc) -> list[str] | None:
        words = tokens_of(doc, cache_key, text_of)
        return words or None

    def sort(doc: Doc) -> str | None:
        return text_of(doc).lower() or None

    return JqlField(name, "text", get, lambda v: {v}, TEXT_OPS, sort)


def _comment_text(doc: Doc) -> str:
    return "\n".join(adf.as_text(c["body"]) for c in doc["comments"])


def _all_text(ctx: SandboxContext) -> Callable[[Doc], str]:
    text_fields = [
        f["id"]
        for f in custom_fields(ctx)
        if customfields.type_suffix(f["type"]) in ("textfield", "textarea")
    ]

    def text_of(doc: Doc) -> str:
        stored = doc["fields"]
        parts = [stored["summary"], adf.as_text(stored.get("description")), _comment_text(doc)]
        parts.extend(adf.as_text(stored.get(f)) for f in text_fields)
        return "\n".join(parts)

    return text_of


# -- dates ------------------------------------------------------------------------------


def _date_field(name: str, get: Getter, path: tuple[str, ...] = ()) -> JqlField:
    def values(text: str) -> set[Any]:
        raise JqlError(f"internal: date values for '{name}' come from the evaluator ({text})")

    return JqlField(name, "date", get, values, EQUALITY | ORDERING, get, path=path)


# -- fields -----------------------------------------------------------------------------


def _by_lookup(name: str, lookup: Callable[[str], Any]) -> Callable[[str], set[Any]]:
    def values(text: str) -> set[Any]:
        found = lookup(text)
        if found is None:
            raise _unknown(text, name)
        return {found}

    return values


def _user_values(ctx: SandboxContext, name: str) -> Callable[[str], set[Any]]:
    def values(text: str) -> set[Any]:
        lowered = text.lower()
        found = {
            u["accountId"]
            for u in ctx.users.all()
            if lowered
            in (
                u["accountId"].lower(),
                u["emailAddress"].lower(),
                u["displayName"].lower(),
                u["name"].lower(),
            )
        }
        if not found:
            raise _unknown(text, name)
        return found

    return values


def _user_sort(ctx: SandboxContext, field_id: str) -> Getter:
    def sort(doc: Doc) -> str | None:
        account_id = doc["fields"].get(field_id)
        user = ctx.users.by_account_id(account_id) if account_id else None
        return user["displayName"].lower() if user else None

    return sort


def _issue_values(ctx: SandboxContext, name: str) -> Callable[[str], set[Any]]:
    def values(text: str) -> set[Any]:
        issue = issue_by_ref(ctx, text)
        if issue is None:
            if text.isdigit() or _KEY.match(text):
                raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
            raise JqlError(f"The issue key '{text}' for field '{name}' is invalid.")
        return {issue["id"]}

    return values


def _key_order(doc: Doc) -> tuple[str, int]:
    return (doc["projectKey"], doc["number"])


def _project_lookup(ctx: SandboxContext, text: str) -> str | None:
    project = project_by_ref(ctx, text)
    if project is None:
        lowered = text.lower()
        project = next((p for p in projects(ctx) if p["name"].lower() == lowered), None)
    return project["id"] if project else None


def _status_category(text: str) -> int | None:
    lowered = text.lower()
    for category_id, (key, name, _color) in catalog.STATUS_CATEGORIES.items():
        if lowered in (key, name.lower(), str(category_id)):
            return category_id
    return None


def _resolution_lookup(text: str) -> str | None:
    resolution = catalog.find_resolution(text)
    return resolution["id"] if resolution else None


def resolve(ctx: SandboxContext, name: str) -> JqlField:
    """The JQL field a clause names, or JqlError like Jira's for an unknown one."""
    lowered = name.lower()
    simple = _system_field(ctx, lowered, name)
    if simple is not None:
        return simple
    match = re.fullmatch(r"cf\[(\d+)\]", lowered)
    field = (
        custom_field(ctx, f"customfield_{match.group(1)}")
        if match
        else custom_field_by_name(ctx, name)
    )
    if field is None and lowered.startswith("customfield_"):
        field = custom_field(ctx, lowered)
    if field is None:
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return _custom(ctx, field, name)


def _getter(field_id: str) -> Getter:
    def get(doc: Doc) -> Any:
        return doc["fields"].get(field_id)

    return get


def _stored(doc: Doc) -> dict[str, Any]:
    stored: dict[str, Any] = doc["fields"]
    return stored


def _system_field(ctx: SandboxContext, lowered: str, name: str) -> JqlField | None:
    if lowered == "project":
        return JqlField(
            "project",
            "equality",
            lambda doc: doc["projectId"],
            _by_lookup("project", lambda t: _project_lookup(ctx, t)),
            EQUALITY,
            lambda doc: doc["projectKey"],
            path=("projectId",),
        )
    if lowered in ("key", "issuekey", "id", "issue"):
        return JqlField(
            "key",
            "ordered",
            lambda doc: doc["id"],
            _issue_values(ctx, "key"),
            EQUALITY | ORDERING,
            _key_order,
        )
    if lowered == "parent":
        return JqlField(
            "parent",
            "equality",
            lambda doc: _stored(doc).get("parent"),
            _issue_values(ctx, "parent"),
            EQUALITY,
        )
    if lowered == "labels":
        return JqlField(
            "labels",
            "multi",
            lambda doc: {label.lower() for label in _stored(doc)["labels"]} or None,
            lambda text: {text.lower()},
            EQUALITY,
            lambda doc: " ".join(sorted(_stored(doc)["labels"])).lower() or None,
        )
    if lowered == "priority":
        return JqlField(
            "priority",
            "ordered",
            lambda doc: _stored(doc).get("priority"),
            _by_lookup("priority", lambda t: getattr(catalog.find_priority(t), "id", None)),
            EQUALITY | ORDERING,
            lambda doc: (
                -catalog.PRIORITY_BY_ID[_stored(doc)["priority"]].rank
                if _stored(doc).get("priority")
                else None
            ),
            path=("fields", "priority"),
        )
    if lowered == "status":
        return JqlField(
            "status",
            "equality",
            lambda doc: _stored(doc)["status"],
            _by_lookup("status", lambda t: getattr(catalog.find_status(t), "id", None)),
            EQUALITY,
            lambda doc: catalog.STATUS_BY_ID[_stored(doc)["status"]].order,
            path=("fields", "status"),
        )
    if lowered in ("statuscategory", "category"):
        return JqlField(
            "statusCategory",
            "equality",
            lambda doc: catalog.STATUS_BY_ID[_stored(doc)["status"]].category_id,
            _by_lookup("statusCategory", _status_category),
            EQUALITY,
            lambda doc: catalog.STATUS_BY_ID[_stored(doc)["status"]].order,
        )
    if lowered in ("issuetype", "type"):
        return JqlField(
            "issuetype",
            "equality",
            lambda doc: _stored(doc)["issuetype"],
            _by_lookup("issuetype", lambda t: getattr(catalog.find_issue_type(t), "id", None)),
            EQUALITY,
            lambda doc: catalog.ISSUE_TYPE_BY_ID[_stored(doc)["issuetype"]].name,
            path=("fields", "issuetype"),
        )
    if lowered == "resolution":
        return JqlField(
            "resolution",
            "equality",
            lambda doc: _stored(doc).get("resolution"),
            _resolution_values,
            EQUALITY,
            lambda doc: _stored(doc).get("resolution"),
            path=("fields", "resolution"),
        )
    if lowered in ("assignee", "reporter", "creator"):
        return JqlField(
            lowered,
            "equality",
            _getter(lowered),
            _user_values(ctx, lowered),
            EQUALITY,
            _user_sort(ctx, lowered),
            user_field=True,
            path=("fields", lowered),
        )
    if lowered in ("created", "createddate"):
        return _date_field("created", lambda doc: doc["ts"]["created"], ("ts", "created"))
    if lowered in ("updated", "updateddate"):
        return _date_field("updated", lambda doc: doc["ts"]["updated"], ("ts", "updated"))
    if lowered in ("resolutiondate", "resolved"):
        return _date_field("resolutiondate", lambda doc: doc["ts"].get("resolutiondate"))
    if lowered in ("duedate", "due"):
        return _date_field("duedate", lambda doc: date_ms(_stored(doc).get("duedate")))
    if lowered == "summary":
        return _text_field("summary", "summary", lambda doc: _stored(doc)["summary"])
    if lowered == "description":
        return _text_field(
            "description", "description", lambda doc: adf.as_text(_stored(doc).get("description"))
        )
    if lowered == "comment":
        return _text_field("comment", "comment", _comment_text)
    if lowered == "text":
        field = _text_field("text", "text", _all_text(ctx))
        field.operators = frozenset({"~", "!~"})
        field.sort = None
        return field
    del name
    return None


def _resolution_values(text: str) -> set[Any]:
    if text.lower() == "unresolved":
        return {None}
    found = _resolution_lookup(text)
    if found is None:
        raise _unknown(text, "resolution")
    return {found}


def _option_position(field: Doc, get: Getter) -> Getter:
    """Selects sort in the order of their options, as Jira does (not alphabetically)."""
    positions = {option["id"]: index for index, option in enumerate(field["options"])}
    return lambda doc: positions.get(get(doc)) if get(doc) is not None else None


def _custom(ctx: SandboxContext, field: Doc, shown: str) -> JqlField:
    field_id = field["id"]
    suffix = customfields.type_suffix(field["type"])
    name = field["name"]

    def get(doc: Doc) -> Any:
        return doc["fields"].get(field_id)

    if suffix in ("textfield", "textarea"):
        return _text_field(name, field_id, lambda doc: adf.as_text(get(doc)))
    if suffix == "select":

        def option_ids(text: str) -> set[Any]:
            current = custom_field(ctx, field_id) or field
            found = {
                o["id"]
                for o in current["options"]
                if o["value"].lower() == text.lower() or o["id"] == text
            }
            if not found:
                raise JqlError(f"The option '{text}' for field '{name}' does not exist.")
            return found

        return JqlField(
            name,
            "equality",
            get,
            option_ids,
            EQUALITY,
            _option_position(field, get),
        )
    if suffix == "userpicker":
        return JqlField(
            name,
            "equality",
            get,
            _user_values(ctx, name),
            EQUALITY,
            _user_sort(ctx, field_id),
            user_field=True,
        )
    if suffix == "multiuserpicker":
        return JqlField(
            name,
            "multi",
            lambda doc: set(get(doc) or ()) or None,
            _user_values(ctx, name),
            EQUALITY,
            None,
            user_field=True,
        )
    if suffix == "labels":
        return JqlField(
            name,
            "multi",
            lambda doc: {v.lower() for v in get(doc) or ()} or None,
            lambda text: {text.lower()},
            EQUALITY,
        )
    if suffix == "datetime":
        return _date_field(name, lambda doc: doc["ts"].get(field_id))
    if suffix == "float":

        def number(text: str) -> set[Any]:
            try:
                return {float(text)}
            except ValueError as exc:
                raise JqlError(
                    f"The value '{text}' is not a valid number for field '{name}'."
                ) from exc

        return JqlField(name, "number", get, number, EQUALITY | ORDERING, get)
    raise JqlError(f"Field '{shown}' does not exist or you do not have permission to view it.")
