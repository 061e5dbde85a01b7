"""The sandbox's WSGI application: one Flask app for Jira, Confluence and Slack.

Cross-cutting behaviour lives here: which service a path belongs to, auth like
the real services, injected faults and latency, the request log, body limits,
and errors in each service's shape. Each service registers its own routes.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
import time
from typing import Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from agent.sandbox import control, services
from agent.sandbox.api_errors import ApiError, SlackError, render
from agent.sandbox.context import SandboxContext
from agent.sandbox.faults import Fault
from agent.sandbox.jira.documents import issue_by_ref

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Confluence refuses a REST request over 5 MB with 413 (Cloud and Data Center):
# https://confluence.atlassian.com/confkb/rest-call-gives-request-too-large-requests-for-this-resource-can-be-at-most-5242880-bytes-error-939689514.html
CONFLUENCE_MAX_BODY_BYTES = 5 * 1024 * 1024
NO_FAULT_DECIDED = "sandbox.fault.undecided"

# Werkzeug compiles each route with ast.parse. On CPython 3.11.7, two threads in
# ast.parse at once can fail with "AST constructor recursion depth mismatch"
# (CPython gh-106905), and tests start sandboxes from several threads; so apps
# are built one at a time.
_APP_BUILD_LOCK = threading.Lock()


# The web addresses people click (in a remote link, a Slack message, a page's ``_links``):
# the real services show a page there, the sandbox's viewer redirects to its own view.
WEB_LINK_PREFIXES = (
    "/browse/",
    "/archives/",
    "/wiki/pages/viewpage.action",
    "/pages/viewpage.action",
    "/wiki/spaces/",
    "/spaces/",
)


def service_of(path: str, deployment: str | None = None) -> str:
    """Which service a request path belongs to.

    Confluence Cloud lives under ``/wiki`` of the site whose root is Jira; Confluence
    Data Center is a site of its own, REST API at its root
    (https://developer.atlassian.com/cloud/confluence/rest/v1/intro/,
    https://developer.atlassian.com/server/confluence/confluence-server-rest-api/).
    Given a ``deployment``, a Confluence path of the other deployment is Jira's
    (which has no such resource); without one, either path is Confluence's.
    """
    if path.startswith(WEB_LINK_PREFIXES):
        return "viewer"
    if path.startswith("/api/"):
        return "slack"
    if path.startswith("/wiki/") or path == "/wiki":
        return "jira" if deployment == "datacenter" else "confluence"
    if path.startswith(_CONFLUENCE_ROOT_PATHS):
        return "jira" if deployment == "cloud" else "confluence"
    if path.startswith("/rest/"):
        return "jira"
    if path.startswith("/_sandbox"):
        return "control"
    return "viewer"


# Confluence Data Center's REST resources, served at its site root.
_CONFLUENCE_ROOT_PATHS = (
    "/rest/api/content",
    "/rest/api/space",
    "/rest/api/search",
    "/rest/api/longtask",
    "/rest/api/user/",  # Jira's user resources always carry a version: /rest/api/2/user
)


def _authenticate(ctx: SandboxContext, service: str) -> dict[str, Any]:
    """The user a request acts as, or an ApiError like the real service's."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if service == "slack":
        token = credentials.strip() if scheme.lower() == "bearer" else request.values.get("token")
        if not token:
            raise SlackError("not_authed")
        if not hmac.compare_digest(token, ctx.token):
            raise SlackError("invalid_auth")
        return ctx.users.bot()
    if scheme.lower() == "bearer":
        if hmac.compare_digest(credentials.strip(), ctx.token):
            return ctx.users.admin()
        raise ApiError(
            401, "You are not authenticated. Authentication required to perform this operation."
        )
    if scheme.lower() == "basic":
        try:
            email, _, secret = base64.b64decode(credentials).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(401, "Basic authentication header is malformed.") from exc
        if email and hmac.compare_digest(secret, ctx.token):
            user = ctx.users.by_email(email)
            if user is None:
                user = ctx.users.create(email.split("@", 1)[0].replace(".", " ").title(), email)
            if user.get("deleted"):
                raise ApiError(401, "The account behind these credentials has been deactivated.")
            return user
    raise ApiError(
        401, "You are not authenticated. Authentication required to perform this operation."
    )


def _check_jira_limits(ctx: SandboxContext) -> None:
    """Jira Cloud's burst and per-issue write limits (429s with Atlassian's headers)."""
    rule = request.url_rule
    if rule is None:
        return  # no such endpoint: the 404 comes next
    ref = (request.view_args or {}).get("ref")
    issue_id = None
    if ref is not None and "/issue/" in rule.rule:
        found = issue_by_ref(ctx, str(ref))
        issue_id = str(found["id"]) if found is not None else None
    ctx.jira_limits.check(ctx.realism.current, request.method, rule.rule, issue_id)


def create_app(ctx: SandboxContext) -> Flask:
    """The sandbox app for ``ctx``; safe to call from several threads."""
    with _APP_BUILD_LOCK:
        return _build_app(ctx)


def _build_app(ctx: SandboxContext) -> Flask:
    app = Flask("agent.sandbox")
    app.config["MAX_CONTENT_LENGTH"] = CONFLUENCE_MAX_BODY_BYTES
    app.extensions["sandbox"] = ctx

    @app.before_request
    def _before() -> Response | None:
        g.started = time.perf_counter()
        g.service = service_of(request.path, ctx.deployment)
        g.user = None
        length = request.content_length
        if g.service == "confluence" and length is not None and length > CONFLUENCE_MAX_BODY_BYTES:
            raise ApiError(
                413,
                "com.atlassian.plugins.rest.common.limitrequest.RequestEntityTooLargeException: "
                f"Request too large. Requests for this resource can be at most "
                f"{CONFLUENCE_MAX_BODY_BYTES} bytes",
            )
        if g.service != "confluence" and length is not None and length > MAX_BODY_BYTES:
            raise ApiError(413, "Request entity too large: the limit is 1 MiB.")
        fault = request.environ.get("sandbox.fault", NO_FAULT_DECIDED)
        if fault == NO_FAULT_DECIDED:
            fault = ctx.faults.decide(request.path)
        delay = ctx.faults.latency_seconds(request.path)
        if delay and g.service not in ("control", "viewer"):
            time.sleep(delay)  # injected latency, as configured by a test
        if isinstance(fault, Fault) and fault.status is not None:
            headers = {}
            if fault.status in (429, 503):
                headers["Retry-After"] = str(fault.retry_after)
            if g.service == "slack":
                if fault.status == 429:
                    raise SlackError("ratelimited", status=429, headers=headers)
                raise SlackError("fatal_error", status=fault.status, headers=headers)
            raise ApiError(fault.status, "Injected fault from the sandbox.", headers=headers)
        if g.service in ("jira", "confluence", "slack"):
            g.user = _authenticate(ctx, g.service)
        if g.service == "jira" and ctx.deployment == "cloud":
            _check_jira_limits(ctx)
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        service = getattr(g, "service", service_of(request.path, ctx.deployment))
        if service in ("control", "viewer"):
            return response  # the log counts calls to the three services only
        ctx.requests.record(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string.decode("latin-1"),
                "status": response.status_code,
                "service": service,
                "at": ctx.clock.now().isoformat(),
                "wall": time.time(),
                "ms": round(
                    (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 3
                ),
            }
        )
        return response

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        body, status = render(
            getattr(g, "service", service_of(request.path, ctx.deployment)), error
        )
        response = app.response_class(json.dumps(body), status=status, mimetype="application/json")
        for name, value in error.headers.items():
            response.headers[name] = value
        return response

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        message = {
            404: "The requested resource does not exist in the sandbox.",
            405: f"Method {request.method} is not allowed here.",
            413: "Request entity too large: the limit is 1 MiB.",
        }.get(status, error.description or error.name)
        return _api_error(ApiError(status, message))

    control.register(app, ctx)
    services.register_all(app, ctx)
    return app
