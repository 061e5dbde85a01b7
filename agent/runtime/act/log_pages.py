"""Incident-log pages that roll over: a new page each year, and before one grows too big.

A log page gains a row per resolved incident for years. Confluence takes at most
5 MB a request (https://confluence.atlassian.com/confkb/rest-call-gives-request-too-large-requests-for-this-resource-can-be-at-most-5242880-bytes-error-939689514.html)
and a table of thousands of rows is slow to open, so a log is kept as volumes:

- the log page ``T`` itself holds the rows of the year it was created (and earlier);
- the rows of a later year go to ``T <year>``;
- a volume that would pass :data:`MAX_LOG_ROWS` rows, or whose update request would
  pass :data:`MAX_LOG_REQUEST_BYTES`, continues in ``<volume title> (2)``, ``(3)``...

Every new volume is linked from the one before it ("Continued in ..."), so a
reader walks the log page by page. Which volume a row belongs to follows from
the row's year and the pages' titles and creation dates alone, so a lost state
file finds the same page; a row is never added to a volume when an earlier
volume of its year already holds the issue. Existing log pages keep their title
and rows: the first volume of a log is the page that always held it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agent.adapters.confluence_port import AppendResult, ConfluencePort, PageRef
from agent.adapters.confluence_tables import table_has_key
from agent.adapters.service_errors import Conflict
from agent.render.escaping import escape_xml

log = logging.getLogger(__name__)

MAX_LOG_ROWS = 1000
"""Rows one log page holds before the next volume starts: Confluence still renders it well."""
MAX_LOG_REQUEST_BYTES = 5 * 1024 * 1024 - 64 * 1024
"""The largest page update the agent sends: Confluence's 5 MB, less a margin."""
MAX_VOLUMES_A_YEAR = 50
LINK_ATTEMPTS = 3


@dataclass(frozen=True)
class LogRow:
    """One issue's row for the log titled ``title``; ``year`` is the year it was resolved."""

    space: str
    title: str
    issue: str
    year: int
    row_xml: str
    header_titles: Sequence[str]
    intro: str
    labels: Sequence[str]


def volume_title(title: str, year: int | None, part: int) -> str:
    """``T``, ``T (2)`` for the first page's year; ``T 2027``, ``T 2027 (2)`` for later ones."""
    base = title if year is None else f"{title} {year}"
    return base if part == 1 else f"{base} ({part})"


def add_log_row(
    confluence: ConfluencePort, row: LogRow, *, reconcile: bool = False
) -> tuple[PageRef, AppendResult]:
    """Add ``row`` to its volume once; the page it is on and what the append did.

    With ``reconcile`` (an earlier attempt may have written it, perhaps before the
    log rolled over to a volume of the row's year) the earlier years' volumes are
    looked through for the issue first.
    """
    first = confluence.ensure_page(row.space, row.title, row.intro, labels=row.labels)
    created = first.created_at  # from the look-up: no second read of a large log
    own_year = None if created is None or row.year <= created.year else row.year
    if reconcile and own_year is not None and created is not None:
        found = _earlier_row(confluence, row, first, created.year)
        if found is not None:
            return found
    previous: PageRef | None = None
    for page in _volumes(confluence, row, first, own_year):
        if previous is not None:
            _link(confluence, previous, page.title)
        result = confluence.append_log_row(
            page.id,
            row.issue,
            row.row_xml,
            header_titles=row.header_titles,
            max_rows=MAX_LOG_ROWS,
            max_bytes=MAX_LOG_REQUEST_BYTES,
        )
        if not result.full:
            return page, result
        log.info("log page %r is full; %s's row goes to the next volume", page.title, row.issue)
        previous = page
    raise Conflict(
        "confluence",
        "append_log_row",
        f"{MAX_VOLUMES_A_YEAR} volumes of {row.title!r} for {row.year} are full",
        409,
    )


def _earlier_row(
    confluence: ConfluencePort, row: LogRow, first: PageRef, first_year: int
) -> tuple[PageRef, AppendResult] | None:
    """The volume of an earlier year that already holds the issue's row, if any."""
    years: list[int | None] = [None, *range(first_year + 1, row.year)]
    for year in years:
        for part in range(1, MAX_VOLUMES_A_YEAR + 1):
            found = (
                first
                if year is None and part == 1
                else confluence.find_page(row.space, volume_title(row.title, year, part))
            )
            if found is None:
                break
            current = confluence.get_page(found.id)
            if table_has_key(current.body, row.issue, row.header_titles):
                return found, AppendResult(added=False, version=current.version)
    return None


def _volumes(
    confluence: ConfluencePort, row: LogRow, first: PageRef, year: int | None
) -> Iterator[PageRef]:
    """The row's year's volumes in order, each made when the one before it is full."""
    if year is None:
        yield first
        start = 2
    else:
        start = 1
    for part in range(start, MAX_VOLUMES_A_YEAR + 1):
        title = volume_title(row.title, year, part)
        page = confluence.find_page(row.space, title)
        if page is None:
            if part == 1:
                # Linked before it exists (a link by title): a crash between the two
                # steps leaves a link the next attempt completes, never an orphan page.
                earlier = _last_volume_before(confluence, row, year or 0, first)
                _link(confluence, earlier, title)
            page = confluence.ensure_page(row.space, title, row.intro, labels=row.labels)
        yield page


def _last_volume_before(
    confluence: ConfluencePort, row: LogRow, year: int, first: PageRef
) -> PageRef:
    """The newest volume of an earlier year: where a reader of the log is sent on from."""
    for earlier in range(year - 1, year - 20, -1):
        page = confluence.find_page(row.space, volume_title(row.title, earlier, 1))
        if page is not None:
            return _last_part(confluence, row, earlier, page)
    return _last_part(confluence, row, None, first)


def _last_part(confluence: ConfluencePort, row: LogRow, year: int | None, page: PageRef) -> PageRef:
    for part in range(2, MAX_VOLUMES_A_YEAR + 1):
        following = confluence.find_page(row.space, volume_title(row.title, year, part))
        if following is None:
            return page
        page = following
    return page


def continued_in(title: str) -> str:
    """The paragraph sending a reader on to the next volume (a link by title)."""
    return (
        f'<p>Continued in <ac:link><ri:page ri:content-title="{escape_xml(title)}" />'
        f"</ac:link>.</p>"
    )


def _link(confluence: ConfluencePort, page: PageRef, following: str) -> None:
    """Append "Continued in <following>" to ``page`` unless it already links there."""
    link = continued_in(following)
    for attempt in range(1, LINK_ATTEMPTS + 1):
        current = confluence.get_page(page.id)
        if link in current.body:
            return
        try:
            confluence.update_page(page.id, current.body + link, expected_version=current.version)
            return
        except Conflict:
            if attempt == LINK_ATTEMPTS:
                raise
            log.info("log page %r changed while linking the next volume; again", page.title)
