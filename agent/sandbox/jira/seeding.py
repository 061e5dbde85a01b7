"""The Python seeding API: build Jira data without HTTP (demo seed, tests, benchmarks).

Values are given in the REST API's v2 form (``{"name": "High"}``,
``{"accountId": ...}``, plain-text descriptions); people are named by email
and created on first use. Everything goes through the same code as the REST
routes, so seeded data is indistinguishable from data made over HTTP.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog, comments, customfields, issues, projects, workflow
from agent.sandbox.jira.documents import custom_field_by_name, require_issue
from agent.sandbox.store import Doc


class SeedError(ValueError):
    """Seed data Jira would reject; the message carries Jira's errors."""


def _person(ctx: SandboxContext, email: str) -> Doc:
    user = ctx.users.by_email(email)
    if user is None:
        user = ctx.users.create(email.split("@", 1)[0].replace(".", " ").title(), email)
    return user


def _checked(error: ApiError) -> SeedError:
    details = "; ".join(f"{k}: {v}" for k, v in error.errors.items())
    return SeedError(" ".join(part for part in (error.message, details) if part))


def create_project(
    ctx: SandboxContext, key: str, name: str, lead_email: str, project_type: str = "software"
) -> Doc:
    """Create a project led by ``lead_email`` (created if unknown)."""
    lead = _person(ctx, lead_email)
    try:
        return projects.create(ctx, key, name, lead["accountId"], project_type=project_type)
    except ApiError as exc:
        raise _checked(exc) from exc


def create_custom_field(
    ctx: SandboxContext, name: str, type_key: str, options: list[str] | None = None
) -> str:
    """Create a custom field; ``type_key`` may be the full key or its suffix
    (``select``); selects take their ``options``. Returns the field id."""
    full = type_key if ":" in type_key else customfields.TYPE_PREFIX + type_key
    try:
        return str(customfields.create_field(ctx, name, full, options=options)["id"])
    except ApiError as exc:
        raise _checked(exc) from exc


def field_id_by_name(ctx: SandboxContext, name: str) -> str:
    """The id of a custom field by name (case-insensitive); KeyError if none."""
    doc = custom_field_by_name(ctx, name)
    if doc is None:
        raise KeyError(f"no custom field named {name!r}")
    return str(doc["id"])


def _named_fields(ctx: SandboxContext, fields: dict[str, Any]) -> dict[str, Any]:
    """Allow custom fields by name in seed data as well as by id."""
    result = {}
    for name, value in fields.items():
        if name in catalog.SYSTEM_FIELD_IDS or name.startswith("customfield_"):
            result[name] = value
        else:
            result[field_id_by_name(ctx, name)] = value
    return result


def create_issue(ctx: SandboxContext, fields: dict[str, Any], reporter_email: str) -> Doc:
    """Create one issue as ``reporter_email``; returns the stored issue document."""
    return bulk_create(ctx, [fields], reporter_email)[0]


def bulk_create(
    ctx: SandboxContext, list_of_fields: list[dict[str, Any]], reporter_email: str
) -> list[Doc]:
    """Create many issues with one store write (10,000 in a few seconds)."""
    reporter = _person(ctx, reporter_email)
    made: list[Doc] = []
    with ctx.store.lock:
        try:
            for fields in list_of_fields:
                doc, _comments = issues.build_issue(
                    ctx, _named_fields(ctx, fields), None, reporter, "2"
                )
                made.append(doc)
        except ApiError as exc:
            raise _checked(exc) from exc
        issues.save_new(ctx, made)
    return made


def add_comment(
    ctx: SandboxContext,
    key: str,
    text: str,
    author_email: str,
    properties: dict[str, Any] | None = None,
) -> Doc:
    """Add a plain-text comment as ``author_email``; returns the stored comment."""
    author = _person(ctx, author_email)
    with ctx.store.lock:
        issue = require_issue(ctx, key)
        try:
            body = comments.check_body(text, "2")
        except ApiError as exc:
            raise _checked(exc) from exc
        return comments.add(ctx, issue, body, author, properties=properties)


def transition(ctx: SandboxContext, key: str, status_name: str, author_email: str) -> Doc:
    """Move an issue to the status named (via the workflow's transition into it)."""
    author = _person(ctx, author_email)
    status = catalog.find_status(status_name)
    if status is None:
        raise SeedError(f"unknown status {status_name!r}")
    with ctx.store.lock:
        issue = require_issue(ctx, key)
        if issue["fields"]["status"] == status.id:
            return issue
        chosen = next(t for t in catalog.TRANSITIONS if t.to_status == status.id)
        workflow.transition(ctx, issue, chosen.id, author)
        return issue


def edit_issue(
    ctx: SandboxContext,
    key: str,
    fields: dict[str, Any],
    author_email: str,
    update: dict[str, Any] | None = None,
) -> Doc:
    """Edit an issue as ``author_email`` (changelog recorded, ``updated`` bumped)."""
    author = _person(ctx, author_email)
    with ctx.store.lock:
        issue = require_issue(ctx, key)
        try:
            issues.edit(ctx, issue, _named_fields(ctx, fields), update, author, version="2")
        except ApiError as exc:
            raise _checked(exc) from exc
        return issue


def get_issue(ctx: SandboxContext, key: str) -> Doc:
    """The stored issue document (internal form) for a key or id."""
    return require_issue(ctx, key)
