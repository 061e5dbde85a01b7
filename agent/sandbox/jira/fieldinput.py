"""Turning REST ``fields``/``update`` payloads into stored issue values.

One place decides what a request may set and what Jira answers when it may
not: ``errors: {fieldId: message}`` with status 400, all problems at once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf, catalog, customfields
from agent.sandbox.jira.documents import custom_field, issue_by_ref, project_by_ref
from agent.sandbox.jira.user_shapes import user_by_ref
from agent.sandbox.store import Doc

CANNOT_SET = "Field '{0}' cannot be set. It is not on the appropriate screen, or unknown."
_DURATION = re.compile(r"^\s*(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*$")
_READ_ONLY = {"status", "created", "updated", "creator", "resolutiondate", "subtasks", "watches"}
_MULTI_VALUED = {"labels"}


def duration_seconds(text: str) -> int | None:
    """Jira's estimate syntax (``1w 2d 3h 30m``; 5-day weeks, 8-hour days)."""
    match = _DURATION.match(text)
    if not match or not text.strip():
        return None
    weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
    return ((weeks * 5 + days) * 8 + hours) * 3600 + minutes * 60


class FieldInput:
    """Collects the stored values a request asks for, and the errors it earns."""

    def __init__(self, ctx: SandboxContext, version: str, issue: Doc | None) -> None:
        self.ctx = ctx
        self.version = version
        self.issue = issue  # None while creating
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}
        self.comments: list[Any] = []

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ApiError(400, "", errors=dict(self.errors))

    def current(self, field_id: str) -> Any:
        if field_id in self.values:
            return self.values[field_id]
        return self.issue["fields"].get(field_id) if self.issue else None

    # -- "fields": plain sets ---------------------------------------------------
    def set_fields(self, fields: Any) -> None:
        if fields is None:
            return
        if not isinstance(fields, dict):
            raise ApiError(400, "Field 'fields' must be a JSON object of field ids to values.")
        for field_id, value in fields.items():
            self.set_one(str(field_id), value)

    def set_one(self, field_id: str, value: Any) -> None:
        try:
            self.values[field_id] = self._coerce(field_id, value)
        except customfields.FieldValueError as exc:
            self.errors[field_id] = str(exc)

    # -- "update": operations ----------------------------------------------------
    def apply_update(self, update: Any) -> None:
        if update is None:
            return
        if not isinstance(update, dict):
            raise ApiError(400, "Field 'update' must be a JSON object of field ids to operations.")
        for field_id, operations in update.items():
            if not isinstance(operations, list):
                self.errors[field_id] = "Operations must be a list of operation objects."
                continue
            for operation in operations:
                if not isinstance(operation, dict) or len(operation) != 1:
                    self.errors[field_id] = "Each operation must be an object with one verb."
                    continue
                verb, argument = next(iter(operation.items()))
                self._operate(str(field_id), str(verb), argument)

    def _operate(self, field_id: str, verb: str, argument: Any) -> None:
        if field_id == "comment" and verb == "add":
            body = argument.get("body") if isinstance(argument, dict) else None
            self.comments.append(body)
            return
        if verb == "set":
            self.set_one(field_id, argument)
            return
        is_list_field = field_id in _MULTI_VALUED or self._custom_type(field_id) in (
            "labels",
            "multiuserpicker",
        )
        if verb not in ("add", "remove") or not is_list_field:
            self.errors[field_id] = f"Field '{field_id}' does not support the '{verb}' operation."
            return
        if self._custom_type(field_id) == "multiuserpicker":
            user = user_by_ref(self.ctx, argument)
            if user is None:
                self.errors[field_id] = "Specify a valid accountId."
                return
            item: str = user["accountId"]
        elif isinstance(argument, str) and " " not in argument:
            item = argument
        else:
            self.errors[field_id] = f"The label '{argument}' contains spaces which is invalid."
            return
        current = list(self.current(field_id) or [])
        if verb == "add" and item not in current:
            current.append(item)
        elif verb == "remove" and item in current:
            current.remove(item)
        self.values[field_id] = current or None if field_id.startswith("customfield_") else current

    def _custom_type(self, field_id: str) -> str | None:
        if not field_id.startswith("customfield_"):
            return None
        field = custom_field(self.ctx, field_id)
        return customfields.type_suffix(field["type"]) if field else None

    # -- per-field rules ------------------------------------------------------------
    def _coerce(self, field_id: str, value: Any) -> Any:
        if field_id.startswith("customfield_"):
            field = custom_field(self.ctx, field_id)
            if field is None:
                raise customfields.FieldValueError(CANNOT_SET.format(field_id))
            return customfields.coerce(self.ctx, field, value, self.version)
        handler = getattr(self, f"_field_{field_id}", None)
        if field_id in _READ_ONLY or handler is None:
            raise customfields.FieldValueError(CANNOT_SET.format(field_id))
        return handler(value)

    def _field_project(self, value: Any) -> Any:
        if self.issue is not None:
            raise customfields.FieldValueError(CANNOT_SET.format("project"))
        project = project_by_ref(self.ctx, value)
        if project is None:
            raise customfields.FieldValueError("Specify a valid project ID or key")
        return project["id"]

    def _field_summary(self, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            raise customfields.FieldValueError("You must specify a summary of the issue.")
        if "\n" in value or "\r" in value:
            raise customfields.FieldValueError(
                "The summary is invalid because it contains newline characters."
            )
        if len(value) > 255:
            raise customfields.FieldValueError("Summary must be less than 255 characters.")
        return value

    def _field_description(self, value: Any) -> Any:
        if value is None:
            return None
        if self.version == "3":
            if not adf.is_adf(value) or adf.adf_errors(value):
                raise customfields.FieldValueError(customfields.NOT_ADF)
            return value
        if not isinstance(value, str):
            raise customfields.FieldValueError("Operation value must be a string")
        return value or None

    def _field_issuetype(self, value: Any) -> Any:
        issue_type = catalog.find_issue_type(value)
        if issue_type is None:
            raise customfields.FieldValueError("The issue type selected is invalid.")
        return issue_type.id

    def _field_priority(self, value: Any) -> Any:
        if value is None:
            return None
        priority = catalog.find_priority(value)
        if priority is None:
            raise customfields.FieldValueError("The priority selected is invalid.")
        return priority.id

    def _field_resolution(self, value: Any) -> Any:
        if value is None:
            return None
        resolution = catalog.find_resolution(value)
        if resolution is None:
            raise customfields.FieldValueError("The resolution selected is invalid.")
        return resolution["id"]

    def _field_labels(self, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise customfields.FieldValueError("The labels must be a list of strings.")
        for label in value:
            if " " in label:
                raise customfields.FieldValueError(
                    f"The label '{label}' contains spaces which is invalid."
                )
            if len(label) > 255:
                raise customfields.FieldValueError("The label must not exceed 255 characters.")
        return list(dict.fromkeys(value))

    def _user(self, value: Any, message: str) -> Any:
        if value is None:
            return None
        user = user_by_ref(self.ctx, value)
        if user is None or user.get("deleted"):
            shown = (
                value.get("accountId") or value.get("name") if isinstance(value, dict) else value
            )
            raise customfields.FieldValueError(message.format(shown))
        return user["accountId"]

    def _field_assignee(self, value: Any) -> Any:
        if isinstance(value, dict) and not value.get("accountId") and not value.get("name"):
            return None  # {"accountId": null} unassigns
        if isinstance(value, dict) and value.get("accountId") == "-1":
            return None  # "automatic": the projects' default assignee is Unassigned
        return self._user(value, "User '{0}' cannot be assigned issues.")

    def _field_reporter(self, value: Any) -> Any:
        if value is None:
            raise customfields.FieldValueError("Reporter is required.")
        return self._user(value, "Specify a valid value for reporter ('{0}').")

    def _field_duedate(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise customfields.FieldValueError(f"Error parsing date string: {value}") from exc

    def _field_timetracking(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise customfields.FieldValueError("Time tracking must be an object.")
        result: dict[str, Any] = {}
        for name in ("originalEstimate", "remainingEstimate"):
            if value.get(name) is None:
                continue
            seconds = duration_seconds(str(value[name]))
            if seconds is None:
                kind = "original" if name == "originalEstimate" else "remaining"
                raise customfields.FieldValueError(f"The {kind} estimate specified is not valid.")
            result[name] = str(value[name]).strip()
            result[name + "Seconds"] = seconds
        if "originalEstimate" in result and "remainingEstimate" not in result:
            result["remainingEstimate"] = result["originalEstimate"]
            result["remainingEstimateSeconds"] = result["originalEstimateSeconds"]
        return result or None

    def _field_parent(self, value: Any) -> Any:
        if value is None:
            return None
        ref = value.get("key") or value.get("id") if isinstance(value, dict) else value
        parent = issue_by_ref(self.ctx, str(ref)) if ref else None
        if parent is None:
            raise customfields.FieldValueError("Could not find issue by id or key.")
        if self.issue is not None and parent["id"] == self.issue["id"]:
            raise customfields.FieldValueError("An issue cannot be its own parent.")
        return parent["id"]
