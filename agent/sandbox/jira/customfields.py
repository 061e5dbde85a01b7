"""Custom fields: their types, definitions, and how values go in and come out.

Stored values are compact: option ids for selects, account ids for user
pickers, strings or ADF for text, Jira timestamps for date-times. Requests
use the REST shapes (``{"value": "High"}``, ``{"accountId": ...}``) and get
Jira's per-field 400 messages when a value does not fit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf
from agent.sandbox.jira.documents import FIELD, custom_field_by_name
from agent.sandbox.jira.user_shapes import user_by_ref, user_json
from agent.sandbox.settable_clock import jira_time
from agent.sandbox.store import Doc

TYPE_PREFIX = "com.atlassian.jira.plugin.system.customfieldtypes:"

# type suffix -> (schema type, schema items, searcher suffix)
TYPES: dict[str, tuple[str, str | None, str]] = {
    "textfield": ("string", None, "textsearcher"),
    "textarea": ("string", None, "textsearcher"),
    "select": ("option", None, "multiselectsearcher"),
    "userpicker": ("user", None, "userpickergroupsearcher"),
    "multiuserpicker": ("array", "user", "userpickergroupsearcher"),
    "datetime": ("datetime", None, "datetimerange"),
    "float": ("number", None, "exactnumber"),
    "labels": ("array", "string", "labelsearcher"),
}


NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)."


class FieldValueError(ValueError):
    """A value that does not fit its field; the message is Jira's for that field."""


def type_suffix(type_key: str) -> str:
    return type_key.removeprefix(TYPE_PREFIX)


def create_field(
    ctx: SandboxContext,
    name: str,
    type_key: str,
    *,
    description: str = "",
    options: list[str] | None = None,
) -> Doc:
    """Create a custom field (or return the one with this name and type)."""
    suffix = type_suffix(type_key)
    if suffix not in TYPES:
        raise ApiError(
            400,
            "",
            errors={"type": f"Field type '{type_key}' is not a known custom field type."},
        )
    if not name.strip():
        raise ApiError(400, "", errors={"name": "You must specify a name for the field."})
    with ctx.store.lock:
        existing = custom_field_by_name(ctx, name)
        if existing is not None and existing["type"] == TYPE_PREFIX + suffix:
            add_options(ctx, existing, options or [])
            return existing
        number = ctx.store.next_id("jira.field", 10000)
        doc: Doc = {
            "id": f"customfield_{number}",
            "number": number,
            "name": name,
            "type": TYPE_PREFIX + suffix,
            "description": description,
            "options": [],
        }
        add_options(ctx, doc, options or [])
        ctx.store.put(FIELD, doc["id"], doc)
        return doc


def add_options(ctx: SandboxContext, doc: Doc, values: list[str]) -> list[Doc]:
    """Append options not there yet (case-insensitive); returns the ones added."""
    added: list[Doc] = []
    known = {o["value"].lower() for o in doc["options"]}
    changed = False
    for value in values:
        if value.lower() not in known:
            option = {"id": str(ctx.store.next_id("jira.option", 10000)), "value": value}
            doc["options"].append(option)
            added.append(option)
            known.add(value.lower())
            changed = True
    if changed:
        ctx.store.put(FIELD, doc["id"], doc)
    return added


def field_json(doc: Doc) -> dict[str, Any]:
    """The field as GET /field lists it."""
    suffix = type_suffix(doc["type"])
    schema_type, items, _searcher = TYPES[suffix]
    schema: dict[str, Any] = {"type": schema_type, "custom": doc["type"], "customId": doc["number"]}
    if items:
        schema["items"] = items
    return {
        "id": doc["id"],
        "key": doc["id"],
        "name": doc["name"],
        "custom": True,
        "orderable": True,
        "navigable": True,
        "searchable": True,
        "clauseNames": [f"cf[{doc['number']}]", doc["name"]],
        "schema": schema,
    }


def coerce(ctx: SandboxContext, field: Doc, value: Any, version: str) -> Any:
    """The stored form of a REST value for this field (``None`` clears it)."""
    if value is None:
        return None
    suffix = type_suffix(field["type"])
    name = field["name"]
    if suffix == "textfield":
        if not isinstance(value, str):
            raise FieldValueError(f"Operation value must be a string for field '{name}'.")
        if len(value) > 255:
            raise FieldValueError(
                "The entered text is too long. It exceeds the allowed limit of 255 characters."
            )
        return value or None
    if suffix == "textarea":
        if version == "3":
            if not adf.is_adf(value) or adf.adf_errors(value):
                raise FieldValueError(NOT_ADF)
            return value
        if not isinstance(value, str):
            raise FieldValueError(f"Operation value must be a string for field '{name}'.")
        return value or None
    if suffix == "select":
        return _option_id(ctx, field, value)
    if suffix == "userpicker":
        user = user_by_ref(ctx, value)
        if user is None:
            raise FieldValueError(f"Specify a valid accountId for field '{name}'.")
        return user["accountId"]
    if suffix == "multiuserpicker":
        if not isinstance(value, list):
            raise FieldValueError(f"Operation value must be an array of users for field '{name}'.")
        ids = []
        for item in value:
            user = user_by_ref(ctx, item)
            if user is None:
                raise FieldValueError(f"Specify a valid accountId for field '{name}'.")
            ids.append(user["accountId"])
        return ids or None
    if suffix == "datetime":
        if not isinstance(value, str):
            raise FieldValueError(f"Operation value must be a date-time string for field '{name}'.")
        return jira_time(parse_datetime(value))
    if suffix == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldValueError(f"Operation value must be a number for field '{name}'.")
        return float(value)
    if suffix == "labels":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FieldValueError(
                f"Operation value must be an array of strings for field '{name}'."
            )
        for label in value:
            if " " in label:
                raise FieldValueError(f"The label '{label}' contains spaces which is invalid.")
        return list(value) or None
    raise FieldValueError(f"Field '{name}' cannot be set.")


def _option_id(ctx: SandboxContext, field: Doc, value: Any) -> str:
    name = field["name"]
    wanted_id = value.get("id") if isinstance(value, dict) else None
    wanted_value = value.get("value") if isinstance(value, dict) else value
    if wanted_id is None and not isinstance(wanted_value, str):
        raise FieldValueError(
            f"Option value must be an object with 'value' or 'id' for field '{name}'."
        )
    for option in field["options"]:
        if wanted_id is not None and option["id"] == str(wanted_id):
            return str(option["id"])
        if wanted_id is None and option["value"].lower() == str(wanted_value).lower():
            return str(option["id"])
    shown = wanted_value if wanted_id is None else wanted_id
    if wanted_id is None and not field["options"]:
        # a select created without an option list learns its options as they are used
        add_options(ctx, field, [str(wanted_value)])
        return str(field["options"][-1]["id"])
    raise FieldValueError(f"Option value '{shown}' is not valid")


def option_value(field: Doc, option_id: str | None) -> str | None:
    for option in field["options"]:
        if option["id"] == option_id:
            return str(option["value"])
    return None


def parse_datetime(text: str) -> datetime:
    """Jira's date-time input forms: ``2026-11-22T10:30:00.000+0000`` and ISO variants."""
    cleaned = text.strip().replace("Z", "+00:00")
    if len(cleaned) >= 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit():
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise FieldValueError(
            f"Invalid date format. Please enter the date in the format: {text}"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def render(ctx: SandboxContext, field: Doc, stored: Any, base: str, version: str) -> Any:
    """The REST form of a stored value."""
    if stored is None:
        return None
    suffix = type_suffix(field["type"])
    if suffix == "textarea":
        return adf.as_adf(stored) if version == "3" else adf.as_text(stored)
    if suffix == "select":
        value = option_value(field, stored)
        return {
            "self": f"{base}rest/api/{version}/customFieldOption/{stored}",
            "value": value,
            "id": stored,
        }
    if suffix == "userpicker":
        user = ctx.users.by_account_id(stored)
        return user_json(ctx, user, base, version) if user else None
    if suffix == "multiuserpicker":
        users = [ctx.users.by_account_id(a) for a in stored]
        return [user_json(ctx, u, base, version) for u in users if u]
    return stored


def display_string(ctx: SandboxContext, field: Doc, stored: Any) -> str | None:
    """How the changelog shows a stored value (``fromString``/``toString``)."""
    if stored is None:
        return None
    suffix = type_suffix(field["type"])
    if suffix == "select":
        return option_value(field, stored)
    if suffix == "userpicker":
        user = ctx.users.by_account_id(stored)
        return str(user["displayName"]) if user else str(stored)
    if suffix == "multiuserpicker":
        names = []
        for account_id in stored:
            user = ctx.users.by_account_id(account_id)
            names.append(user["displayName"] if user else account_id)
        return ", ".join(names)
    if suffix == "labels":
        return " ".join(stored)
    if suffix == "textarea":
        return adf.as_text(stored)
    if suffix == "float":
        return f"{stored:g}"
    return str(stored)
