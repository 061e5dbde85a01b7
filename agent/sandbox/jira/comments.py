"""Issue comments: bodies per API version, properties, and their JSON.

v2 bodies are plain strings; v3 bodies are ADF documents validated against
the published schema. One stored body serves both versions.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf
from agent.sandbox.jira.changelog import now_stamp, touch
from agent.sandbox.jira.documents import COMMENT_REF, ISSUE
from agent.sandbox.jira.user_shapes import user_json
from agent.sandbox.store import Doc

COMMENT_NOT_FOUND = "Can not find a comment for the id: {0}."


def check_body(body: Any, version: str) -> Any:
    """The body to store, or a 400 like Jira's for this API version."""
    if version == "3":
        if not adf.is_adf(body):
            raise ApiError(
                400,
                "",
                errors={
                    "comment": "Operation value must be an Atlassian Document "
                    "(see the Atlassian Document Format)."
                },
            )
        problems = adf.adf_errors(body)
        if problems:
            raise ApiError(
                400, "", errors={"comment": f"Comment body is not a valid document: {problems[0]}"}
            )
        if not adf.adf_to_text(body).strip() and not body.get("content"):
            raise ApiError(400, "", errors={"comment": "Comment body can not be empty!"})
        return body
    if not isinstance(body, str) or not body.strip():
        raise ApiError(400, "", errors={"comment": "Comment body can not be empty!"})
    return body


def check_properties(properties: Any) -> dict[str, Any]:
    if properties is None:
        return {}
    if not isinstance(properties, list):
        raise ApiError(400, "Comment properties must be a list of {key, value} objects.")
    result: dict[str, Any] = {}
    for item in properties:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            raise ApiError(400, "Each comment property needs a non-empty 'key'.")
        if len(item["key"]) > 255:
            raise ApiError(400, "The property key can not be longer than 255 characters.")
        result[item["key"]] = item.get("value")
    return result


def add(
    ctx: SandboxContext,
    issue: Doc,
    body: Any,
    actor: Doc,
    *,
    properties: dict[str, Any] | None = None,
    visibility: Any = None,
) -> Doc:
    """Append a comment (already validated) and save the issue."""
    stamp, millis = now_stamp(ctx)
    comment: Doc = {
        "id": str(ctx.store.next_id("jira.comment", 10000)),
        "author": actor["accountId"],
        "updateAuthor": actor["accountId"],
        "body": body,
        "created": stamp,
        "updated": stamp,
        "properties": dict(properties or {}),
    }
    if isinstance(visibility, dict):
        comment["visibility"] = visibility
    with ctx.store.lock:
        issue["comments"].append(comment)
        ctx.store.put(COMMENT_REF, comment["id"], {"issueId": issue["id"]})
        touch(ctx, issue, stamp, millis)
    return comment


def find(issue: Doc, comment_id: str) -> Doc:
    for comment in issue["comments"]:
        if comment["id"] == str(comment_id):
            return dict(comment)
    raise ApiError(404, COMMENT_NOT_FOUND.format(comment_id))


def find_anywhere(ctx: SandboxContext, comment_id: str) -> tuple[Doc, Doc]:
    """(issue, comment) for a comment id alone, as ``/comment/{id}/...`` routes need."""
    ref = ctx.store.get(COMMENT_REF, str(comment_id))
    issue = ctx.store.get(ISSUE, ref["issueId"]) if ref else None
    if issue is None:
        raise ApiError(404, COMMENT_NOT_FOUND.format(comment_id))
    return issue, _stored(issue, comment_id)


def _stored(issue: Doc, comment_id: str) -> Doc:
    for comment in issue["comments"]:
        if comment["id"] == str(comment_id):
            stored: Doc = comment  # the stored object, for the caller to change and save
            return stored
    raise ApiError(404, COMMENT_NOT_FOUND.format(comment_id))


def update(ctx: SandboxContext, issue: Doc, comment_id: str, body: Any, actor: Doc) -> Doc:
    comment = _stored(issue, comment_id)
    stamp, millis = now_stamp(ctx)
    comment["body"] = body
    comment["updateAuthor"] = actor["accountId"]
    comment["updated"] = stamp
    touch(ctx, issue, stamp, millis)
    return comment


def remove(ctx: SandboxContext, issue: Doc, comment_id: str) -> None:
    comment = _stored(issue, comment_id)
    with ctx.store.lock:
        issue["comments"].remove(comment)
        ctx.store.delete(COMMENT_REF, comment["id"])
        touch(ctx, issue)


def set_property(ctx: SandboxContext, issue: Doc, comment_id: str, key: str, value: Any) -> bool:
    """Set a comment property; True when it was new."""
    comment = _stored(issue, comment_id)
    created = key not in comment["properties"]
    comment["properties"][key] = value
    with ctx.store.lock:
        ctx.store.put(ISSUE, issue["id"], issue)
    return created


# Jira Service Management keeps a comment internal (agents only, not on the customer
# portal) with the comment property ``sd.public.comment`` = ``{"internal": true}``, set by
# its UI or sent in ``properties`` when a comment is added through the platform REST API;
# the comment's ``jsdPublic`` then reads false ("Whether the comment is visible in Jira
# Service Desk", Jira Cloud platform REST API v2/v3, Issue comments: Comment schema,
# https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/).
JSM_VISIBILITY_PROPERTY = "sd.public.comment"


def is_public(comment: Doc) -> bool:
    """Whether the customer sees the comment on the JSM portal (not an internal note)."""
    value = comment.get("properties", {}).get(JSM_VISIBILITY_PROPERTY)
    return not (isinstance(value, dict) and value.get("internal") is True)


def comment_json(
    ctx: SandboxContext,
    issue: Doc,
    comment: Doc,
    base: str,
    version: str,
    *,
    with_properties: bool = False,
) -> dict[str, Any]:
    author = ctx.users.by_account_id(comment["author"])
    editor = ctx.users.by_account_id(comment["updateAuthor"])
    doc: dict[str, Any] = {
        "self": f"{base}rest/api/{version}/issue/{issue['id']}/comment/{comment['id']}",
        "id": comment["id"],
        "author": user_json(ctx, author, base, version) if author else None,
        "body": adf.as_adf(comment["body"]) if version == "3" else adf.as_text(comment["body"]),
        "updateAuthor": user_json(ctx, editor, base, version) if editor else None,
        "created": comment["created"],
        "updated": comment["updated"],
        "jsdPublic": is_public(comment),
    }
    if "visibility" in comment:
        doc["visibility"] = comment["visibility"]
    if with_properties and ctx.realism.current.jira_comment_properties:
        doc["properties"] = [{"key": k, "value": v} for k, v in comment["properties"].items()]
    return doc
