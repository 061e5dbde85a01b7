"""Where Jira's documents live in the shared store, and lookups over them.

Kinds: ``jira.project`` (by id), ``jira.field`` (custom fields, by field id),
``jira.issue`` (by numeric id), ``jira.issuekey`` (key -> id) and
``jira.comment`` (comment id -> issue id). Everything else about an issue
(comments, changelog, watchers, attachments, links, properties) lives inside
the issue document, so one ``put`` keeps it consistent.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc

PROJECT = "jira.project"
FIELD = "jira.field"
ISSUE = "jira.issue"
ISSUE_KEY = "jira.issuekey"
COMMENT_REF = "jira.comment"

ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."

_revisions = itertools.count(1)


def new_revision() -> str:
    """A process-unique stamp for an issue's current content (keys search caches)."""
    return f"{time.time_ns()}-{next(_revisions)}"


def projects(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(PROJECT)


def project_by_ref(ctx: SandboxContext, ref: Any) -> Doc | None:
    """A project by id, key (case-insensitive) or ``{"id"}``/``{"key"}``."""
    if isinstance(ref, dict):
        ref = ref.get("id") if ref.get("id") is not None else ref.get("key")
    if ref is None or isinstance(ref, bool | dict | list):
        return None
    text = str(ref)
    doc = ctx.store.get(PROJECT, text)
    if doc is not None:
        return doc
    upper = text.upper()
    for candidate in ctx.store.all(PROJECT):
        if candidate["key"] == upper:
            return candidate
    return None


def custom_fields(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(FIELD)


def custom_field(ctx: SandboxContext, field_id: str) -> Doc | None:
    return ctx.store.get(FIELD, field_id)


def custom_field_by_name(ctx: SandboxContext, name: str) -> Doc | None:
    lowered = name.lower()
    for doc in ctx.store.all(FIELD):
        if doc["name"].lower() == lowered:
            return doc
    return None


def issue_by_ref(ctx: SandboxContext, ref: str | int) -> Doc | None:
    """An issue by numeric id or key (keys are case-insensitive, as in Jira)."""
    text = str(ref).strip()
    if text.isdigit():
        return ctx.store.get(ISSUE, text)
    pointer = ctx.store.get(ISSUE_KEY, text.upper())
    return ctx.store.get(ISSUE, pointer["id"]) if pointer else None


def require_issue(ctx: SandboxContext, ref: str | int) -> Doc:
    doc = issue_by_ref(ctx, ref)
    if doc is None:
        raise ApiError(404, ISSUE_NOT_FOUND)
    return doc


def all_issues(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(ISSUE)


def save_issue(ctx: SandboxContext, doc: Doc) -> None:
    doc["_rev"] = new_revision()
    ctx.store.put(ISSUE, doc["id"], doc)
