"""The REST v2 shapes of spaces, pages, labels and properties, and cursor paging.

v2 pages with an opaque ``cursor``: ``_links.next`` is a relative URL holding
the next cursor, and the same link is sent in a ``Link: <...>; rel="next"``
header, as Confluence Cloud does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlencode

from flask import Response, jsonify, request

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc

V2_PATH = "/wiki/api/v2"
DEFAULT_LIMIT = 25
MAX_LIMIT = 250


def base_url() -> str:
    return request.host_url.rstrip("/") + "/wiki"


def _encode_cursor(start: int) -> str:
    return base64.urlsafe_b64encode(f"start:{start}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        label, _, number = raw.partition(":")
        if label != "start":
            raise ValueError(raw)
        return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"Invalid cursor '{cursor}'.") from exc


def limit_arg() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError as exc:
        raise ApiError(400, f"Parameter 'limit' must be an integer, got '{raw}'.") from exc
    if limit < 1 or limit > MAX_LIMIT:
        raise ApiError(400, f"Parameter 'limit' must be between 1 and {MAX_LIMIT}.")
    return limit


def cursor_page(items: list[Any], path: str, render: Any) -> Response:
    """A ``{results, _links}`` answer for one cursor window, with a ``Link`` header."""
    cursor = request.args.get("cursor")
    start = _decode_cursor(cursor) if cursor else 0
    limit = limit_arg()
    window = items[start : start + limit]
    links: dict[str, str] = {"base": base_url()}
    response_headers: dict[str, str] = {}
    if start + limit < len(items):
        params = {k: v for k, v in request.args.items(multi=True) if k != "cursor"}
        query = urlencode([*params.items(), ("cursor", _encode_cursor(start + limit))])
        links["next"] = f"{V2_PATH}/{path}?{query}"
        response_headers["Link"] = f'<{links["next"]}>; rel="next", <{links["base"]}>; rel="base"'
    response = jsonify({"results": [render(item) for item in window], "_links": links})
    response.headers.update(response_headers)
    return response


def version_v2(version: Doc) -> dict[str, Any]:
    return {
        "createdAt": version["when"],
        "message": version.get("message", ""),
        "number": version["number"],
        "minorEdit": bool(version.get("minorEdit", False)),
        "authorId": version["by"],
    }


def space_v2(space: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(space["id"]),
        "key": space["key"],
        "name": space["name"],
        "type": space["type"],
        "status": space["status"],
        "authorId": space["authorId"],
        "createdAt": space["createdAt"],
        "_links": {"webui": f"/spaces/{space['key']}"},
    }
    if space.get("homepageId"):
        out["homepageId"] = space["homepageId"]
    return out


def page_v2(ctx: SandboxContext, page: Doc, body_format: str | None) -> dict[str, Any]:
    space = wiki_pages.get_space(ctx, page["spaceKey"])
    out: dict[str, Any] = {
        "id": page["id"],
        "status": page["status"],
        "title": page["title"],
        "spaceId": str(space["id"]) if space else "",
        "position": page.get("position", 0),
        "authorId": page["createdBy"],
        "ownerId": page["createdBy"],
        "lastOwnerId": None,
        "createdAt": page["createdDate"],
        "version": version_v2(page["version"]),
        "body": {},
        "_links": {
            "webui": f"/spaces/{page['spaceKey']}/pages/{page['id']}",
            "editui": f"/pages/resumedraft.action?draftId={page['id']}",
            "tinyui": f"/x/{page['id']}",
        },
    }
    if page.get("parentId"):
        out["parentId"] = page["parentId"]
        out["parentType"] = "page"
    if body_format == "storage":
        out["body"] = {"storage": {"representation": "storage", "value": page["body"]}}
    elif body_format not in (None, ""):
        raise ApiError(400, f"body-format '{body_format}' is not supported by the sandbox.")
    return out


def child_v2(ctx: SandboxContext, page: Doc) -> dict[str, Any]:
    space = wiki_pages.get_space(ctx, page["spaceKey"])
    return {
        "id": page["id"],
        "status": page["status"],
        "title": page["title"],
        "spaceId": str(space["id"]) if space else "",
        "childPosition": page.get("position", 0),
    }


def label_v2(label: Doc) -> dict[str, Any]:
    return {"id": label["id"], "name": label["name"], "prefix": label["prefix"]}


def property_v2(prop: Doc) -> dict[str, Any]:
    return {
        "id": prop["id"],
        "key": prop["key"],
        "value": prop["value"],
        "version": version_v2(prop["version"]),
    }


def error_v2(error: ApiError) -> tuple[dict[str, Any], int]:
    """v2's error shape: ``{"errors": [{"status", "code", "title", "detail"}]}``."""
    codes = {400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
             404: "NOT_FOUND", 409: "CONFLICT", 413: "REQUEST_ENTITY_TOO_LARGE"}  # fmt: skip
    return {
        "errors": [
            {
                "status": error.status,
                "code": codes.get(error.status, "ERROR"),
                "title": error.message,
                "detail": None,
            }
        ]
    }, error.status
