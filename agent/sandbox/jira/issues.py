"""Creating, editing, transitioning and deleting issues, with their changelog.

Both the REST routes and the Python seeding API come through here, so an
edit made by a seed looks exactly like one made over HTTP (changelog,
``updated``, watchers).
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog, links
from agent.sandbox.jira.changelog import (
    change_item,
    now_stamp,
    record_history,
    refresh_custom_stamps,
    same,
)
from agent.sandbox.jira.documents import (
    COMMENT_REF,
    ISSUE,
    ISSUE_KEY,
    new_revision,
    save_issue,
)
from agent.sandbox.jira.fieldinput import FieldInput
from agent.sandbox.store import Doc


def build_issue(
    ctx: SandboxContext,
    fields: Any,
    update: Any,
    actor: Doc,
    version: str,
) -> tuple[Doc, list[Any]]:
    """A new issue document (not yet saved) and any comments the request adds."""
    if not isinstance(fields, dict):
        raise ApiError(400, "", errors={"project": "Specify a valid project ID or key"})
    form = FieldInput(ctx, version, None)
    form.set_fields(fields)
    form.apply_update(update)
    values = form.values
    if "project" not in fields:
        form.errors.setdefault("project", "Specify a valid project ID or key")
    if "issuetype" not in fields:
        form.errors.setdefault("issuetype", "Specify an issue type")
    if "summary" not in fields:
        form.errors.setdefault("summary", "You must specify a summary of the issue.")
    issue_type = catalog.ISSUE_TYPE_BY_ID.get(values.get("issuetype") or "")
    if issue_type is not None and issue_type.subtask and not values.get("parent"):
        form.errors.setdefault(
            "parent", "Issue type is a sub-task but parent issue key or id not specified."
        )
    form.raise_if_errors()
    project = ctx.store.get("jira.project", values.pop("project"))
    assert project is not None  # validated by FieldInput
    number = ctx.store.next_id(f"jira.issuenum.{project['id']}", 1)
    issue_id = str(ctx.store.next_id("jira.issue", 10000))
    created, created_ms = now_stamp(ctx)
    stored: dict[str, Any] = {
        "summary": values.pop("summary"),
        "issuetype": values.pop("issuetype"),
        "description": None,
        "priority": catalog.DEFAULT_PRIORITY_ID,
        "status": catalog.INITIAL_STATUS_ID,
        "resolution": None,
        "resolutiondate": None,
        "labels": [],
        "assignee": None,
        "reporter": actor["accountId"],
        "creator": actor["accountId"],
        "created": created,
        "updated": created,
        "statuscategorychangedate": created,
        "duedate": None,
        "timetracking": None,
        "parent": None,
    }
    stored.update(values)
    doc: Doc = {
        "id": issue_id,
        "key": f"{project['key']}-{number}",
        "number": number,
        "projectId": project["id"],
        "projectKey": project["key"],
        "fields": stored,
        "ts": {"created": created_ms, "updated": created_ms, "resolutiondate": None},
        "changelog": [],
        "comments": [],
        "watchers": [actor["accountId"]],
        "attachments": [],
        "remotelinks": [],
        "properties": {},
        "children": [],
        "_rev": new_revision(),
    }
    refresh_custom_stamps(doc)
    return doc, form.comments


def check_properties(properties: Any) -> dict[str, Any]:
    """A create request's ``properties``: a list of ``{key, value}`` set with the issue.

    Jira's create-issue body (``IssueUpdateDetails.properties``, "Details of issue
    properties to be add or update": https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-post)
    stores them in the same transaction as the issue; keys are at most 255
    characters and values JSON (as for ``PUT /issue/{key}/properties/{key}``).
    """
    if properties is None:
        return {}
    if not isinstance(properties, list):
        raise ApiError(400, "Issue properties must be a list of {key, value} objects.")
    found: dict[str, Any] = {}
    for item in properties:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            raise ApiError(400, "Each issue property needs a 'key' and a 'value'.")
        if len(item["key"]) > 255:
            raise ApiError(400, "The property key can not be longer than 255 characters.")
        found[item["key"]] = item.get("value")
    return found


def save_new(ctx: SandboxContext, docs: list[Doc]) -> None:
    """Store freshly built issues (one write for many, for fast seeding)."""
    with ctx.store.lock:
        ctx.store.put_many(ISSUE, [(doc["id"], doc) for doc in docs])
        ctx.store.put_many(ISSUE_KEY, [(doc["key"], {"id": doc["id"]}) for doc in docs])
        for doc in docs:
            if doc["fields"].get("parent"):
                _link_child(ctx, doc["fields"]["parent"], doc["id"], add=True)


def _link_child(ctx: SandboxContext, parent_id: str, child_id: str, *, add: bool) -> None:
    """Keep the parent's list of children (for its ``subtasks`` field) in step."""
    parent = ctx.store.get(ISSUE, parent_id)
    if parent is None:
        return
    children = parent.setdefault("children", [])
    if add and child_id not in children:
        children.append(child_id)
    elif not add and child_id in children:
        children.remove(child_id)
    else:
        return
    save_issue(ctx, parent)


def edit(
    ctx: SandboxContext,
    issue: Doc,
    fields: Any,
    update: Any,
    actor: Doc,
    *,
    version: str,
) -> list[Any]:
    """Apply an edit; returns comment bodies the request asked to add."""
    form = FieldInput(ctx, version, issue)
    form.set_fields(fields)
    form.apply_update(update)
    form.raise_if_errors()
    if "project" in form.values:
        raise ApiError(400, "", errors={"project": "Field 'project' cannot be set."})
    commit(ctx, issue, form.values, actor)
    return form.comments


def commit(ctx: SandboxContext, issue: Doc, values: dict[str, Any], actor: Doc) -> None:
    """Store new field values, recording a changelog history for what changed."""
    items = []
    for field_id, new in values.items():
        old = issue["fields"].get(field_id)
        if same(old, new):
            continue
        items.append(change_item(ctx, field_id, old, new))
        issue["fields"][field_id] = new
        if field_id == "parent":
            if old:
                _link_child(ctx, old, issue["id"], add=False)
            if new:
                _link_child(ctx, new, issue["id"], add=True)
    if not items:
        return
    record_history(ctx, issue, actor, items)


def delete(ctx: SandboxContext, issue: Doc, delete_subtasks: bool) -> None:
    children = subtasks_of(ctx, issue["id"])
    if children and not delete_subtasks:
        raise ApiError(
            400,
            f"The issue '{issue['key']}' has subtasks.  You must specify the "
            "'deleteSubtasks' parameter to delete this issue and all its subtasks.",
        )
    for child in children:
        delete(ctx, child, True)
    with ctx.store.lock:
        if issue["fields"].get("parent"):
            _link_child(ctx, issue["fields"]["parent"], issue["id"], add=False)
        for comment in issue["comments"]:
            ctx.store.delete(COMMENT_REF, comment["id"])
        links.forget_issue(ctx, issue["id"])
        ctx.store.delete(ISSUE_KEY, issue["key"])
        ctx.store.delete(ISSUE, issue["id"])


def subtasks_of(ctx: SandboxContext, issue_id: str) -> list[Doc]:
    """The parent's sub-task children (other children, e.g. under an epic, excluded)."""
    parent = ctx.store.get(ISSUE, issue_id)
    children = (ctx.store.get(ISSUE, child) for child in (parent or {}).get("children", []))
    return [
        doc
        for doc in children
        if doc is not None and catalog.ISSUE_TYPE_BY_ID[doc["fields"]["issuetype"]].subtask
    ]
