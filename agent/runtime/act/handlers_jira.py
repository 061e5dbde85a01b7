"""Jira actions: marked comments, labels, priority, watchers, fields, remote links.

Comments are the only Jira effect that is not naturally idempotent; they carry
the ``escalation-agent`` property with the action key, which reconciliation
looks for. Labels, priority and watchers can simply be set again.
"""

from __future__ import annotations

import logging
from typing import Any

from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.runtime.ports import FieldSetter
from agent.store import JsonDoc

log = logging.getLogger(__name__)


def _issue(action: PlannedAction) -> str:
    if action.issue is None:
        raise ActionError(f"{action.key}: a {action.kind.value} action needs a ticket")
    return action.issue


def _context_value(action: PlannedAction, name: str) -> Any:
    value = action.context.get(name)
    if value in (None, ""):
        raise ActionError(f"{action.key}: the action's context has no {name!r}")
    return value


def comment(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """The marked comment, on the action's ticket or on ``on_issue`` (a follow-up issue the
    ticket's rule speaks to)."""
    issue = str(action.context.get("on_issue") or _issue(action))
    if reconcile:
        existing = env.jira.find_agent_comment(issue, action.key)
        if existing is not None:
            return {"issue": issue, "comment": existing, "reconciled": True}
    body = env.render(action)
    comment_id = env.jira.add_comment(issue, body, rule=action.rule, key=action.key)
    return {"issue": issue, "comment": comment_id}


def add_label(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    issue, label = _issue(action), str(_context_value(action, "label"))
    env.jira.add_labels(issue, [label])
    return {"issue": issue, "label": label}


def remove_label(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    issue, label = _issue(action), str(_context_value(action, "label"))
    env.jira.remove_labels(issue, [label])
    return {"issue": issue, "label": label}


def set_priority(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    issue, priority = _issue(action), str(_context_value(action, "priority"))
    env.jira.set_priority(issue, priority)
    return {"issue": issue, "priority": priority}


def set_field(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    issue = _issue(action)
    name, value = str(_context_value(action, "field")), _context_value(action, "value")
    if not isinstance(env.jira, FieldSetter):
        raise ActionError(
            f"{action.key}: cannot set {name!r} on {issue}: this Jira adapter has no set_field; "
            "set the field by hand or remove set_field from the rule"
        )
    env.jira.set_field(issue, name, value)
    return {"issue": issue, "field": name, "value": value}


def add_watcher(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    issue = _issue(action)
    watchers = [p.account_id for p in action.audience if p.account_id]
    if not watchers:
        raise ActionError(f"{action.key}: no Jira account to add as a watcher on {issue}")
    for account_id in watchers:
        env.jira.add_watcher(issue, account_id)
    return {"issue": issue, "watchers": watchers}


def _link_url(action: PlannedAction, env: ActionEnv) -> str:
    """``link_url``, or the ``url`` in the ref of the action named by ``link_from_ref``.

    The second form links something an earlier action made (a page, a channel)
    whose address is only known once it is done; until then this action fails
    and is tried again next cycle.
    """
    source = action.context.get("link_from_ref")
    if not source:
        return str(_context_value(action, "link_url"))
    ref = env.ref_of(str(source))
    url = ref.get("url") if ref is not None else None
    if not url:
        raise ActionError(
            f"{action.key}: {source} is not done yet (or its result has no url), so there "
            "is nothing to link; the link is added on a later cycle once it is"
        )
    return str(url)


def remote_link(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """A web link on the ticket, upserted by a global id made from the action key."""
    issue = _issue(action)
    url, title = _link_url(action, env), str(_context_value(action, "link_title"))
    source = action.context.get("link_from_ref")
    named = (env.ref_of(str(source)) or {}).get("name") if source else None
    if action.context.get("link_names_ref") and named:
        title = f"Slack #{named}"  # the channel's real name (a successor's ``-2``)
    link_id = env.jira.add_remote_link(
        issue, url, title, global_id=f"escalation-agent:{action.key}"
    )
    return {"issue": issue, "link": link_id, "url": url}


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.JIRA_COMMENT: comment,
    ActionKind.JIRA_ADD_LABEL: add_label,
    ActionKind.JIRA_REMOVE_LABEL: remove_label,
    ActionKind.JIRA_SET_PRIORITY: set_priority,
    ActionKind.JIRA_SET_FIELD: set_field,
    ActionKind.JIRA_ADD_WATCHER: add_watcher,
    ActionKind.JIRA_REMOTE_LINK: remote_link,
}
