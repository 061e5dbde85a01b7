"""Incident logs roll over: a page per year, and a new volume before Confluence's limits.

Against the sandbox over HTTP (Confluence takes 5 MB a request there, as it does
for real). No write ever fails at the limit; every volume is linked from the one
before it; a row is never written twice, even when the state is lost after a
roll-over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.adapters.confluence_adapter import ConfluenceAdapter
from agent.runtime.act.handlers_confluence import LOG_LABELS, LOG_PAGE_INTRO
from agent.runtime.act.log_pages import MAX_LOG_ROWS, LogRow, add_log_row, continued_in
from agent.sandbox.confluence import content as confluence
from tests.adapters.test_confluence_adapter_sandbox import adapter_for
from tests.runtime.paperwork_site import DEV, SPACE, PaperSite, open_site
from tests.support.sandbox import SandboxHandle

TITLES = ("Key", "Summary")
LOG = "OPS incident log"


def row(key: str, summary: str = "Checkout down") -> str:
    return (
        '<tr><td><ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">'
        f"{key}</ac:parameter></ac:structured-macro></td><td><p>{summary}</p></td></tr>"
    )


def log_row(key: str, year: int, summary: str = "Checkout down") -> LogRow:
    return LogRow(
        space="OPS",
        title=LOG,
        issue=key,
        year=year,
        row_xml=row(key, summary),
        header_titles=TITLES,
        intro=LOG_PAGE_INTRO,
        labels=LOG_LABELS,
    )


@pytest.fixture
def wiki(sandbox: SandboxHandle) -> ConfluenceAdapter:
    sandbox.set_clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    confluence.create_space(sandbox.ctx, "OPS", "Operations")
    adapter, _ = adapter_for(sandbox)
    return adapter


def body(sandbox: SandboxHandle, title: str) -> str:
    page = confluence.find_page(sandbox.ctx, "OPS", title)
    assert page is not None, f"no page {title!r}"
    return str(page["body"])


def keys_on(sandbox: SandboxHandle, title: str) -> int:
    return body(sandbox, title).count('ac:name="key"')


def test_a_new_year_starts_a_new_page_linked_from_the_old(
    sandbox: SandboxHandle, wiki: ConfluenceAdapter
) -> None:
    add_log_row(wiki, log_row("OPS-1", 2026))
    add_log_row(wiki, log_row("OPS-2", 2026))
    sandbox.set_clock(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    page, result = add_log_row(wiki, log_row("OPS-3", 2027))
    assert result.added and page.title == f"{LOG} 2027"
    add_log_row(wiki, log_row("OPS-4", 2027))
    assert (keys_on(sandbox, LOG), keys_on(sandbox, f"{LOG} 2027")) == (2, 2)
    assert body(sandbox, LOG).endswith(continued_in(f"{LOG} 2027"))
    late, _ = add_log_row(wiki, log_row("OPS-5", 2026))  # resolved late in December
    assert late.title == LOG
    again, repeat = add_log_row(wiki, log_row("OPS-3", 2027))
    assert (again.title, repeat.added) == (f"{LOG} 2027", False)


def test_a_full_log_continues_on_a_second_volume(
    sandbox: SandboxHandle, wiki: ConfluenceAdapter
) -> None:
    header = "<tr><th><p>Key</p></th><th><p>Summary</p></th></tr>"
    rows = "".join(row(f"OLD-{n}") for n in range(MAX_LOG_ROWS))
    confluence.create_page(
        sandbox.ctx, "OPS", LOG, f"<table><tbody>{header}{rows}</tbody></table>", author_email=DEV
    )
    page, result = add_log_row(wiki, log_row("OPS-1", 2026))
    assert result.added and page.title == f"{LOG} (2)"
    assert keys_on(sandbox, LOG) == MAX_LOG_ROWS  # a person's full log is left as it was
    assert body(sandbox, LOG).endswith(continued_in(f"{LOG} (2)"))
    again, repeat = add_log_row(wiki, log_row("OLD-7", 2026))
    assert (again.title, repeat.added) == (LOG, False)  # already on the first volume


def test_a_log_near_5_mb_is_never_written_past_the_limit(
    sandbox: SandboxHandle, wiki: ConfluenceAdapter
) -> None:
    header = "<tr><th><p>Key</p></th><th><p>Summary</p></th></tr>"
    long = "x" * 50_000
    rows = "".join(row(f"OLD-{n}", long) for n in range(104))  # 5.21 MB in 104 rows
    confluence.create_page(
        sandbox.ctx, "OPS", LOG, f"<table><tbody>{header}{rows}</tbody></table>", author_email=DEV
    )
    # one more such row would make the update 5.26 MB: Confluence would answer 413
    page, result = add_log_row(wiki, log_row("OPS-1", 2026, long))
    assert result.added and page.title == f"{LOG} (2)"
    refused = [e for e in sandbox.requests_log() if e["status"] == 413]
    assert refused == []


def test_after_a_lost_state_an_earlier_years_row_is_found(
    sandbox: SandboxHandle, wiki: ConfluenceAdapter
) -> None:
    add_log_row(wiki, log_row("OPS-1", 2026))
    sandbox.set_clock(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    # an agent before this version wrote 2027's first rows on the old page
    old_page = confluence.find_page(sandbox.ctx, "OPS", LOG)
    assert old_page is not None
    wiki.append_log_row(old_page["id"], "OPS-9", row("OPS-9"), header_titles=TITLES)
    page, result = add_log_row(wiki, log_row("OPS-9", 2027), reconcile=True)
    assert (page.title, result.added) == (LOG, False)
    assert confluence.find_page(sandbox.ctx, "OPS", f"{LOG} 2027") is None


class CrashWhileLinking(ConfluenceAdapter):
    """The process dies once, as it writes the "Continued in" link of a roll-over."""

    crashed = False

    def update_page(self, page_id: str, body: str, *, expected_version: int | None = None) -> int:
        if "Continued in" in body and not self.crashed:
            self.crashed = True
            raise KeyboardInterrupt("killed while linking the next volume")
        return super().update_page(page_id, body, expected_version=expected_version)


def test_a_crash_during_the_roll_over_still_links_the_new_years_page(
    sandbox: SandboxHandle, wiki: ConfluenceAdapter
) -> None:
    add_log_row(wiki, log_row("OPS-1", 2026))
    sandbox.set_clock(datetime(2027, 1, 2, 9, 0, tzinfo=UTC))
    dying = wiki
    dying.__class__ = CrashWhileLinking
    with pytest.raises(KeyboardInterrupt):
        add_log_row(dying, log_row("OPS-2", 2027))
    page, result = add_log_row(dying, log_row("OPS-2", 2027))  # the next cycle
    assert (page.title, result.added) == (f"{LOG} 2027", True)
    assert body(sandbox, LOG).count(continued_in(f"{LOG} 2027")) == 1
    assert keys_on(sandbox, f"{LOG} 2027") == 1


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path)


def test_the_agent_logs_each_year_on_its_own_page(site: PaperSite) -> None:
    first = site.incident("Checkout returns 500")
    site.resolve(first, datetime(2026, 12, 31, 10, 0, tzinfo=UTC))
    assert site.cycle(datetime(2026, 12, 31, 10, 5, tzinfo=UTC)).total_failed == 0
    second = site.incident("Payments time out")
    site.resolve(second, datetime(2027, 1, 4, 10, 0, tzinfo=UTC))
    report = site.cycle(datetime(2027, 1, 4, 10, 5, tzinfo=UTC))
    assert report.total_failed == 0, report.failures
    old, new = site.body("PAP Incident Log"), site.body("PAP Incident Log 2027")
    assert first in old and second not in old
    assert second in new and first not in new
    assert old.endswith(continued_in("PAP Incident Log 2027"))
    assert confluence.find_page(site.ctx, SPACE, "PAP Incident Log 2027") is not None
