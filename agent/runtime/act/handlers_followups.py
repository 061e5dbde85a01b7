"""Follow-up actions: the issue made from a page task, and the task's edits on the page.

``jira.create_issue`` looks for the issue carrying the task's page and task in
its property before every create (``agent.adapters.jira_followups``), so a
repeated action, a crash between the create and the page write, a lost state
file or a second replica finds the issue rather than making another; the link
to the escalation is added if it is missing. ``confluence.task`` reads the page,
splices the edit into the task (``agent.adapters.confluence_tasks``: show its
issue, tick it, untick it when its issue is reopened) and writes
it as the next version; a person saving meanwhile (409) makes it read again.
Ticking a task then records the tick in its issue's property, and unticking it
clears that first (``agent.core.followups.TICKED``): with the state file lost,
a later cycle still tells the agent's tick from a person's. Listing a follow-up
made in Jira adds a task showing it to the Actions, unless a
task shows it already. ``jira.transition`` moves a follow-up whose task was
ticked, unless it is in that status already.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol, runtime_checkable

from agent.adapters.confluence_tables import StorageSurgeryError
from agent.adapters.confluence_tasks import complete_task, list_issue, reopen_task, show_issue
from agent.adapters.jira_followups import FoundFollowup, NewIssue
from agent.adapters.service_errors import Conflict
from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.store import JsonDoc

MAX_TASK_ATTEMPTS = 5


@runtime_checkable
class FollowupWriter(Protocol):
    """What the Jira adapter offers for follow-ups (the fakes of older tests do not)."""

    def create_issue(self, new: NewIssue, *, find_existing: Any) -> str: ...

    def link_issues(self, inward: str, outward: str, link_type: str) -> None: ...

    def linked_keys(self, issue: str) -> set[str]: ...

    def transition_issue(self, issue: str, status: str) -> bool: ...

    def followup_issues(self, projects: Any, since: date) -> list[FoundFollowup]: ...


@runtime_checkable
class PropertyWriter(Protocol):
    """What the Jira adapter offers to record a tick on a follow-up issue."""

    def set_issue_property(self, issue: str, key: str, value: Any) -> None: ...


def _record_tick(action: PlannedAction, env: ActionEnv) -> None:
    """Write the issue's follow-up property the edit carries (the agent's tick, or none)."""
    value = action.context.get("property")
    if not isinstance(value, dict):
        return
    jira = env.jira
    if not isinstance(jira, PropertyWriter):
        raise ActionError(f"{action.key}: this Jira adapter cannot record the tick on the issue")
    jira.set_issue_property(
        str(action.context["issue_key"]), str(action.context["property_key"]), value
    )


def _spec(action: PlannedAction) -> dict[str, Any]:
    spec = action.context.get("create")
    if not isinstance(spec, dict):
        raise ActionError(f"{action.key}: the action's context has no 'create' request")
    return spec


def create_issue(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    spec = _spec(action)
    jira = env.jira
    if not isinstance(jira, FollowupWriter):
        raise ActionError(f"{action.key}: this Jira adapter cannot create follow-up issues")
    marker = dict(spec["property"])
    since = date.fromisoformat(str(spec["since"]))

    def find() -> str | None:
        for found in jira.followup_issues([str(spec["project"])], since):
            if all(found.marker.get(k) == str(marker[k]) for k in ("escalation", "page", "task")):
                return found.ticket.key
        return None

    key = find()
    created = key is None
    if key is None:
        new = NewIssue(
            project=str(spec["project"]),
            issue_type=str(spec["issue_type"]),
            summary=str(spec["summary"]),
            description=str(spec.get("description") or "") or None,
            labels=tuple(spec.get("labels") or ()),
            assignee=spec.get("assignee") or None,
            due=date.fromisoformat(str(spec["due"])) if spec.get("due") else None,
            properties={str(spec["property_key"]): marker},
        )
        key = jira.create_issue(new, find_existing=find)
    escalation = str(spec["link_to"])
    if escalation not in jira.linked_keys(key):
        jira.link_issues(escalation, key, str(spec["link_type"]))
    return {"issue": key, "created": created}


def _issue_key(action: PlannedAction, env: ActionEnv) -> str:
    key = action.context.get("issue_key")
    if key:
        return str(key)
    source = str(action.context.get("issue_from_ref") or "")
    ref = env.ref_of(source) if source else None
    if not ref or not ref.get("issue"):
        raise ActionError(
            f"{action.key}: {source or 'the follow-up issue'} is not made yet, so the task "
            "cannot show it; tried again next cycle"
        )
    return str(ref["issue"])


def _edited(action: PlannedAction, env: ActionEnv, op: str, body: str, task_id: str) -> str:
    if op == "list":
        return list_issue(
            body,
            _issue_key(action, env),
            str(action.context.get("summary") or ""),
            done=bool(action.context.get("done")),
        )
    if op == "show":
        return show_issue(body, task_id, _issue_key(action, env))
    return complete_task(body, task_id) if op == "complete" else reopen_task(body, task_id)


def task(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    if env.confluence is None:
        raise ActionError(f"{action.key}: Confluence is not available to this agent")
    page_id, task_id = str(action.context["page_id"]), str(action.context.get("task_id") or "")
    op = str(action.context.get("op"))
    if op not in ("show", "complete", "reopen", "list"):
        raise ActionError(f"{action.key}: unknown task edit {op!r}")
    key = _issue_key(action, env)
    if op == "reopen":
        _record_tick(action, env)  # first: the issue never claims a tick the page lost
    result = _edit_task(action, env, op, page_id=page_id, task_id=task_id, key=key)
    if op == "complete":
        _record_tick(action, env)  # after: the issue never claims a tick the page lacks
    return result


def _edit_task(
    action: PlannedAction, env: ActionEnv, op: str, *, page_id: str, task_id: str, key: str
) -> JsonDoc:
    """Splice the edit into the page, reading it again after a person's save (409)."""
    assert env.confluence is not None
    last: Conflict | None = None
    for _ in range(MAX_TASK_ATTEMPTS):
        page = env.confluence.get_page(page_id)
        try:
            edited = _edited(action, env, op, page.body, task_id)
        except StorageSurgeryError as exc:
            raise ActionError(f"{action.key}: page {page.title!r}: {exc}") from exc
        if edited == page.body:
            return {"page": page_id, "task": task_id, "issue": key, "changed": False}
        try:
            version = env.confluence.update_page(page_id, edited, expected_version=page.version)
        except Conflict as exc:
            last = exc  # a person saved the page meanwhile: read it again
            continue
        return {"page": page_id, "task": task_id, "issue": key, "version": version}
    assert last is not None
    raise last


def transition(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Move the follow-up whose task was ticked to the rule's ``transition``."""
    jira = env.jira
    if not isinstance(jira, FollowupWriter):
        raise ActionError(f"{action.key}: this Jira adapter cannot transition follow-up issues")
    issue, status = str(action.context["on_issue"]), str(action.context["transition"])
    try:
        moved = jira.transition_issue(issue, status)
    except ValueError as exc:
        raise ActionError(f"{action.key}: {exc}") from exc
    return {"issue": issue, "status": status, "moved": moved}


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.JIRA_CREATE_ISSUE: create_issue,
    ActionKind.CONFLUENCE_TASK: task,
    ActionKind.JIRA_TRANSITION: transition,
}
