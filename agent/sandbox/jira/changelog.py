"""The changelog and timestamps of issues: what changed, shown as Jira shows it
(``field``, ``fieldtype``, ``from``/``fromString``, ``to``/``toString``), and
``updated`` bumped with every change.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf, catalog, customfields
from agent.sandbox.jira.documents import ISSUE, custom_field, save_issue
from agent.sandbox.settable_clock import jira_time
from agent.sandbox.store import Doc

_CHANGELOG_NAMES = {
    "summary": "summary",
    "description": "description",
    "issuetype": "issuetype",
    "priority": "priority",
    "labels": "labels",
    "assignee": "assignee",
    "reporter": "reporter",
    "duedate": "duedate",
    "timetracking": "timeoriginalestimate",
    "parent": "IssueParentAssociation",
    "resolution": "resolution",
    "status": "status",
}


def now_stamp(ctx: SandboxContext) -> tuple[str, int]:
    """The sandbox's now as a Jira timestamp and as epoch milliseconds."""
    moment = ctx.clock.now()
    return jira_time(moment), int(moment.timestamp() * 1000)


def stamp_ms(text: str | None) -> int | None:
    if not text:
        return None
    return int(customfields.parse_datetime(text).timestamp() * 1000)


def refresh_custom_stamps(doc: Doc) -> None:
    for field_id, value in doc["fields"].items():
        if field_id.startswith("customfield_") and isinstance(value, str) and value[:4].isdigit():
            try:
                doc["ts"][field_id] = stamp_ms(value)
            except customfields.FieldValueError:
                doc["ts"].pop(field_id, None)


def record_history(
    ctx: SandboxContext, issue: Doc, actor: Doc, items: list[dict[str, Any]]
) -> None:
    stamp, stamp_millis = now_stamp(ctx)
    issue["changelog"].append(
        {
            "id": str(ctx.store.next_id("jira.changelog", 10000)),
            "author": actor["accountId"],
            "created": stamp,
            "items": items,
        }
    )
    touch(ctx, issue, stamp, stamp_millis)


def touch(
    ctx: SandboxContext, issue: Doc, stamp: str | None = None, millis: int | None = None
) -> None:
    """Bump ``updated`` and save."""
    if stamp is None or millis is None:
        stamp, millis = now_stamp(ctx)
    issue["fields"]["updated"] = stamp
    issue["ts"]["updated"] = millis
    refresh_custom_stamps(issue)
    save_issue(ctx, issue)


def same(old: Any, new: Any) -> bool:
    if isinstance(old, list) and not old:
        old = None
    if isinstance(new, list) and not new:
        new = None
    return bool(old == new)


def change_item(ctx: SandboxContext, field_id: str, old: Any, new: Any) -> dict[str, Any]:
    if field_id.startswith("customfield_"):
        field = custom_field(ctx, field_id)
        assert field is not None
        opaque = customfields.type_suffix(field["type"]) in ("select", "userpicker")
        return {
            "field": field["name"],
            "fieldtype": "custom",
            "fieldId": field_id,
            "from": old if opaque else None,
            "fromString": customfields.display_string(ctx, field, old),
            "to": new if opaque else None,
            "toString": customfields.display_string(ctx, field, new),
        }
    from_id, from_text = _system_display(ctx, field_id, old)
    to_id, to_text = _system_display(ctx, field_id, new)
    return {
        "field": _CHANGELOG_NAMES.get(field_id, field_id),
        "fieldtype": "jira",
        "fieldId": field_id,
        "from": from_id,
        "fromString": from_text,
        "to": to_id,
        "toString": to_text,
    }


def _system_display(ctx: SandboxContext, field_id: str, value: Any) -> tuple[Any, str | None]:
    """(``from``/``to``, ``fromString``/``toString``) for a system field's value."""
    if value is None or value == []:
        return None, None
    if field_id == "priority":
        return value, catalog.PRIORITY_BY_ID[value].name
    if field_id == "status":
        return value, catalog.STATUS_BY_ID[value].name
    if field_id == "issuetype":
        return value, catalog.ISSUE_TYPE_BY_ID[value].name
    if field_id == "resolution":
        return value, catalog.RESOLUTION_BY_ID[value]["name"]
    if field_id in ("assignee", "reporter"):
        user = ctx.users.by_account_id(value)
        return value, user["displayName"] if user else value
    if field_id == "labels":
        return None, " ".join(value)
    if field_id == "description":
        return None, adf.as_text(value)
    if field_id == "duedate":
        return value, f"{value} 00:00:00.0"
    if field_id == "timetracking":
        seconds = value.get("originalEstimateSeconds")
        return (str(seconds) if seconds is not None else None), (
            str(seconds) if seconds is not None else None
        )
    if field_id == "parent":
        parent = ctx.store.get(ISSUE, value)
        return value, parent["key"] if parent else value
    return None, str(value)
