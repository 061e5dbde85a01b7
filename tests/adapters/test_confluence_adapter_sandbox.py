"""The Confluence adapter against the running sandbox, on Cloud (``/wiki``) and Data Center.

Spaces and "human" edits are made with the sandbox's seeding API (the same rules
as its REST API: versions, titles, storage checks); everything the adapter does
goes over HTTP with the real ``atlassian`` client and the real call point.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from agent.adapters.calls import ServiceCaller
from agent.adapters.confluence_adapter import (
    MAX_APPEND_ATTEMPTS,
    PARENT_BODY,
    ConfluenceAdapter,
    StorageBodyError,
    build_confluence_adapter,
)
from agent.adapters.confluence_http import SEARCH_PAGE_SIZE
from agent.adapters.confluence_port import AGENT_PROPERTY, PageMarker, PageRef
from agent.adapters.retry import RetryBudget
from agent.adapters.service_errors import Conflict, NotFound
from agent.config import load_settings
from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from agent.sandbox.user_directory import ADMIN_EMAIL
from agent.secrets import Redactor
from tests.support.sandbox import AGENT_EMAIL, SLACK_TIME_SCALE, TOKEN, SandboxHandle

SPACE = "OPS"
TITLES = ("Key", "Summary", "Resolved")
HEADER = "<tr><th><p>Key</p></th><th><p>Summary</p></th><th><p>Resolved</p></th></tr>"
HUMAN = "ann@sandbox.example"


def row(key: str, summary: str = "Checkout down") -> str:
    return (
        '<tr><td><ac:structured-macro ac:name="jira" ac:schema-version="1">'
        f'<ac:parameter ac:name="key">{key}</ac:parameter></ac:structured-macro></td>'
        f"<td><p>{summary}</p></td><td><p>2026-11-20</p></td></tr>"
    )


def _never_sleep(seconds: float) -> None:
    raise AssertionError(f"the adapter tried to sleep {seconds}s in a test")


class HookedCaller:
    """The real call point, plus a hook run right after a named operation succeeds.

    It stands for a person saving the page between the adapter's read and write.
    """

    def __init__(self, inner: ServiceCaller) -> None:
        self.inner = inner
        self.after: dict[str, list[Callable[[], None]]] = {}

    def call(self, operation: str, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        result = self.inner.call(operation, fn, *args, **kwargs)
        pending = self.after.get(operation)
        if pending:
            pending.pop(0)()
        return result


def settings_for(site: SandboxHandle) -> Any:
    env = {
        "JIRA_URL": site.base,
        "JIRA_EMAIL": AGENT_EMAIL,
        "JIRA_API_TOKEN": TOKEN,
        "CONFLUENCE_SPACE": SPACE,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": f"{site.base}/api/",
        "AGENT_SLACK_TIME_SCALE": str(SLACK_TIME_SCALE),
    }
    if site.ctx.deployment == "datacenter":
        env |= {"CONFLUENCE_URL": site.base, "CONFLUENCE_PAT": TOKEN}
    else:
        env |= {
            "CONFLUENCE_URL": f"{site.base}/wiki",
            "CONFLUENCE_EMAIL": AGENT_EMAIL,
            "CONFLUENCE_API_TOKEN": TOKEN,
        }
    return load_settings(env)


def adapter_for(site: SandboxHandle) -> tuple[ConfluenceAdapter, HookedCaller]:
    inner = ServiceCaller("confluence", Redactor([TOKEN]), RetryBudget(0), sleep=_never_sleep)
    caller = HookedCaller(inner)
    return build_confluence_adapter(settings_for(site), caller), caller


@pytest.fixture(params=["cloud", "datacenter"])
def site(request: pytest.FixtureRequest) -> SandboxHandle:
    handle: SandboxHandle = request.getfixturevalue(
        "sandbox" if request.param == "cloud" else "sandbox_dc"
    )
    wiki_pages.create_space(handle.ctx, SPACE, "Operations")
    return handle


def confluence_calls(site: SandboxHandle, method: str | None = None) -> list[dict[str, Any]]:
    return [
        r
        for r in site.requests_log()
        if r["service"] == "confluence" and method in (None, r["method"])
    ]


def expected_prefix(site: SandboxHandle) -> str:
    return "/rest/api/" if site.ctx.deployment == "datacenter" else "/wiki/rest/api/"


def human_edit(site: SandboxHandle, page_id: str, change: Callable[[str], str]) -> None:
    """A person saves a new version of the page through the sandbox's own rules."""
    page = wiki_pages.require_page(site.ctx, page_id)
    wiki_pages.update_page(
        site.ctx,
        page_id,
        page["version"]["number"] + 1,
        storage_body=change(page["body"]),
        author_email=HUMAN,
    )


def log_page(site: SandboxHandle, body: str | None = None) -> str:
    text = (
        body if body is not None else f"<p>Incident log</p><table><tbody>{HEADER}</tbody></table>"
    )
    return str(
        wiki_pages.create_page(site.ctx, SPACE, "DS incident log", text, author_email=HUMAN)["id"]
    )


# -- spaces ---------------------------------------------------------------------------------
def test_space_is_read_over_the_deployments_own_paths(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    space = adapter.space(SPACE)
    assert (space.key, space.name) == (SPACE, "Operations")
    home = wiki_pages.get_space(site.ctx, SPACE)["homepageId"]
    assert space.homepage_id == home
    calls = confluence_calls(site)
    assert calls and all(c["path"].startswith(expected_prefix(site)) for c in calls)


def test_missing_space_is_a_clear_error_naming_the_setting(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    with pytest.raises(NotFound) as caught:
        adapter.space("NOPE")
    assert "'NOPE'" in str(caught.value) and "CONFLUENCE_SPACE" in str(caught.value)
    with pytest.raises(NotFound, match="CONFLUENCE_SPACE"):
        adapter.ensure_page("NOPE", "Anything", "<p>x</p>")


# -- pages -----------------------------------------------------------------------------------
MARKER = PageMarker(kind="incident_summary", key="page@2026-11-20T10:00:00Z", issue="DS-123")


def test_ensure_page_creates_once_with_labels_and_marker(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    first = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert first.created is True
    again = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Other</p>", marker=MARKER)
    assert (again.id, again.created) == (first.id, False)

    page = wiki_pages.require_page(site.ctx, first.id)
    assert page["body"] == "<p>Summary</p>"
    assert sorted(lb["name"] for lb in page["labels"]) == [
        "ds",
        "escalation-agent",
        "incident_summary",
    ]
    props = {p["key"]: p["value"] for p in page["properties"]}
    assert props[AGENT_PROPERTY] == {
        "issue": "DS-123",
        "kind": "incident_summary",
        "key": MARKER.key,
    }
    assert adapter.get_marker(first.id) == MARKER
    creates = [c for c in confluence_calls(site, "POST") if c["path"].endswith("/content")]
    assert len(creates) == 1


def test_ensure_page_never_overwrites_a_persons_edit(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Generated</p>", marker=MARKER)
    human_edit(site, ref.id, lambda body: body + "<p>Root cause: a person wrote this</p>")
    again = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Generated v2</p>", marker=MARKER)
    assert again.created is False
    assert wiki_pages.page_body(site.ctx, ref.id) == (
        "<p>Generated</p><p>Root cause: a person wrote this</p>"
    )
    assert not [c for c in confluence_calls(site, "PUT") if "/property/" not in c["path"]]


def test_parent_is_created_when_missing_and_reused(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    marker = PageMarker(kind="project_log", key="log:DS", issue=None)
    log = adapter.ensure_page(
        SPACE, "DS incident log", "<p>Log</p>", parent_title="Incident logs", marker=marker
    )
    parent = wiki_pages.find_page(site.ctx, SPACE, "Incident logs")
    assert parent is not None and parent["body"] == PARENT_BODY
    assert [lb["name"] for lb in parent["labels"]] == ["escalation-agent"]
    assert wiki_pages.require_page(site.ctx, log.id)["parentId"] == parent["id"]
    other = adapter.ensure_page(
        SPACE, "QA incident log", "<p>Log</p>", parent_title="Incident logs", marker=marker
    )
    assert wiki_pages.require_page(site.ctx, other.id)["parentId"] == parent["id"]
    titles = [p["title"] for p in wiki_pages.pages(site.ctx) if p["spaceKey"] == SPACE]
    assert titles.count("Incident logs") == 1
    by_id = adapter.ensure_page(SPACE, "Child", "<p>c</p>", parent_id=log.id)
    assert wiki_pages.require_page(site.ctx, by_id.id)["parentId"] == log.id


def test_a_page_a_person_deleted_is_created_again(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    first = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    wiki_pages.trash_page(site.ctx, first.id)
    assert adapter.find_page(SPACE, "DS-123 summary") is None
    second = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert second.created is True and second.id != first.id
    assert adapter.find_page_by_marker(SPACE, MARKER.key) == PageRef(second.id, "DS-123 summary")


def test_an_interrupted_creation_is_completed_with_labels_and_marker(
    site: SandboxHandle,
) -> None:
    # the agent created the page before a crash, but it has no labels and no marker yet
    # (on Data Center the agent signs in with a personal access token: the sandbox's admin)
    agent = ADMIN_EMAIL if site.ctx.deployment == "datacenter" else AGENT_EMAIL
    page = wiki_pages.create_page(
        site.ctx, SPACE, "DS-123 summary", "<p>Summary</p>", author_email=agent
    )
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>ignored</p>", marker=MARKER)
    assert (ref.id, ref.created) == (page["id"], False)
    assert adapter.get_marker(ref.id) == MARKER
    assert "incident_summary" in [
        lb["name"] for lb in wiki_pages.require_page(site.ctx, ref.id)["labels"]
    ]


# -- titles are unique regardless of case; look-ups are exact ---------------------------
def test_a_persons_page_holding_the_title_in_another_case_is_left_and_named(
    site: SandboxHandle,
) -> None:
    theirs = wiki_pages.create_page(
        site.ctx, SPACE, "ds-123 SUMMARY", "<p>Mine</p>", author_email=HUMAN
    )
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert ref.created is True and ref.displaced_by == "ds-123 SUMMARY"
    assert ref.title == "DS-123 summary (escalation-agent)"
    assert adapter.get_marker(ref.id) == MARKER
    assert wiki_pages.page_body(site.ctx, theirs["id"]) == "<p>Mine</p>"  # untouched
    assert wiki_pages.require_page(site.ctx, theirs["id"])["properties"] == []
    again = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert (again.id, again.created) == (ref.id, False)


def test_a_persons_page_with_the_exact_title_is_not_taken_over(site: SandboxHandle) -> None:
    theirs = wiki_pages.create_page(
        site.ctx, SPACE, "DS-123 summary", "<p>Mine</p>", author_email=HUMAN
    )
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert ref.id != theirs["id"] and ref.displaced_by == "DS-123 summary"
    assert adapter.get_marker(theirs["id"]) is None


def test_the_agents_own_page_in_another_case_is_adopted(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    older = adapter.ensure_page(SPACE, "DS-123 Summary", "<p>Summary</p>", marker=MARKER)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>Summary</p>", marker=MARKER)
    assert (ref.id, ref.created, ref.displaced_by) == (older.id, False, None)
    assert len([p for p in wiki_pages.pages(site.ctx) if "summary" in p["title"].lower()]) == 1


def test_a_log_page_is_whichever_page_holds_its_title(site: SandboxHandle) -> None:
    theirs = wiki_pages.create_page(
        site.ctx, SPACE, "ds incident LOG", "<p>Log</p>", author_email=HUMAN
    )
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS incident log", "<p>Log</p>", labels=["incident-log"])
    assert (ref.id, ref.created) == (theirs["id"], False)
    added = adapter.append_log_row(ref.id, "DS-1", row("DS-1"), header_titles=TITLES)
    assert added.added is True


def test_the_title_holder_is_found_by_its_words_or_by_listing_the_space(
    site: SandboxHandle,
) -> None:
    theirs = wiki_pages.create_page(site.ctx, SPACE, "Runbook: DB", "<p>x</p>", author_email=HUMAN)
    adapter, _ = adapter_for(site)
    # a title whose words CQL finds, and one the text search would not (only symbols)
    assert adapter.find_title_holder(SPACE, "runbook: db") == PageRef(theirs["id"], "Runbook: DB")
    symbols = wiki_pages.create_page(site.ctx, SPACE, "???", "<p>x</p>", author_email=HUMAN)
    assert adapter.find_title_holder(SPACE, "???") == PageRef(symbols["id"], "???")
    listings = [c for c in confluence_calls(site, "GET") if c["path"].endswith("/content")]
    assert listings  # the space was listed for the title CQL cannot search


def test_a_malformed_body_is_refused_before_anything_is_sent(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    with pytest.raises(StorageBodyError, match="not closed"):
        adapter.ensure_page(SPACE, "Broken", "<p>unclosed")
    assert not confluence_calls(site, "POST")


# -- markers: finding pages after the state file is lost ------------------------------------
def test_marker_lookup_finds_pages_after_the_state_is_lost(site: SandboxHandle) -> None:
    writer, _ = adapter_for(site)
    made = {}
    for number in range(1, 4):
        marker = PageMarker("incident_summary", f"page@DS-{number}", f"DS-{number}")
        made[marker.key] = writer.ensure_page(
            SPACE, f"DS-{number} summary", "<p>s</p>", marker=marker
        ).id
    # a person's page with the label but without (or with a foreign) marker does not confuse it
    stray = wiki_pages.create_page(site.ctx, SPACE, "Notes", "<p>n</p>", author_email=HUMAN)
    metadata.add_labels(site.ctx, stray["id"], ["escalation-agent"])
    metadata.set_property(site.ctx, stray["id"], AGENT_PROPERTY, "not a marker")

    fresh, _ = adapter_for(site)  # a new process with no state
    for key, page_id in made.items():
        found = fresh.find_page_by_marker(SPACE, key)
        assert found is not None and found.id == page_id
    narrowed = fresh.find_page_by_marker(SPACE, "page@DS-2", labels=["ds", "incident_summary"])
    assert narrowed is not None and narrowed.id == made["page@DS-2"]
    assert fresh.find_page_by_marker(SPACE, "page@DS-9") is None
    wiki_pages.create_space(site.ctx, "ELSE", "Elsewhere")
    assert fresh.find_page_by_marker("ELSE", "page@DS-1") is None


def test_marker_lookup_follows_next_links_past_the_first_result_page(
    site: SandboxHandle,
) -> None:
    total = SEARCH_PAGE_SIZE + 5
    for number in range(total):
        page = wiki_pages.create_page(site.ctx, SPACE, f"Summary {number}", "<p>s</p>")
        metadata.add_labels(site.ctx, page["id"], ["escalation-agent"])
        metadata.set_property(
            site.ctx, page["id"], AGENT_PROPERTY, {"kind": "k", "key": f"key-{number}"}
        )
    adapter, _ = adapter_for(site)
    found = adapter.find_page_by_marker(SPACE, f"key-{total - 1}")
    assert found is not None and found.title == f"Summary {total - 1}"
    searches = [c for c in confluence_calls(site, "GET") if c["path"].endswith("/content/search")]
    assert len(searches) == 2
    assert all(c["path"].startswith(expected_prefix(site)) for c in searches)
    assert "start=50" in searches[1]["query"]


def test_set_marker_updates_and_is_a_no_op_when_current(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    ref = adapter.ensure_page(SPACE, "DS-123 summary", "<p>s</p>", marker=MARKER)
    newer = PageMarker("incident_summary", "page@later", "DS-123")
    adapter.set_marker(ref.id, newer)
    adapter.set_marker(ref.id, newer)
    prop = next(p for p in wiki_pages.require_page(site.ctx, ref.id)["properties"])
    assert prop["value"]["key"] == "page@later" and prop["version"]["number"] == 2
    adapter.add_labels(ref.id, ["Weekly Digest", "ds"])
    names = [lb["name"] for lb in wiki_pages.require_page(site.ctx, ref.id)["labels"]]
    assert names.count("ds") == 1 and "weekly-digest" in names


# -- updating ----------------------------------------------------------------------------------
def test_update_page_checks_the_version_and_skips_an_unchanged_body(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    page_id = log_page(site)
    page = adapter.get_page(page_id)
    assert (page.version, page.title, page.space_key) == (1, "DS incident log", SPACE)
    assert adapter.update_page(page_id, "<p>new</p>", expected_version=1) == 2
    with pytest.raises(Conflict, match="version 2, not 1"):
        adapter.update_page(page_id, "<p>newer</p>", expected_version=1)
    site.clear_requests()
    assert adapter.update_page(page_id, "<p>new</p>") == 2
    assert not confluence_calls(site, "PUT")
    assert wiki_pages.page_body(site.ctx, page_id) == "<p>new</p>"


# -- log rows ------------------------------------------------------------------------------------
def test_a_row_appears_once_per_incident_across_repeated_calls(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    page_id = log_page(site)
    results = [adapter.append_log_row(page_id, "DS-1", row("DS-1"), header_titles=TITLES)]
    results += [adapter.append_log_row(page_id, "DS-1", row("DS-1"), header_titles=TITLES)]
    results += [adapter.append_log_row(page_id, "DS-2", row("DS-2"), header_titles=TITLES)]
    results += [adapter.append_log_row(page_id, "DS-1", row("DS-1"), header_titles=TITLES)]
    assert [(r.added, r.version) for r in results] == [(True, 2), (False, 2), (True, 3), (False, 3)]
    body = wiki_pages.page_body(site.ctx, page_id)
    assert body == (
        f"<p>Incident log</p><table><tbody>{HEADER}{row('DS-1')}{row('DS-2')}</tbody></table>"
    )
    assert body.count(">DS-1<") == 1


def test_a_human_edit_between_read_and_write_survives(site: SandboxHandle) -> None:
    adapter, caller = adapter_for(site)
    page_id = log_page(site)
    edit = "<p><strong>Ann:</strong> please keep this note 📝</p>"
    caller.after["read_page"] = [lambda: human_edit(site, page_id, lambda body: edit + body)]

    result = adapter.append_log_row(page_id, "DS-7", row("DS-7"), header_titles=TITLES)

    assert (result.added, result.attempts, result.version) == (True, 2, 3)
    body = wiki_pages.page_body(site.ctx, page_id)
    assert body.startswith(edit) and body.count(">DS-7<") == 1
    puts = [c["status"] for c in confluence_calls(site, "PUT")]
    assert puts == [409, 200]
    versions = wiki_pages.require_page(site.ctx, page_id)["versions"]
    assert [v["body"].startswith(edit) for v in versions] == [False, True]


def test_a_person_adding_the_same_row_meanwhile_is_respected(site: SandboxHandle) -> None:
    adapter, caller = adapter_for(site)
    page_id = log_page(site)
    by_hand = "<tr><td><p>DS-7 (added by hand)</p></td><td><p>x</p></td><td/></tr>"
    caller.after["read_page"] = [
        lambda: human_edit(site, page_id, lambda b: b.replace("</tbody>", by_hand + "</tbody>"))
    ]
    result = adapter.append_log_row(page_id, "DS-7", row("DS-7"), header_titles=TITLES)
    assert (result.added, result.attempts) == (False, 2)
    assert wiki_pages.page_body(site.ctx, page_id).count("DS-7") == 1


def test_a_page_that_keeps_changing_ends_in_a_conflict(site: SandboxHandle) -> None:
    adapter, caller = adapter_for(site)
    page_id = log_page(site)
    caller.after["read_page"] = [
        (lambda n=n: human_edit(site, page_id, lambda b: b + f"<p>edit {n}</p>"))
        for n in range(MAX_APPEND_ATTEMPTS)
    ]
    with pytest.raises(Conflict, match=f"after {MAX_APPEND_ATTEMPTS} attempts"):
        adapter.append_log_row(page_id, "DS-7", row("DS-7"), header_titles=TITLES)
    body = wiki_pages.page_body(site.ctx, page_id)
    assert "DS-7" not in body and f"<p>edit {MAX_APPEND_ATTEMPTS - 1}</p>" in body


def test_human_formatting_around_the_table_is_kept_byte_for_byte(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    before = (
        '<h2 style="text-align: center;">Incident log — DS 🚨</h2>\n'
        '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>'
        "<p>Keep rows sorted&nbsp;by date. <em>Thanks!</em></p></ac:rich-text-body>"
        "</ac:structured-macro>\n"
        '<table data-layout="full-width"><colgroup><col style="width: 120.0px;" /><col />'
        "<col /><col /></colgroup>\n<tbody>\n"
        "<tr><th><p>Key</p></th><th><p>Summary</p></th><th><p>Resolved</p></th>"
        "<th><p>Ann's notes</p></th></tr>\n"
        "<tr><td><p>DS-1</p></td><td><p><s>Login</s> Auth</p></td><td><p>2026-11-01</p></td>"
        '<td><p><ac:emoticon ac:name="tick" /> done</p></td></tr>\n'
        "</tbody></table>\n"
        '<p dir="rtl">ملاحظة بعد الجدول</p>'
    )
    page_id = log_page(site, before)
    result = adapter.append_log_row(page_id, "DS-2", row("DS-2"), header_titles=TITLES)
    assert result.added
    after = wiki_pages.page_body(site.ctx, page_id)
    inserted = "\n" + row("DS-2").replace("</tr>", "<td><p /></td></tr>")
    position = after.index(inserted)
    assert after[:position] + after[position + len(inserted) :] == before
    assert position == before.index("\n</tbody>")


def test_a_page_without_a_table_gets_one(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    page_id = log_page(site, "<p>The PM will fill this in.</p>")
    adapter.append_log_row(page_id, "DS-3", row("DS-3"), header_titles=TITLES)
    body = wiki_pages.page_body(site.ctx, page_id)
    assert (
        body
        == f"<p>The PM will fill this in.</p><table><tbody>{HEADER}{row('DS-3')}</tbody></table>"
    )
    again = adapter.append_log_row(page_id, "DS-3", row("DS-3"), header_titles=TITLES)
    assert again.added is False


def test_flaky_confluence_still_gets_each_row_exactly_once(site: SandboxHandle) -> None:
    page_id = log_page(site)
    waits: list[float] = []
    inner = ServiceCaller(
        "confluence",
        Redactor([TOKEN]),
        RetryBudget(10_000),
        sleep=waits.append,
        max_attempts=12,
        rng=random.Random(7),
    )
    adapter = build_confluence_adapter(settings_for(site), inner)
    site.control("POST", "faults", {"rate": 0.4, "statuses": [500, 503], "seed": 11})
    keys = [f"DS-{n}" for n in range(1, 7)]
    for _ in range(2):
        for key in keys:
            adapter.append_log_row(page_id, key, row(key), header_titles=TITLES)
    injected = site.control("GET", "faults")["injected"]
    site.control("DELETE", "faults")

    assert injected > 0 and waits  # faults happened and were retried
    body = wiki_pages.page_body(site.ctx, page_id)
    assert [body.count(f">{key}<") for key in keys] == [1] * len(keys)
    assert body == (
        f"<p>Incident log</p><table><tbody>{HEADER}"
        + "".join(row(key) for key in keys)
        + "</tbody></table>"
    )


def test_appending_to_a_deleted_page_is_not_found(site: SandboxHandle) -> None:
    adapter, _ = adapter_for(site)
    page_id = log_page(site)
    wiki_pages.trash_page(site.ctx, page_id)
    with pytest.raises(NotFound):
        adapter.append_log_row(page_id, "DS-3", row("DS-3"), header_titles=TITLES)
