"""Field routes: the field list, creating custom fields, and the options of a
select field's (single, global) context, the way Jira Cloud manages them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog, customfields
from agent.sandbox.jira.documents import custom_field, custom_fields
from agent.sandbox.jira.route_helpers import body_object, created, int_arg, router
from agent.sandbox.store import Doc

FIELD_NOT_FOUND = "The custom field was not found."
CONTEXT_NOT_FOUND = "The context was not found."


def context_id(field: Doc) -> str:
    """Every sandbox custom field has one global context, with a stable id."""
    return str(10000 + int(field["number"]))


def _option_json(option: Doc) -> dict[str, Any]:
    return {"id": option["id"], "value": option["value"], "disabled": False}


def _page(values: list[Any], start: int, limit: int) -> dict[str, Any]:
    page = values[start : start + limit]
    return {
        "self": request.url,
        "maxResults": limit,
        "startAt": start,
        "total": len(values),
        "isLast": start + len(page) >= len(values),
        "values": page,
    }


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    @route("/field", methods=("GET", "POST"))
    def fields(version: str) -> ResponseReturnValue:
        if request.method == "POST":
            data = body_object()
            name, type_key = data.get("name"), data.get("type")
            if not isinstance(name, str) or not name.strip():
                raise ApiError(400, "", errors={"name": "You must specify a name for the field."})
            if not isinstance(type_key, str):
                raise ApiError(400, "", errors={"type": "You must specify a field type."})
            description = (
                data.get("description") if isinstance(data.get("description"), str) else ""
            )
            doc = customfields.create_field(ctx, name, type_key, description=description or "")
            return created(customfields.field_json(doc))
        system = [dict(field) for field in catalog.SYSTEM_FIELDS]
        return jsonify(system + [customfields.field_json(doc) for doc in custom_fields(ctx)])

    def _select_field(field_id: str, wanted_context: str | None = None) -> Doc:
        field = custom_field(ctx, field_id)
        if field is None:
            raise ApiError(404, FIELD_NOT_FOUND)
        if wanted_context is not None and wanted_context != context_id(field):
            raise ApiError(404, CONTEXT_NOT_FOUND)
        return field

    @route("/field/<field_id>/context")
    def field_contexts(version: str, field_id: str) -> ResponseReturnValue:
        field = _select_field(field_id)
        context = {
            "id": context_id(field),
            "name": f"Default Configuration Scheme for {field['name']}",
            "description": "",
            "isGlobalContext": True,
            "isAnyIssueType": True,
        }
        return jsonify(
            _page([context], int_arg("startAt", 0), int_arg("maxResults", 50, minimum=1))
        )

    @route("/field/<field_id>/context/<context>/option", methods=("GET", "POST"))
    def field_options(version: str, field_id: str, context: str) -> ResponseReturnValue:
        field = _select_field(field_id, context)
        if customfields.type_suffix(field["type"]) != "select":
            raise ApiError(400, f"The custom field '{field['name']}' does not support options.")
        if request.method == "GET":
            options = [_option_json(o) for o in field["options"]]
            return jsonify(
                _page(options, int_arg("startAt", 0), int_arg("maxResults", 100, minimum=1))
            )
        wanted = body_object().get("options")
        if not isinstance(wanted, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) and o["value"].strip()
            for o in wanted
        ):
            raise ApiError(400, "Send options as a list of objects with a non-empty 'value'.")
        known = {o["value"].lower() for o in field["options"]}
        for option in wanted:
            if option["value"].lower() in known:
                raise ApiError(400, f"The option '{option['value']}' already exists.")
        with ctx.store.lock:
            added = customfields.add_options(ctx, field, [o["value"] for o in wanted])
        return jsonify({"options": [_option_json(o) for o in added]})
