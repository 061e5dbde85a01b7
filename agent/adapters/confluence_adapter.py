"""``ConfluenceAdapter``: the :class:`~agent.adapters.confluence_port.ConfluencePort` over a
real Confluence site (Cloud at ``https://site/wiki``, Data Center at its root).

Every write is safe to repeat: pages are found by title before they are
created, markers and labels are set only when missing, and a log row is added
only when the log does not hold the issue yet. A person's edit is never
overwritten: page updates send ``version.number`` = read version + 1, and when
Confluence answers 409 (someone saved in between) the page is read again and
the change re-applied to the new body.

Titles are unique per space regardless of case, but look-ups by title are exact
(https://community.developer.atlassian.com/t/inconsistencies-with-page-title-case-sensitivity/38664):
when a create answers "already exists", the page holding the title is found
case-insensitively. A page the agent made is adopted; a person's page keeps its
title, and the agent's page is written under a distinct one.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from agent.adapters.confluence_http import (
    ConfluenceHttp,
    created_at,
    page_from_json,
    path_part,
    required,
)
from agent.adapters.confluence_port import (
    AGENT_LABEL,
    AGENT_PROPERTY,
    AppendResult,
    Caller,
    ConfluencePort,
    Page,
    PageMarker,
    PageRef,
    SpaceRef,
    normalise_labels,
)
from agent.adapters.confluence_status import status_title
from agent.adapters.confluence_tables import insert_row, log_row_count, table_has_key
from agent.adapters.service_errors import BadRequest, Conflict, NotFound, PermissionDenied
from agent.config import Settings
from agent.render.storage_xml import storage_problem

log = logging.getLogger(__name__)

PAGE_EXPAND = "body.storage,version,ancestors,space,history"
FIND_EXPAND = "version,history"
MAX_APPEND_ATTEMPTS = 5
MAX_MARKER_ATTEMPTS = 3
PARENT_BODY = '<ac:structured-macro ac:name="children" ac:schema-version="2" />'
"""Body of a parent page the agent creates: a list of its child pages."""
DISTINCT_SUFFIX = " (escalation-agent)"
"""Added to a title a person's page already holds, for the agent's own page."""
MAX_TITLE = 255
# Characters CQL text search gives a meaning; the words of a title are searched without them.
_CQL_TEXT_SPECIAL = re.compile(r'[-+!?~*:"\\^(){}\[\]/&|]')
LISTING_PAGE_SIZE = 100


class StorageBodyError(ValueError):
    """A body the agent was about to upload is not well-formed storage format."""


def cql_quote(value: str) -> str:
    """A CQL string literal (double quotes; backslash and quote escaped)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _checked(body: str, what: str) -> str:
    problem = storage_problem(body)
    if problem is not None:
        raise StorageBodyError(f"{what} is not well-formed Confluence storage format: {problem}")
    return body


class ConfluenceAdapter:
    """Finds, creates and updates the agent's pages; appends log rows without losing edits."""

    def __init__(self, client: Any, caller: Caller) -> None:
        self._http = ConfluenceHttp(client, caller)
        self._site = str(getattr(client, "url", "") or "").rstrip("/")
        self._account: str | None = None

    def page_url(self, page_id: str) -> str:
        """The page's address for people; by id, so it survives a rename or a move."""
        return f"{self._site}/pages/viewpage.action?pageId={path_part(page_id)}"

    # -- spaces and pages: reading ----------------------------------------------------------
    def space(self, key: str) -> SpaceRef:
        try:
            raw = self._http.get("get_space", f"space/{path_part(key)}", {"expand": "homepage"})
        except NotFound as exc:
            raise NotFound(
                "confluence",
                "get_space",
                f"there is no Confluence space with key {key!r}, or the agent's account "
                "cannot see it: check the space: key of the policy rule that names it, or "
                "CONFLUENCE_SPACE (the space KEY, not its name), and the account's space "
                "permissions",
                exc.status,
            ) from exc
        homepage = raw.get("homepage") if isinstance(raw, dict) else None
        home_id = homepage.get("id") if isinstance(homepage, dict) else None
        return SpaceRef(
            key=str(required(raw, "key", "get_space")),
            id=str(required(raw, "id", "get_space")),
            name=str(raw.get("name") or key),
            homepage_id=str(home_id) if home_id else None,
        )

    def find_page(self, space: str, title: str) -> PageRef | None:
        """The current page titled exactly ``title`` in ``space`` (Confluence's look-up)."""
        params = {"spaceKey": space, "title": title, "type": "page", "expand": FIND_EXPAND}
        answer = self._http.get("find_page", "content", params)
        results = answer.get("results") if isinstance(answer, dict) else answer
        hits = [r for r in results or [] if isinstance(r, dict) and r.get("title") == title]
        if not hits:
            return None
        found = hits[0]
        return PageRef(
            id=str(required(found, "id", "find_page")), title=title, created_at=created_at(found)
        )

    def find_title_holder(self, space: str, title: str) -> PageRef | None:
        """The page whose title is ``title`` in any case (the one a create would clash with).

        CQL's ``title ~`` finds candidates by their words, ignoring case; the titles
        are then compared. The search index may lag behind a page made moments ago,
        so when it finds none the space's pages are listed.
        """
        words = " ".join(_CQL_TEXT_SPECIAL.sub(" ", title).split())
        if words:
            cql = f"type = page and space = {cql_quote(space)} and title ~ {cql_quote(words)}"
            found = _same_title(self._http.search("find_title_holder", cql), title)
            if found is not None:
                return found
        params = {"spaceKey": space, "type": "page", "limit": LISTING_PAGE_SIZE}
        listing = self._http.paged("list_space_pages", "content", params, f"in space {space}")
        return _same_title(listing, title)

    def get_page(self, page_id: str) -> Page:
        raw = self._http.get("read_page", f"content/{path_part(page_id)}", {"expand": PAGE_EXPAND})
        return page_from_json(raw, "read_page")

    # -- pages: creating --------------------------------------------------------------------
    def ensure_page(
        self,
        space: str,
        title: str,
        body: str,
        *,
        parent_title: str | None = None,
        parent_id: str | None = None,
        labels: Sequence[str] = (),
        marker: PageMarker | None = None,
    ) -> PageRef:
        """The page titled ``title``: found, or created with its labels and marker.

        An existing page's body is left alone (a person may have edited it); only
        a missing marker and labels are added, which also completes a page whose
        creation was interrupted. A missing parent (by ``parent_title``) is created.

        Without a ``marker`` (a log, a parent page) the page holding the title is
        used, whoever made it. With one, a page holding the title (in any case)
        that is not the agent's own leaves the agent to write under a distinct
        title; the answer's ``displaced_by`` says so.
        """
        if parent_title is not None and parent_id is not None:
            raise ValueError("give either parent_title or parent_id, not both")
        existing = self.find_page(space, title)
        if existing is None:
            _checked(body, f"the body of page {title!r}")
            if parent_title is not None:
                parent_id = self.ensure_page(space, parent_title, PARENT_BODY).id
            created = self._create(space, title, body, parent_id)
            if created is None:  # the title is taken, in another case or by a racing writer
                existing = self.find_title_holder(space, title)
                if existing is None:
                    raise BadRequest(
                        "confluence",
                        "create_page",
                        f"Confluence says a page titled {title!r} already exists in space "
                        f"{space}, but no page of that title (in any case) can be found",
                        400,
                    )
            else:
                self._complete(created, labels, marker)
                return created
        if marker is None:
            return existing
        if self._is_own(existing.id, marker):
            self._complete(existing, labels, marker)
            return existing
        distinct = _distinct_title(title)
        log.warning(
            "page %r in space %s is not the agent's; writing the agent's page as %r",
            existing.title,
            space,
            distinct,
        )
        made = self.ensure_page(
            space, distinct, body, parent_id=parent_id, labels=labels, marker=marker
        )
        return replace(made, displaced_by=existing.title)

    def _complete(self, page: PageRef, labels: Sequence[str], marker: PageMarker | None) -> None:
        """Labels and marker on a page the agent made (skipped when the marker is there)."""
        if not page.created and (marker is None or self.get_marker(page.id) is not None):
            return
        if not page.created:
            log.info("completing the agent's metadata on existing page %r", page.title)
        wanted = normalise_labels([*(marker.labels() if marker else [AGENT_LABEL]), *labels])
        self.add_labels(page.id, wanted)
        if marker is not None:
            self.set_marker(page.id, marker)

    def _is_own(self, page_id: str, marker: PageMarker) -> bool:
        """Whether the page holding a title is the agent's page for ``marker``.

        Its marker says so (same kind of page for the same issue); a page without
        one is the agent's when the agent's account created it (a creation cut
        short before its marker was set).
        """
        found = self.get_marker(page_id)
        if found is not None:
            return found.kind == marker.kind and found.issue == marker.issue
        return self._creator(page_id) == self._own_account()

    def username_of_key(self, user_key: str) -> str | None:
        """The username of the Data Center person whose ``userKey`` is ``user_key`` (what a
        mention's ``ri:userkey`` holds; Jira Data Center assigns by username); None when
        Confluence knows no such person."""
        try:
            raw = self._http.get("user_by_key", "user", {"key": user_key})
        except NotFound:
            return None
        name = raw.get("username") if isinstance(raw, dict) else None
        return str(name) if name else None

    def _own_account(self) -> str | None:
        """The agent's Confluence account (``user/current``): accountId, or userKey on DC."""
        if self._account is None:
            self._account = _person_id(self._http.get("current_user", "user/current")) or ""
        return self._account or None

    def _creator(self, page_id: str) -> str | None:
        raw = self._http.get("page_history", f"content/{path_part(page_id)}", {"expand": "history"})
        history = raw.get("history") if isinstance(raw, dict) else None
        return _person_id(history.get("createdBy")) if isinstance(history, dict) else None

    def _create(self, space: str, title: str, body: str, parent_id: str | None) -> PageRef | None:
        """The new page; None when Confluence says the title is taken (in any case)."""
        payload: dict[str, Any] = {
            "type": "page",
            "title": title,
            "space": {"key": space},
            "status": "current",
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent_id is not None:
            payload["ancestors"] = [{"id": str(parent_id)}]
        try:
            raw = self._http.post("create_page", "content", payload)
        except PermissionDenied:
            # Cloud answers 403 for a space that does not exist: say which, if so
            self.space(space)
            raise
        except BadRequest as exc:
            if "already exists" not in exc.message:
                raise
            return None
        log.info("created Confluence page %r in space %s", title, space)
        return PageRef(
            id=str(required(raw, "id", "create_page")),
            title=title,
            created=True,
            created_at=created_at(raw),
        )

    # -- pages: updating --------------------------------------------------------------------
    def update_page(self, page_id: str, body: str, *, expected_version: int | None = None) -> int:
        """Write ``body`` as the next version; returns the page's version afterwards.

        With ``expected_version``, Conflict is raised when the page is no longer at
        that version (someone edited it since the caller read it). An unchanged
        body writes nothing.
        """
        _checked(body, f"the new body of page {page_id}")
        page = self.get_page(page_id)
        if expected_version is not None and page.version != expected_version:
            raise Conflict(
                "confluence",
                "update_page",
                f"page {page.title!r} is at version {page.version}, not {expected_version}: "
                "someone edited it since it was read; read it again before writing",
                409,
            )
        if page.body == body:
            return page.version
        return self._put_body(page, body, "update_page")

    def _put_body(self, page: Page, body: str, operation: str, message: str = "") -> int:
        """PUT ``body`` as version ``page.version + 1``; Conflict (409) if someone was faster."""
        answer = self._http.put(
            operation, f"content/{path_part(page.id)}", _update_payload(page, body, message)
        )
        written = answer.get("version") if isinstance(answer, dict) else None
        number = written.get("number") if isinstance(written, dict) else None
        return number if isinstance(number, int) else page.version + 1

    def append_log_row(
        self,
        page_id: str,
        issue_key: str,
        row_xml: str,
        *,
        header_titles: Sequence[str] = (),
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> AppendResult:
        """Add ``row_xml`` to the page's log table unless the issue already has a row.

        Read, check for the key, splice the row in (the rest of the body stays as
        it was), write version + 1. On 409 the page changed under us: read it again
        and start over, up to :data:`MAX_APPEND_ATTEMPTS` times. A row that would
        take the table past ``max_rows``, or the update request past ``max_bytes``,
        is not written: the answer says ``full`` (the caller starts a new log page).
        """
        last_conflict: Conflict | None = None
        for attempt in range(1, MAX_APPEND_ATTEMPTS + 1):
            page = self.get_page(page_id)
            if table_has_key(page.body, issue_key, header_titles):
                return AppendResult(added=False, version=page.version, attempts=attempt)
            new_body = _checked(
                insert_row(page.body, row_xml, header_titles),
                f"page {page.title!r} with the row for {issue_key}",
            )
            message = f"escalation-agent: log {issue_key}"
            too_many = max_rows is not None and log_row_count(new_body, header_titles) > max_rows
            too_big = max_bytes is not None and request_bytes(page, new_body, message) > max_bytes
            if too_many or too_big:
                return AppendResult(added=False, version=page.version, attempts=attempt, full=True)
            try:
                version = self._put_body(page, new_body, "append_log_row", message)
            except Conflict as exc:
                last_conflict = exc
                log.info(
                    "page %r changed while adding %s's row (attempt %d of %d); reading it again",
                    page.title,
                    issue_key,
                    attempt,
                    MAX_APPEND_ATTEMPTS,
                )
                continue
            return AppendResult(added=True, version=version, attempts=attempt)
        assert last_conflict is not None  # the loop only runs out after conflicts
        last_conflict.note = (
            f"the page kept changing: gave up adding {issue_key}'s row after "
            f"{MAX_APPEND_ATTEMPTS} attempts"
        )
        raise last_conflict

    # -- markers and labels -----------------------------------------------------------------
    def _marker_property(self, page_id: str) -> dict[str, Any] | None:
        path = f"content/{path_part(page_id)}/property/{path_part(AGENT_PROPERTY)}"
        try:
            raw = self._http.get("get_marker", path)
        except NotFound:
            return None
        return raw if isinstance(raw, dict) else None

    def get_marker(self, page_id: str) -> PageMarker | None:
        prop = self._marker_property(page_id)
        return PageMarker.from_json(prop.get("value")) if prop else None

    def page_status(self, page_id: str) -> str | None:
        """The title of the page's first status macro, upper-case (None without one)."""
        return status_title(self.get_page(page_id).body)

    def set_marker(self, page_id: str, marker: PageMarker) -> None:
        """Create or update the page's marker property (nothing is sent when it is current)."""
        value = marker.to_json()
        path = f"content/{path_part(page_id)}/property/{path_part(AGENT_PROPERTY)}"
        for attempt in range(1, MAX_MARKER_ATTEMPTS + 1):
            prop = self._marker_property(page_id)
            try:
                if prop is None:
                    self._http.post(
                        "set_marker",
                        f"content/{path_part(page_id)}/property",
                        {"key": AGENT_PROPERTY, "value": value},
                    )
                    return
                if prop.get("value") == value:
                    return
                number = int((prop.get("version") or {}).get("number", 0)) + 1
                self._http.put("set_marker", path, {"value": value, "version": {"number": number}})
                return
            except (Conflict, BadRequest) as exc:
                # someone created or updated the property between our read and our write
                if attempt == MAX_MARKER_ATTEMPTS:
                    raise
                log.info("marker of page %s changed meanwhile (%s); reading it again", page_id, exc)

    def add_labels(self, page_id: str, labels: Sequence[str]) -> None:
        """Add labels (Confluence ignores ones the page already has)."""
        names = normalise_labels(labels)
        if not names:
            return
        body = [{"prefix": "global", "name": name} for name in names]
        self._http.post("add_labels", f"content/{path_part(page_id)}/label", body)

    def find_page_by_marker(
        self, space: str, key: str, *, labels: Sequence[str] = ()
    ) -> PageRef | None:
        """The page whose marker has idempotency ``key`` (for when the state file is lost).

        CQL finds the agent's labelled pages in the space (``labels`` narrow it,
        e.g. the kind and project); each one's marker property is then read.
        """
        clauses = ["type = page", f"space = {cql_quote(space)}"]
        clauses += [
            f"label = {cql_quote(label)}" for label in normalise_labels([AGENT_LABEL, *labels])
        ]
        for hit in self._http.search("find_by_marker", " and ".join(clauses)):
            page_id = str(required(hit, "id", "find_by_marker"))
            marker = self.get_marker(page_id)
            if marker is not None and marker.key == key:
                return PageRef(id=page_id, title=str(hit.get("title") or ""))
        return None


def _update_payload(page: Page, body: str, message: str = "") -> dict[str, Any]:
    """The v1 update of ``page`` to ``body`` as its next version."""
    version: dict[str, Any] = {"number": page.version + 1}
    if message:
        version["message"] = message
    return {
        "id": page.id,
        "type": "page",
        "title": page.title,
        "status": "current",
        "version": version,
        "body": {"storage": {"value": body, "representation": "storage"}},
    }


def request_bytes(page: Page, body: str, message: str = "") -> int:
    """The size of the update request writing ``body`` to ``page``: JSON as the client
    sends it (``ensure_ascii``: every character past ASCII takes six bytes)."""
    return len(json.dumps(_update_payload(page, body, message)).encode("ascii"))


def _same_title(hits: Iterable[Any], title: str) -> PageRef | None:
    """The first hit titled ``title`` in any case."""
    wanted = title.casefold()
    for hit in hits:
        if isinstance(hit, dict) and str(hit.get("title", "")).casefold() == wanted:
            return PageRef(id=str(required(hit, "id", "find_title_holder")), title=hit["title"])
    return None


def _distinct_title(title: str) -> str:
    """``title`` marked as the agent's, within Confluence's 255 characters."""
    return title[: MAX_TITLE - len(DISTINCT_SUFFIX)].rstrip() + DISTINCT_SUFFIX


def _person_id(raw: Any) -> str | None:
    """How Confluence names a person: ``accountId`` on Cloud, ``userKey`` on Data Center."""
    if not isinstance(raw, dict):
        return None
    for name in ("accountId", "userKey", "username"):
        if isinstance(raw.get(name), str) and raw[name]:
            return str(raw[name])
    return None


def build_confluence_adapter(settings: Settings, caller: Caller) -> ConfluenceAdapter:
    """The adapter for the configured site (client built in ``agent/adapters/clients.py``)."""
    from agent.adapters.clients import confluence_client  # noqa: PLC0415 - heavy import

    return ConfluenceAdapter(confluence_client(settings), caller)


if TYPE_CHECKING:
    from agent.adapters.calls import ServiceCaller

    def _conforms(
        adapter: ConfluenceAdapter, caller: ServiceCaller
    ) -> tuple[ConfluencePort, Caller]:
        """mypy proves here that the adapter implements the port and the call point fits."""
        return adapter, caller
