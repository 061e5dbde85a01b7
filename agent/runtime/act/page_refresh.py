"""Refreshing a paperwork page with new facts, without ever overwriting a person's edit.

A page is drafted at resolution; the facts it shows (root cause, impact...)
are often filled in Jira later. The planner then plans a new page action (its
key carries a digest of those fields). This module finds the page the agent
wrote before (through the effect log, else by title) and rewrites it only if
its current version is the one the agent wrote, which the page's marker
remembers. A page a person has edited since is left as it is, and the cycle
reports once which facts were not written, so someone copies them by hand.
"""

from __future__ import annotations

import logging
from typing import Any

from agent.adapters.confluence_port import ConfluencePort, PageMarker
from agent.adapters.service_errors import NotFound
from agent.core.actions import PlannedAction
from agent.core.keys import ActionKey
from agent.runtime.env import ActionEnv
from agent.store import EffectStatus, JsonDoc

log = logging.getLogger(__name__)

FIRST_VERSION = 1
"""The version of a page Confluence has just created (labels and properties add none)."""


def page_ref(confluence: ConfluencePort, page_id: str, space: str, **extra: Any) -> JsonDoc:
    """The page action's external ref: where the page is, and its web address."""
    return {"page": page_id, "space": space, "url": confluence.page_url(page_id), **extra}


def earlier_page(action: PlannedAction, env: ActionEnv) -> str | None:
    """The id of the page an earlier version of this page action wrote, if any.

    Earlier versions share the key's base (``...:page@<resolved>``; the fields'
    digest after ``#`` differs); the newest done one wins. The title may have
    changed since (the ticket's summary), so the effect log is asked before the title.
    """
    if action.issue is None:
        return None
    base = ActionKey.parse(action.key).base
    newest: tuple[Any, str] | None = None
    for record in env.store.effects_for_issue(action.issue):
        if record.key == action.key or record.status is not EffectStatus.DONE:
            continue
        if record.kind != action.kind.value:
            continue
        if ActionKey.parse(record.key).base != base:
            continue
        page = (record.external_ref or {}).get("page")
        if page and (newest is None or record.updated_at > newest[0]):
            newest = (record.updated_at, str(page))
    return newest[1] if newest is not None else None


def _marker(action: PlannedAction, version: int) -> PageMarker:
    return PageMarker(kind=action.rule, key=action.key, issue=action.issue, version=version)


def refresh_page(
    action: PlannedAction, env: ActionEnv, confluence: ConfluencePort, page_id: str, space: str
) -> JsonDoc | None:
    """Bring the agent's page ``page_id`` up to date; None when the caller must create it.

    None means the page is gone (a person deleted it: it is written again) or it
    carries no marker of ours (the caller adopts it as the earlier behaviour did:
    a page creation interrupted before its marker, or a person's page of that
    title, whose body is kept).
    """
    try:
        page = confluence.get_page(page_id)
    except NotFound:
        log.info("%s: page %s is gone; writing it again", action.key, page_id)
        return None
    marker = confluence.get_marker(page_id)
    if marker is None:
        return None
    if marker.key == action.key:
        return page_ref(confluence, page_id, space, version=page.version)
    body = env.render(action)
    written = marker.version or FIRST_VERSION
    if page.version != written:
        if page.body == body:
            # our own write whose marker update was cut short (a crash in between)
            confluence.set_marker(page_id, _marker(action, page.version))
            return page_ref(confluence, page_id, space, updated=True, version=page.version)
        facts = ", ".join(str(f) for f in action.context.get("facts") or ()) or "none"
        message = (
            f"the page {page.title!r} was edited by a person after the agent wrote it "
            f"(it is at version {page.version}, the agent wrote version {written}), so the "
            f"new facts were not written to it: {facts}. Copy them from {action.issue} by hand."
        )
        log.warning("%s: %s", action.key, message)
        env.ticket_problem(action, message)
        return page_ref(confluence, page_id, space, kept_edit=True, version=page.version)
    version = confluence.update_page(page_id, body, expected_version=page.version)
    confluence.set_marker(page_id, _marker(action, version))
    log.info("%s: refreshed page %r (version %d)", action.key, page.title, version)
    return page_ref(confluence, page_id, space, updated=True, version=version)
