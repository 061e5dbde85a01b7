"""Paged reads from Jira: searches, comments (with properties), changelog, watchers.

Cloud and Data Center page differently. Cloud's only search is ``search/jql``
(``nextPageToken``/``isLast``; the old ``search`` answers 410 Gone); Data Center
only has ``search`` (``startAt``/``total``). Every loop here advances by what
the server actually returned, since servers may cap ``maxResults`` lower.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from agent.adapters.jira_http import JiraHttp, path_part
from agent.adapters.jira_port import ServerKind
from agent.adapters.service_errors import ServiceError, UnexpectedAnswer

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most Jira Cloud returns per page when fields are requested


class PagingError(ServiceError):
    """The server's paging went wrong (a repeated token): stop rather than loop forever."""


def search_issues(
    http: JiraHttp,
    kind: ServerKind,
    jql: str,
    field_ids: Sequence[str],
    *,
    page_size: int = PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """Raw issues matching ``jql`` with only ``field_ids``, every page, in order."""
    if kind == "cloud":
        yield from _search_cloud(http, jql, field_ids, page_size)
    else:
        yield from _search_datacenter(http, jql, field_ids, page_size)


def _search_cloud(
    http: JiraHttp, jql: str, field_ids: Sequence[str], page_size: int
) -> Iterator[dict[str, Any]]:
    token: str | None = None
    seen: set[str] = set()
    while True:
        params: dict[str, Any] = {"jql": jql, "fields": list(field_ids), "maxResults": page_size}
        if token:
            params["nextPageToken"] = token
        page = http.get("search", "search/jql", params) or {}
        yield from _items(page, "issues", "search")
        token = page.get("nextPageToken")
        if page.get("isLast", token is None) or not token:
            return
        if token in seen:
            raise PagingError("jira", "search", f"Jira repeated the page token {token!r}")
        seen.add(token)


def _search_datacenter(
    http: JiraHttp, jql: str, field_ids: Sequence[str], page_size: int
) -> Iterator[dict[str, Any]]:
    start = 0
    while True:
        params = {
            "jql": jql,
            "fields": list(field_ids),
            "startAt": start,
            "maxResults": page_size,
        }
        page = http.get("search", "search", params) or {}
        issues = _items(page, "issues", "search")
        yield from issues
        start += len(issues)
        if not issues or start >= int(page.get("total", 0)):
            return


def comments(http: JiraHttp, issue: str, *, page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
    """Every comment, oldest first, with its properties (the agent's marker lives there)."""
    start = 0
    path = f"issue/{path_part(issue)}/comment"
    while True:
        params = {"startAt": start, "maxResults": page_size, "expand": "properties"}
        page = http.get("comments", path, params) or {}
        batch = _items(page, "comments", "comments")
        yield from batch
        start += len(batch)
        if not batch or start >= int(page.get("total", 0)):
            return


def changelog(
    http: JiraHttp, kind: ServerKind, issue: str, *, page_size: int = PAGE_SIZE
) -> Iterator[dict[str, Any]]:
    """Every history entry. Cloud pages ``/changelog``; Data Center only has ``expand``."""
    if kind == "datacenter":
        raw = http.get(
            "changelog",
            f"issue/{path_part(issue)}",
            {"fields": "created", "expand": "changelog"},
        )
        part = raw.get("changelog") if isinstance(raw, dict) else None
        yield from _items(part, "histories", "changelog")
        return
    start = 0
    path = f"issue/{path_part(issue)}/changelog"
    while True:
        page = http.get("changelog", path, {"startAt": start, "maxResults": page_size}) or {}
        batch = _items(page, "values", "changelog")
        yield from batch
        start += len(batch)
        if not batch or page.get("isLast") is True or start >= int(page.get("total", 0)):
            return


def watchers(http: JiraHttp, issue: str) -> list[dict[str, Any]]:
    raw = http.get("watchers", f"issue/{path_part(issue)}/watchers") or {}
    return _items(raw, "watchers", "watchers")


def _items(page: Any, name: str, operation: str) -> list[dict[str, Any]]:
    """The page's ``name`` list; a page without one is an error, not "nothing there".

    Reading a wrong answer as empty would make the agent believe there are no
    tickets or comments, and act on that. Single odd items are skipped with a warning.
    """
    items = page.get(name) if isinstance(page, dict) else None
    if not isinstance(items, list):
        raise UnexpectedAnswer(
            "jira",
            operation,
            f"the answer has no {name!r} list (got {_shape(page, name)}); is JIRA_URL the "
            "site's base URL, with no proxy rewriting the answers?",
        )
    kept = [item for item in items if isinstance(item, dict)]
    if len(kept) != len(items):
        log.warning(
            "Jira %s: skipped %d %s entries that are not objects",
            operation,
            len(items) - len(kept),
            name,
        )
    return kept


def _shape(value: Any, name: str) -> str:
    if isinstance(value, dict) and name in value:
        return f"{name!r} as {type(value[name]).__name__}"
    if isinstance(value, dict):
        return "an object with " + (", ".join(sorted(map(str, value))[:8]) or "no members")
    return type(value).__name__
