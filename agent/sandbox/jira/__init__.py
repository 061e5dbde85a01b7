"""The sandbox's Jira (Cloud and Data Center): REST routes, JQL search and a
Python seeding API (:mod:`agent.sandbox.jira.seeding`).
"""

from __future__ import annotations

from flask import Flask

from agent.sandbox.context import SandboxContext


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register Jira's routes under /rest/api/2, /rest/api/3 and /rest/api/latest."""
    from agent.sandbox.jira import (  # noqa: PLC0415 - routes import the app module
        routes_comment,
        routes_extra,
        routes_fields,
        routes_issue,
        routes_meta,
        routes_search,
    )

    routes_meta.register(app, ctx)
    routes_fields.register(app, ctx)
    routes_issue.register(app, ctx)
    routes_comment.register(app, ctx)
    routes_extra.register(app, ctx)
    routes_search.register(app, ctx)
