"""Search routes: Cloud's ``search/jql`` (``nextPageToken``), Data Center's
``search`` (``startAt``/``total``), the 410 for the search Cloud removed, and
the approximate count.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira.documents import all_issues
from agent.sandbox.jira.jql_eval import compile_jql
from agent.sandbox.jira.jql_parser import JqlError, parse
from agent.sandbox.jira.route_helpers import actor, base_url, body_object, router
from agent.sandbox.jira.search_cache import cache_for, data_revision
from agent.sandbox.jira.serializers import IssueRenderer, select_fields
from agent.sandbox.store import Doc

REMOVED = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
EXPIRED_PAGE = "The provided next page token is invalid or expired."
CLOUD_PAGE_WITH_FIELDS = 100
CLOUD_PAGE_IDS_ONLY = 5000
DC_PAGE = 1000


def _token(offset: int, jql: str) -> str:
    digest = hashlib.sha256(jql.encode()).hexdigest()[:12]
    raw = json.dumps({"o": offset, "q": digest}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset_from_token(token: str | None, jql: str) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
        digest = str(data["q"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ApiError(400, EXPIRED_PAGE) from exc
    if offset < 0 or digest != hashlib.sha256(jql.encode()).hexdigest()[:12]:
        raise ApiError(400, EXPIRED_PAGE)
    return offset


def _matching(ctx: SandboxContext, jql: str, *, bounded: bool) -> list[Doc]:
    try:
        if bounded and parse(jql).where is None:
            raise ApiError(400, UNBOUNDED)
        user = actor()
        compiled = compile_jql(ctx, jql, user)
        with ctx.store.lock:  # no write lands half-way through a query
            issues = all_issues(ctx)
            revision = data_revision(ctx, issues)
            if revision is None:
                return compiled.run(issues)
            instant = ctx.clock.now().timestamp() if compiled.uses_clock else None
            key = (jql, user["accountId"], user.get("timeZone"), revision, instant)
            return cache_for(ctx).get_or_run(key, lambda: compiled.run(issues))
    except JqlError as exc:
        raise ApiError(400, str(exc)) from exc


def _string_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) or v is None for v in value):
        return [v for v in value if v]
    raise ApiError(400, f"The value of '{name}' must be a list of strings.")


def _int_value(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ApiError(400, f"The value of '{name}' must be a number.")
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, f"The value '{value}' for '{name}' is not a number.") from exc
    if number < 0:
        raise ApiError(400, f"The value of '{name}' must not be negative.")
    return number


def _params() -> dict[str, Any]:
    """Search parameters from the query string (GET) or JSON body (POST), nulls allowed."""
    if request.method == "POST":
        data = body_object()
        return {
            "jql": data.get("jql"),
            "fields": _string_list(data.get("fields"), "fields"),
            "expand": _string_list(data.get("expand"), "expand"),
            "maxResults": data.get("maxResults"),
            "startAt": data.get("startAt"),
            "nextPageToken": data.get("nextPageToken"),
            "properties": _string_list(data.get("properties"), "properties"),
        }
    return {
        "jql": request.args.get("jql"),
        "fields": request.args.getlist("fields"),
        "expand": request.args.getlist("expand"),
        "maxResults": request.args.get("maxResults"),
        "startAt": request.args.get("startAt"),
        "nextPageToken": request.args.get("nextPageToken"),
        "properties": request.args.getlist("properties"),
    }


def _expand(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _render(
    ctx: SandboxContext,
    renderer: IssueRenderer,
    page: list[Doc],
    expand: list[str],
    properties: list[str],
) -> list[dict[str, Any]]:
    with ctx.store.lock:  # a consistent view while other requests write
        return [renderer.issue(doc, expand, properties) for doc in page]


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    @route("/search/jql", methods=("GET", "POST"))
    def search_jql(version: str) -> ResponseReturnValue:
        if ctx.deployment == "datacenter":
            raise ApiError(404, "The requested resource does not exist in the sandbox.")
        params = _params()
        jql = params["jql"] or ""
        if not isinstance(jql, str):
            raise ApiError(400, "The value of 'jql' must be a string.")
        field_ids = select_fields(ctx, params["fields"], "id")
        cap = CLOUD_PAGE_WITH_FIELDS if field_ids else CLOUD_PAGE_IDS_ONLY
        limit = min(_int_value(params["maxResults"], "maxResults", 50), cap)
        offset = _offset_from_token(params["nextPageToken"], jql)
        matched = _matching(ctx, jql, bounded=True)
        page = matched[offset : offset + limit]
        expand = _expand(params["expand"])
        renderer = IssueRenderer(ctx, base_url(), version, field_ids, actor()["accountId"])
        body: dict[str, Any] = {
            "issues": _render(ctx, renderer, page, expand, _expand(params["properties"]))
        }
        more = offset + len(page) < len(matched) and limit > 0
        if more:
            body["nextPageToken"] = _token(offset + len(page), jql)
        body["isLast"] = not more
        if "names" in expand:
            body["names"] = {f: renderer.field_name(f) for f in field_ids}
        return jsonify(body)

    @route("/search", methods=("GET", "POST"))
    def search(version: str) -> ResponseReturnValue:
        if ctx.deployment != "datacenter":
            raise ApiError(410, REMOVED)
        if version != "2":
            raise ApiError(404, "The requested resource does not exist in the sandbox.")
        params = _params()
        jql = params["jql"] or ""
        if not isinstance(jql, str):
            raise ApiError(400, "The value of 'jql' must be a string.")
        start = _int_value(params["startAt"], "startAt", 0)
        limit = min(_int_value(params["maxResults"], "maxResults", 50), DC_PAGE)
        field_ids = select_fields(ctx, params["fields"], "*navigable")
        matched = _matching(ctx, jql, bounded=False)
        page = matched[start : start + limit]
        expand = _expand(params["expand"])
        renderer = IssueRenderer(ctx, base_url(), version, field_ids, actor()["accountId"])
        body: dict[str, Any] = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": limit,
            "total": len(matched),
            "issues": _render(ctx, renderer, page, expand, _expand(params["properties"])),
        }
        if "names" in expand:
            body["names"] = {f: renderer.field_name(f) for f in field_ids}
        return jsonify(body)

    @route("/search/approximate-count", methods=("POST",))
    def approximate_count(version: str) -> ResponseReturnValue:
        if ctx.deployment == "datacenter":
            raise ApiError(404, "The requested resource does not exist in the sandbox.")
        data = body_object()
        jql = data.get("jql")
        if not isinstance(jql, str):
            raise ApiError(400, "The value of 'jql' must be a string.")
        return jsonify({"count": len(_matching(ctx, jql, bounded=True))})
