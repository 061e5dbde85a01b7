"""The sandbox's Confluence v1 through the real atlassian-python-api ConfluenceServer (5.0.5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from atlassian.errors import ApiError as AtlassianApiError
from atlassian.errors import ApiValueError
from requests import HTTPError

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle


@pytest.fixture
def wiki(sandbox: SandboxHandle) -> Any:
    """A ConfluenceServer client on /wiki with one space ``OPS``."""
    sandbox.set_clock("2026-11-02T09:00:00+00:00")
    wiki_pages.create_space(sandbox.ctx, "OPS", "Operations")
    return sandbox.confluence()


@pytest.fixture
def wiki_dc(sandbox_dc: SandboxHandle) -> Any:
    """A ConfluenceServer client on a Data Center site (REST at the root), one space ``OPS``.

    atlassian-python-api 5.x follows ``_links.next`` from the site root, which is
    right on Data Center only: the paging tests run there (see the Cloud test below).
    """
    sandbox_dc.set_clock("2026-11-02T09:00:00+00:00")
    wiki_pages.create_space(sandbox_dc.ctx, "OPS", "Operations")
    return sandbox_dc.confluence()


def _calls(sandbox: SandboxHandle) -> list[tuple[str, str]]:
    return [(e["method"], e["path"]) for e in sandbox.requests_log()]


def test_get_space_has_id_key_type_and_homepage(wiki: Any) -> None:
    space = wiki.get_space("OPS")
    assert space["key"] == "OPS"
    assert space["name"] == "Operations"
    assert space["type"] == "global"
    assert isinstance(space["id"], int)
    assert space["homepage"]["title"] == "Operations Home"
    assert space["_links"]["self"].endswith("/wiki/rest/api/space/OPS")


def test_missing_space_is_a_404_in_confluence_shape(wiki: Any) -> None:
    with pytest.raises(AtlassianApiError) as caught:
        wiki.get_space("NOPE")
    response = caught.value.reason.response
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404
    assert "NOPE" in response.json()["message"]


def test_create_space_through_the_client(sandbox: SandboxHandle) -> None:
    client = sandbox.confluence()
    created = client.create_space("INC", "Incidents")
    assert created["key"] == "INC"
    assert client.get_space("INC")["name"] == "Incidents"
    listed = client.get_all_spaces()
    assert [s["key"] for s in listed["results"]] == ["INC"]


def test_create_then_get_by_title_returns_the_exact_body(sandbox: SandboxHandle, wiki: Any) -> None:
    body = '<p>Sev&nbsp;1 &mdash; see <ac:link><ri:page ri:content-title="Runbook" /></ac:link></p>'
    created = wiki.create_page("OPS", "Incident 42", body)
    assert created["version"]["number"] == 1
    assert created["version"]["when"] == "2026-11-02T09:00:00.000Z"
    assert created["history"]["createdBy"]["email"] == AGENT_EMAIL
    found = wiki.get_page_by_title("OPS", "Incident 42", expand="body.storage,version")
    assert found["size"] == 1
    page = found["results"][0]
    assert page["id"] == created["id"]
    assert page["body"]["storage"] == {
        "value": body,
        "representation": "storage",
        "embeddedContent": [],
        "_expandable": {"content": f"/rest/api/content/{created['id']}"},
    }
    assert wiki.get_page_by_title("OPS", "incident 42")["results"] == []  # exact title match


def test_create_page_under_a_parent_and_list_children(wiki: Any) -> None:
    parent = wiki.create_page("OPS", "Incidents", "<p>all</p>")
    first = wiki.create_page("OPS", "INC-1", "<p>1</p>", parent_id=parent["id"])
    second = wiki.create_page("OPS", "INC-2", "<p>2</p>", parent_id=parent["id"])
    kids = list(wiki.get_page_child_by_type(parent["id"], type="page"))
    assert [k["id"] for k in kids] == [first["id"], second["id"]]
    page = wiki.get_page_by_id(second["id"], expand="ancestors")
    assert [a["id"] for a in page["ancestors"]] == [parent["id"]]
    assert wiki.get_parent_content_id(second["id"]) == parent["id"]
    assert wiki.get_page_child_count(parent["id"]) == 2


def test_update_page_does_three_gets_then_a_put_and_bumps_the_version(
    sandbox: SandboxHandle, wiki: Any
) -> None:
    page = wiki.create_page("OPS", "Status", "<p>open</p>")
    sandbox.set_clock("2026-11-02T10:30:00+00:00")
    sandbox.clear_requests()
    updated = wiki.update_page(page["id"], "Status", "<p>resolved</p>")
    assert updated["version"]["number"] == 2
    assert updated["version"]["when"] == "2026-11-02T10:30:00.000Z"
    assert updated["body"]["storage"]["value"] == "<p>resolved</p>"
    content = f"/wiki/rest/api/content/{page['id']}"
    assert _calls(sandbox) == [
        ("GET", content),
        ("GET", content),
        ("GET", f"{content}/history"),
        ("PUT", content),
    ]
    # unchanged body: the client skips the PUT
    sandbox.clear_requests()
    wiki.update_page(page["id"], "Status", "<p>resolved</p>")
    assert ("PUT", content) not in _calls(sandbox)
    assert wiki_pages.get_page(sandbox.ctx, page["id"])["version"]["number"] == 2


def test_get_page_by_id_defaults_and_status_any(sandbox: SandboxHandle, wiki: Any) -> None:
    page = wiki.create_page("OPS", "Gone soon", "<p>x</p>")
    fetched = wiki.get_page_by_id(page["id"])
    assert {"space", "history", "version"} <= set(fetched)
    assert "body" not in fetched and "body" in fetched["_expandable"]
    assert wiki.remove_page(page["id"]) == 204
    with pytest.raises(AtlassianApiError):
        wiki.get_page_by_id(page["id"])
    trashed = wiki.get_page_by_id(page["id"], status="any")
    assert trashed["status"] == "trashed"


def test_history_reports_creator_and_last_update(sandbox: SandboxHandle, wiki: Any) -> None:
    page = wiki.create_page("OPS", "Timeline", "<p>v1</p>")
    sandbox.add_user("Dana Human", "dana@sandbox.example")
    sandbox.set_clock(datetime(2026, 11, 2, 11, 0, tzinfo=UTC))
    wiki_pages.update_page(
        sandbox.ctx, page["id"], 2, storage_body="<p>v2</p>", author_email="dana@sandbox.example"
    )
    history = wiki.history(page["id"])
    assert history["latest"] is True
    assert history["createdBy"]["email"] == AGENT_EMAIL
    assert history["createdDate"] == "2026-11-02T09:00:00.000Z"
    assert history["lastUpdated"]["number"] == 2
    assert history["lastUpdated"]["by"]["displayName"] == "Dana Human"
    assert history["lastUpdated"]["when"] == "2026-11-02T11:00:00.000Z"
    assert history["previousVersion"]["number"] == 1


def test_labels_set_get_and_remove(wiki: Any) -> None:
    page = wiki.create_page("OPS", "Labelled", "<p>x</p>")
    wiki.set_page_label(page["id"], "Incident")
    wiki.set_page_label(page["id"], "sev1")
    labels = wiki.get_page_labels(page["id"])
    assert [(lb["prefix"], lb["name"]) for lb in labels["results"]] == [
        ("global", "incident"),
        ("global", "sev1"),
    ]
    assert labels["size"] == 2
    wiki.remove_page_label(page["id"], "sev1")
    assert [lb["name"] for lb in wiki.get_page_labels(page["id"])["results"]] == ["incident"]
    with pytest.raises(AtlassianApiError):
        wiki.remove_page_label(page["id"], "never-there")


def test_content_properties_lifecycle(wiki: Any) -> None:
    page = wiki.create_page("OPS", "With state", "<p>x</p>")
    created = wiki.set_page_property(page["id"], {"key": "agent-state", "value": {"step": 1}})
    assert created["version"]["number"] == 1
    updated = wiki.update_page_property(
        page["id"], {"key": "agent-state", "value": {"step": 2}, "version": {"number": 2}}
    )
    assert updated["value"] == {"step": 2}
    assert updated["version"]["number"] == 2
    assert wiki.get_page_property(page["id"], "agent-state")["value"] == {"step": 2}
    assert [p["key"] for p in wiki.get_page_properties(page["id"])] == ["agent-state"]
    with pytest.raises(AtlassianApiError) as stale:
        wiki.update_page_property(
            page["id"], {"key": "agent-state", "value": {"step": 3}, "version": {"number": 2}}
        )
    assert stale.value.reason.response.status_code == 409
    with pytest.raises(AtlassianApiError):  # the key exists already
        wiki.set_page_property(page["id"], {"key": "agent-state", "value": {"step": 0}})
    wiki.delete_page_property(page["id"], "agent-state")
    assert wiki.get_page_properties(page["id"]) == []
    with pytest.raises(AtlassianApiError):
        wiki.get_page_property(page["id"], "agent-state")


def test_properties_page_through_many(sandbox_dc: SandboxHandle, wiki_dc: Any) -> None:
    page = wiki_dc.create_page("OPS", "Many props", "<p>x</p>")
    for n in range(23):
        metadata.set_property(sandbox_dc.ctx, page["id"], f"k{n:02d}", {"n": n})
    props = wiki_dc.get_page_properties(page["id"], limit=10)
    assert [p["value"]["n"] for p in props] == list(range(23))


def test_cql_through_the_client_and_trash_leaves_search(wiki: Any) -> None:
    keep = wiki.create_page("OPS", "Postmortem alpha", "<p>root cause</p>")
    drop = wiki.create_page("OPS", "Postmortem beta", "<p>root cause</p>")
    wiki.set_page_label(keep["id"], "postmortem")
    wiki.set_page_label(drop["id"], "postmortem")
    result = wiki.cql("space = OPS AND label = postmortem ORDER BY title DESC", limit=10)
    assert [r["content"]["id"] for r in result["results"]] == [drop["id"], keep["id"]]
    assert result["totalSize"] == 2
    assert result["results"][0]["title"] == "Postmortem beta"
    assert result["results"][0]["url"].startswith("/spaces/OPS/pages/")
    wiki.remove_page(drop["id"])
    after = wiki.cql("label = postmortem")
    assert [r["content"]["id"] for r in after["results"]] == [keep["id"]]
    with pytest.raises(ApiValueError) as bad:
        wiki.cql("label = = postmortem")
    assert bad.value.reason.response.status_code == 400
    assert (
        bad.value.reason.response.json()["message"] == "Could not parse cql : label = = postmortem"
    )


def test_cql_all_follows_next_links(sandbox_dc: SandboxHandle, wiki_dc: Any) -> None:
    for n in range(7):
        wiki_pages.create_page(sandbox_dc.ctx, "OPS", f"Bulk {n}", "<p>x</p>")
    titles = [r["title"] for r in wiki_dc.cql_all('title ~ "bulk"', limit=3)]
    assert titles == [f"Bulk {n}" for n in range(7)]


def test_on_cloud_next_links_are_relative_to_wiki_as_confluence_gives_them(
    sandbox: SandboxHandle, wiki: Any
) -> None:
    """Cloud's ``_links.next`` is relative to ``_links.base`` (``.../wiki``). The client
    library requests it from the site root, where Cloud has no Confluence: a 404 (the
    agent's adapter follows the links itself, from ``/wiki``)."""
    for n in range(4):
        wiki_pages.create_page(sandbox.ctx, "OPS", f"Bulk {n}", "<p>x</p>")
    first = wiki.cql('title ~ "bulk"', limit=3)
    assert first["_links"]["next"].startswith("/rest/api/search?")
    assert first["_links"]["base"] == f"{sandbox.base}/wiki"
    with pytest.raises((HTTPError, AtlassianApiError)):
        list(wiki.cql_all('title ~ "bulk"', limit=3))


def test_remove_page_then_purge_from_trash(sandbox: SandboxHandle, wiki: Any) -> None:
    page = wiki.create_page("OPS", "Temp", "<p>x</p>")
    assert wiki.remove_page(page["id"]) == 204
    assert wiki_pages.get_page(sandbox.ctx, page["id"])["status"] == "trashed"
    assert wiki.remove_page(page["id"], status="trashed") == 204
    assert wiki_pages.get_page(sandbox.ctx, page["id"]) is None
    # the title is free again
    assert wiki.create_page("OPS", "Temp", "<p>again</p>")["title"] == "Temp"


def test_duplicate_title_in_a_space_is_refused(wiki: Any) -> None:
    wiki.create_page("OPS", "Runbook", "<p>x</p>")
    with pytest.raises(HTTPError) as caught:
        wiki.create_page("OPS", "Runbook", "<p>y</p>")
    assert caught.value.response.status_code == 400
    assert "A page with this title already exists" in caught.value.response.json()["message"]


def test_update_page_refused_when_storage_is_malformed(wiki: Any) -> None:
    page = wiki.create_page("OPS", "Fragile", "<p>ok</p>")
    with pytest.raises(Exception, match="Confluence rejected the page update") as caught:
        wiki.update_page(page["id"], "Fragile", "<p>broken")
    assert caught.value.reason.response.status_code == 400
    assert wiki.get_page_by_id(page["id"])["version"]["number"] == 1


def test_all_page_versions_newest_first(sandbox_dc: SandboxHandle, wiki_dc: Any) -> None:
    page = wiki_dc.create_page("OPS", "Versioned", "<p>1</p>")
    for number in (2, 3):
        sandbox_dc.set_clock(f"2026-11-02T1{number}:00:00+00:00")
        wiki_pages.update_page(sandbox_dc.ctx, page["id"], number, storage_body=f"<p>{number}</p>")
    versions = wiki_dc.get_all_page_versions(page["id"], limit=2)
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert versions[0]["when"] == "2026-11-02T13:00:00.000Z"
    old = wiki_dc.get_page_by_id(page["id"], expand="body.storage", version=2)
    assert old["body"]["storage"]["value"] == "<p>2</p>"
    assert old["status"] == "historical"


def test_emoji_rtl_and_jira_macro_round_trip_through_the_client(wiki: Any) -> None:
    body = (
        '<p>🔥 Sev1 — <ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">'
        'OPS-7</ac:parameter></ac:structured-macro></p><p dir="rtl">שלום مرحبا</p>'
    )
    page = wiki.create_page("OPS", "Unicode ✅", body)
    fetched = wiki.get_page_by_id(page["id"], expand="body.storage")
    assert fetched["title"] == "Unicode ✅"
    assert fetched["body"]["storage"]["value"] == body
