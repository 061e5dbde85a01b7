"""Request plumbing shared by the Confluence routes: links, expansions, paging.

Confluence Cloud answers under ``/wiki`` and Data Center at the site root; the
links in every answer point back at whichever of the two was called, so a
client following ``_links.next`` stays on the same server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request

from agent.sandbox.api_errors import ApiError

Expand = dict[str, "Expand"]


@dataclass(frozen=True)
class Links:
    """Where this Confluence lives, as seen by the current request."""

    base: str  # "http://host:port/wiki" on Cloud, "http://host:port" on Data Center
    context: str  # "/wiki" or ""

    @classmethod
    def current(cls) -> Links:
        root = request.host_url.rstrip("/")
        if request.path.startswith("/wiki/") or request.path == "/wiki":
            return cls(base=f"{root}/wiki", context="/wiki")
        return cls(base=root, context="")

    def api(self, path: str) -> str:
        """Absolute URL of a v1 REST resource."""
        return f"{self.base}/rest/api/{path.lstrip('/')}"

    def webui(self, page: dict[str, Any]) -> str:
        title = page["title"].replace(" ", "+")
        return f"/spaces/{page['spaceKey']}/pages/{page['id']}/{title}"


def parse_expand(raw: str | None) -> Expand:
    """``"body.storage,version"`` -> ``{"body": {"storage": {}}, "version": {}}``."""
    tree: Expand = {}
    for item in (raw or "").split(","):
        node = tree
        for part in item.strip().split("."):
            if part:
                node = node.setdefault(part, {})
    return tree


def int_arg(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    """An integer query parameter, or a 400 like Confluence's for garbage."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, f"Parameter '{name}' must be an integer, got '{raw}'.") from exc
    if value < minimum:
        raise ApiError(400, f"Parameter '{name}' must be at least {minimum}.")
    if maximum is not None:
        value = min(value, maximum)
    return value


def paging(default_limit: int = 25, max_limit: int = 200) -> tuple[int, int]:
    """``start`` and ``limit`` as Confluence reads them (limit capped, not refused)."""
    start = int_arg("start", 0)
    limit = int_arg("limit", default_limit, maximum=max_limit)
    return start, limit


def page_of(
    items: list[Any],
    start: int,
    limit: int,
    links: Links,
    path: str,
    *,
    render: Callable[[Any], Any] = lambda item: item,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A v1 paged answer: ``results/start/limit/size/_links`` with a ``next`` link.

    ``path`` is the API-relative path (e.g. ``content/123/child/page``); the
    current query string is carried over with ``start`` moved on.
    """
    window = [render(item) for item in items[start : start + limit]] if limit > 0 else []
    params = {k: v for k, v in request.args.items() if k not in ("start", "limit")}
    query = urlencode({**params, "limit": limit, "start": start})
    out_links: dict[str, Any] = {
        "base": links.base,
        "context": links.context,
        "self": f"{links.api(path)}?{query}" if params else links.api(path),
    }
    if limit > 0 and start + limit < len(items):
        next_query = urlencode({**params, "limit": limit, "start": start + limit})
        out_links["next"] = f"/rest/api/{path}?{next_query}"
    if start > 0:
        prev_query = urlencode({**params, "limit": limit, "start": max(start - limit, 0)})
        out_links["prev"] = f"/rest/api/{path}?{prev_query}"
    answer: dict[str, Any] = {
        "results": window,
        "start": start,
        "limit": limit,
        "size": len(window),
        **(extra or {}),
        "_links": out_links,
    }
    return answer


def statuses_arg(default: str = "current") -> tuple[str, ...]:
    """The ``status`` parameter (comma-separated or repeated)."""
    values: list[str] = []
    for raw in request.args.getlist("status") or [default]:
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    allowed = {"current", "trashed", "draft", "historical", "archived", "any"}
    for value in values:
        if value not in allowed:
            raise ApiError(400, f"Status '{value}' is not a valid content status.")
    return tuple(values) or (default,)


def require_object(body: Any, what: str = "request body") -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(400, f"The {what} must be a JSON object.")
    return body
