"""The one workflow every project uses: To Do -> In Progress -> Done, with
global transitions; Done resolves the issue, reopening clears the resolution.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog
from agent.sandbox.jira.changelog import change_item, now_stamp, record_history, same
from agent.sandbox.store import Doc


def available_transitions(issue: Doc) -> list[catalog.Transition]:
    """Every global transition except the one into the current status."""
    return [t for t in catalog.TRANSITIONS if t.to_status != issue["fields"]["status"]]


def transition(
    ctx: SandboxContext,
    issue: Doc,
    transition_id: str,
    actor: Doc,
    *,
    extra_values: dict[str, Any] | None = None,
) -> None:
    """Move an issue to the transition's status; Done resolves, reopening unresolves."""
    chosen = catalog.TRANSITION_BY_ID.get(transition_id)
    if chosen is None or chosen not in available_transitions(issue):
        raise ApiError(400, f"Transition id '{transition_id}' is not valid for this issue.")
    target = catalog.STATUS_BY_ID[chosen.to_status]
    before = catalog.STATUS_BY_ID[issue["fields"]["status"]]
    values: dict[str, Any] = dict(extra_values or {})
    values["status"] = target.id
    stamp, millis = now_stamp(ctx)
    if target.category_key == catalog.DONE_CATEGORY:
        values.setdefault("resolution", catalog.DONE_RESOLUTION_ID)
        issue["fields"]["resolutiondate"] = stamp
        issue["ts"]["resolutiondate"] = millis
    else:
        values["resolution"] = None
        issue["fields"]["resolutiondate"] = None
        issue["ts"]["resolutiondate"] = None
    if before.category_key != target.category_key:
        issue["fields"]["statuscategorychangedate"] = stamp
    items = []
    for field_id, new in values.items():
        old = issue["fields"].get(field_id)
        if not same(old, new):
            items.append(change_item(ctx, field_id, old, new))
            issue["fields"][field_id] = new
    record_history(ctx, issue, actor, items)
