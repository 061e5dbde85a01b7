"""Confluence actions: paperwork pages and incident-log rows.

Pages carry the content property ``escalation-agent`` (issue, kind, key) and
labels, so after a crash (or a lost state file) the page is found by its marker
rather than written twice; a log row is added only if the issue key is not in
the log table yet (the adapter checks), so repeating it is harmless.
"""

from __future__ import annotations

from agent.adapters.confluence_port import ConfluencePort, PageMarker
from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.store import JsonDoc

LOG_PAGE_INTRO = (
    "<p>Incident log kept by escalation-agent: one row per resolved incident. "
    "Rows are only ever added; edit them freely.</p>"
)
LOG_LABELS = ("incident-log",)


def _confluence(action: PlannedAction, env: ActionEnv) -> ConfluencePort:
    if env.confluence is None:
        raise ActionError(f"{action.key}: Confluence is not available to this agent")
    return env.confluence


def _space(action: PlannedAction, env: ActionEnv) -> str:
    return str(action.context.get("space") or env.confluence_space)


def _marker(action: PlannedAction) -> PageMarker:
    return PageMarker(kind=action.rule, key=action.key, issue=action.issue)


def page(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    confluence = _confluence(action, env)
    space = _space(action, env)
    title = action.context.get("title")
    if not title:
        raise ActionError(f"{action.key}: the action's context has no page title")
    marker = _marker(action)
    if reconcile:
        found = confluence.find_page_by_marker(space, action.key, labels=marker.labels())
        if found is not None:
            return {"page": found.id, "space": space, "reconciled": True}
    parent = action.context.get("parent")
    made = confluence.ensure_page(
        space,
        str(title),
        env.render(action),
        parent_title=str(parent) if parent else None,
        marker=marker,
    )
    return {"page": made.id, "space": space, "created": made.created}


def log_row(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    confluence = _confluence(action, env)
    space = _space(action, env)
    title = action.context.get("page_title")
    if not title or action.issue is None:
        raise ActionError(f"{action.key}: a log row needs a ticket and the log page's title")
    log_page = confluence.ensure_page(space, str(title), LOG_PAGE_INTRO, labels=LOG_LABELS)
    result = confluence.append_log_row(log_page.id, action.issue, env.render(action))
    return {"page": log_page.id, "space": space, "added": result.added}


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.CONFLUENCE_PAGE: page,
    ActionKind.CONFLUENCE_LOG_ROW: log_row,
}
