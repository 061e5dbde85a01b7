"""Confluence actions: paperwork pages and incident-log rows.

Pages carry the content property ``escalation-agent`` (issue, kind, key, and the
version the agent wrote) and labels, so after a crash (or a lost state file) the
page is found by its marker rather than written twice, and a later refresh
(``agent.runtime.act.page_refresh``) knows whether a person edited it since; a log
row is added only if the issue key is not in the log table yet (the adapter
checks), so repeating it is harmless. A new log page's table gets the rule's
``columns`` as its header row; an existing table keeps its own. Once an
escalation's follow-ups are known, its row shows "actions: 2 of 3 done"
(``confluence.log_actions``: the one lozenge in the row is replaced, the page
read again when a person saved it meanwhile).
"""

from __future__ import annotations

from dataclasses import replace

from agent.adapters.confluence_port import ConfluencePort, PageMarker
from agent.adapters.confluence_row_status import actions_status, set_row_status
from agent.adapters.confluence_tables import StorageSurgeryError
from agent.adapters.service_errors import Conflict
from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.act.log_pages import LogRow, add_log_row
from agent.runtime.act.page_refresh import FIRST_VERSION, earlier_page, page_ref, refresh_page
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
    """Create the page, or refresh the agent's earlier version of it.

    The ref has the page's ``url``: the link on the ticket (planned right after)
    is made from it.
    """
    confluence = _confluence(action, env)
    space = _space(action, env)
    title = action.context.get("title")
    if not title:
        raise ActionError(f"{action.key}: the action's context has no page title")
    marker = _marker(action)
    if reconcile:
        found = confluence.find_page_by_marker(space, action.key, labels=marker.labels())
        if found is not None:
            return page_ref(confluence, found.id, space, reconciled=True)
    page_id = earlier_page(action, env)
    if page_id is None:
        existing = confluence.find_page(space, str(title))
        page_id = existing.id if existing is not None else None
    if page_id is not None:
        refreshed = refresh_page(action, env, confluence, page_id, space)
        if refreshed is not None:
            return refreshed
    parent = action.context.get("parent")
    made = confluence.ensure_page(
        space,
        str(title),
        env.render(action),
        parent_title=str(parent) if parent else None,
        marker=replace(marker, version=FIRST_VERSION),
    )
    if made.displaced_by is not None and made.created:
        # said once: later cycles find the page through the effect log (or its marker)
        env.ticket_problem(
            action,
            f"the page {made.displaced_by!r} in space {space} is not the agent's (Confluence "
            "titles are unique regardless of case), so the agent wrote its page as "
            f"{made.title!r} and left the other page as it was",
        )
    return page_ref(confluence, made.id, space, created=made.created)


def log_row(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """The issue's row in its log, on the volume of the year it was resolved
    (:mod:`agent.runtime.act.log_pages`)."""
    confluence = _confluence(action, env)
    space = _space(action, env)
    title = action.context.get("page_title")
    if not title or action.issue is None:
        raise ActionError(f"{action.key}: a log row needs a ticket and the log page's title")
    row = LogRow(
        space=space,
        title=str(title),
        issue=action.issue,
        year=_log_year(action),
        row_xml=env.render(action),
        header_titles=[str(c) for c in action.context.get("columns") or ()],
        intro=LOG_PAGE_INTRO,
        labels=LOG_LABELS,
    )
    page, result = add_log_row(confluence, row, reconcile=reconcile)
    return {"page": page.id, "space": space, "added": result.added, "title": page.title}


def _log_year(action: PlannedAction) -> int:
    """The year the incident was resolved (in the policy's zone), which picks its log volume."""
    year = action.context.get("log_year")
    if isinstance(year, int):
        return year
    resolved = str(action.context.get("resolved_at") or "")
    if resolved[:4].isdigit():
        return int(resolved[:4])
    raise ActionError(f"{action.key}: the action's context has no log_year")


MAX_ROW_ATTEMPTS = 5


def log_actions(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """The row's "actions: N of M done" lozenge, on the log volume that holds the row."""
    confluence = _confluence(action, env)
    row_key = str(action.context.get("row_key") or "")
    ref = env.ref_of(row_key) if row_key else None
    if action.issue is None or not ref or not ref.get("page"):
        raise ActionError(
            f"{action.key}: the incident's log row is not written yet; tried again next cycle"
        )
    page_id = str(ref["page"])
    done, total = int(action.context["actions_done"]), int(action.context["actions_total"])
    status = actions_status(done, total)
    columns = [str(c) for c in action.context.get("columns") or ()]
    last: Conflict | None = None
    for _ in range(MAX_ROW_ATTEMPTS):
        page = confluence.get_page(page_id)
        try:
            edited = set_row_status(page.body, action.issue, status, columns)
        except StorageSurgeryError as exc:
            raise ActionError(f"{action.key}: page {page.title!r}: {exc}") from exc
        if edited == page.body:
            return {"page": page_id, "changed": False}
        try:
            version = confluence.update_page(page_id, edited, expected_version=page.version)
        except Conflict as exc:
            last = exc  # a person saved the log meanwhile: read it again
            continue
        return {"page": page_id, "version": version}
    assert last is not None
    raise last


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.CONFLUENCE_LOG_ACTIONS: log_actions,
    ActionKind.CONFLUENCE_PAGE: page,
    ActionKind.CONFLUENCE_LOG_ROW: log_row,
}
