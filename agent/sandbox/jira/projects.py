"""Creating projects, with Jira's validation of keys, names, leads and types."""

from __future__ import annotations

import re

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira.documents import PROJECT, projects
from agent.sandbox.store import Doc

_KEY = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
PROJECT_TYPES = ("software", "business", "service_desk")


def create(
    ctx: SandboxContext,
    key: object,
    name: object,
    lead_account_id: str | None,
    *,
    project_type: object = "software",
    description: str = "",
) -> Doc:
    """A new project, or 400 with ``errors`` keyed as Jira keys them."""
    errors: dict[str, str] = {}
    if not isinstance(key, str) or not _KEY.match(key):
        errors["projectKey"] = (
            "Project keys must start with an uppercase letter, followed by one or more "
            "uppercase alphanumeric characters (at most 10 in all)."
        )
    if not isinstance(name, str) or not name.strip():
        errors["projectName"] = "You must specify a valid project name."
    if project_type not in PROJECT_TYPES:
        errors["projectTypeKey"] = (
            f"Invalid project type key '{project_type}'. Use one of {', '.join(PROJECT_TYPES)}."
        )
    lead = ctx.users.by_account_id(lead_account_id) if lead_account_id else None
    if lead is None or lead.get("deleted"):
        errors["projectLead"] = "You must specify a valid project lead."
    with ctx.store.lock:
        for existing in projects(ctx):
            if existing["key"] == key:
                errors["projectKey"] = f"Project '{existing['name']}' uses this project key."
            if isinstance(name, str) and existing["name"].lower() == name.lower():
                errors["projectName"] = "A project with that name already exists."
        if errors:
            raise ApiError(400, "", errors=errors)
        doc: Doc = {
            "id": str(ctx.store.next_id("jira.project", 10000)),
            "key": key,
            "name": name,
            "projectTypeKey": project_type,
            "leadAccountId": lead_account_id,
            "description": description,
        }
        ctx.store.put(PROJECT, doc["id"], doc)
        return doc
