"""Raw JSON calls to Confluence REST v1 over the ``atlassian`` client, through the call point.

The client's high-level helpers do more than asked (``update_page`` reads the
page three times and silently skips an unchanged body; ``get_page_by_title``
returns a list in some cases; ``cql_all`` follows ``next`` links that drop
``/wiki`` on Cloud), so the adapter sends exact requests with the client's
authenticated ``get``/``post``/``put`` and reads the JSON itself. The paths
are relative to the client's URL: ``https://site/wiki`` on Cloud, the site root
on Data Center, so both serve ``rest/api/...``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from agent.adapters.confluence_port import Caller, Page
from agent.adapters.service_errors import ServiceError, UnexpectedAnswer

API_PREFIX = "rest/api/"
SEARCH_PAGE_SIZE = 50
MAX_SEARCH_PAGES = 40  # 2,000 hits: far more agent pages than one space should hold


def path_part(value: str) -> str:
    """A page id or property key made safe for one URL path segment."""
    return quote(str(value), safe="")


class ConfluenceHttp:
    """``get``/``post``/``put`` of JSON under ``rest/api/`` with the client's session."""

    def __init__(self, client: Any, caller: Caller) -> None:
        self.client = client
        self.caller = caller

    def get(self, operation: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(operation, self.client.get, API_PREFIX + path, params=params)

    def post(self, operation: str, path: str, body: Any) -> Any:
        return self.caller.call(operation, self.client.post, API_PREFIX + path, data=body)

    def put(self, operation: str, path: str, body: Any) -> Any:
        return self.caller.call(operation, self.client.put, API_PREFIX + path, data=body)

    def search(self, operation: str, cql: str, expand: str | None = None) -> Iterator[Any]:
        """Every ``content/search`` hit for ``cql``, following ``_links.next`` as given."""
        params: dict[str, Any] = {"cql": cql, "limit": SEARCH_PAGE_SIZE}
        if expand:
            params["expand"] = expand
        return self.paged(operation, "content/search", params, f"for {cql!r}")

    def paged(
        self, operation: str, path: str, params: dict[str, Any], what: str = ""
    ) -> Iterator[Any]:
        """Every result of a paged v1 listing, following ``_links.next`` as given.

        ``next`` is relative to the answer's ``_links.base`` (``.../wiki`` on
        Cloud), which is the client's URL, so it is requested as it stands.
        """
        answer = self.get(operation, path, params)
        for _ in range(MAX_SEARCH_PAGES):
            yield from _results(answer, operation)
            following = _next_link(answer)
            if following is None:
                return
            absolute = following.startswith(("http://", "https://"))
            answer = self.caller.call(
                operation,
                self.client.get,
                following if absolute else following.lstrip("/"),
                absolute=absolute,
            )
        raise ServiceError(
            "confluence",
            operation,
            f"more than {MAX_SEARCH_PAGES} pages of results{f' {what}' if what else ''}; "
            "narrow the search",
        )


def _results(answer: Any, operation: str) -> list[Any]:
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list):
        raise ServiceError("confluence", operation, f"the answer has no results: {answer!r:.200}")
    return results


def _next_link(answer: dict[str, Any]) -> str | None:
    links = answer.get("_links")
    following = links.get("next") if isinstance(links, dict) else None
    return following if isinstance(following, str) and following else None


def required(answer: Any, name: str, operation: str) -> Any:
    """A member Confluence's answer must have; its absence is a service fault, not ours."""
    if not isinstance(answer, dict) or answer.get(name) in (None, ""):
        raise UnexpectedAnswer(
            "confluence",
            operation,
            f"the answer has no {name!r} ({answer!r:.120}); is CONFLUENCE_URL the site's "
            "/wiki address, with no proxy rewriting the answers?",
        )
    return answer[name]


def page_from_json(raw: Any, operation: str) -> Page:
    """A :class:`Page` from v1 content JSON read with ``body.storage,version,ancestors,space``
    (and ``history``, for when it was created)."""
    version = required(raw, "version", operation)
    number = version.get("number") if isinstance(version, dict) else None
    if not isinstance(number, int):
        raise ServiceError("confluence", operation, f"the page has no version number: {version!r}")
    body = raw.get("body") or {}
    storage = body.get("storage") if isinstance(body, dict) else None
    value = storage.get("value") if isinstance(storage, dict) else None
    if not isinstance(value, str):
        raise ServiceError("confluence", operation, "the page was read without its storage body")
    ancestors = raw.get("ancestors") or []
    parent = ancestors[-1].get("id") if ancestors and isinstance(ancestors[-1], dict) else None
    space = raw.get("space")
    space_key = space.get("key") if isinstance(space, dict) else None
    return Page(
        id=str(required(raw, "id", operation)),
        title=str(raw.get("title") or ""),
        version=number,
        body=value,
        parent_id=str(parent) if parent is not None else None,
        space_key=str(space_key) if space_key else None,
        created=created_at(raw),
    )


def created_at(raw: Any) -> datetime | None:
    """When a page was first made, from content JSON read with ``history``."""
    history = raw.get("history") if isinstance(raw, dict) else None
    return _created(history.get("createdDate") if isinstance(history, dict) else None)


def _created(raw: Any) -> datetime | None:
    """``history.createdDate`` (``2026-11-22T10:30:00.000Z``) as an aware time, if readable."""
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
