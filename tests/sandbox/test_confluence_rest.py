"""The sandbox's Confluence v1 over raw HTTP: conflicts, storage checks, paging, DC paths."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

JIRA_MACRO = (
    '<ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="5f0c">'
    '<ac:parameter ac:name="key">OPS-17</ac:parameter>'
    '<ac:parameter ac:name="server">System JIRA</ac:parameter></ac:structured-macro>'
)
TABLE = (
    "<table><tbody><tr><th><p>Owner</p></th><th><p>Status</p></th></tr>"
    "<tr><td><p>Dana</p></td><td><p>&nbsp;open &ndash; waiting</p></td></tr></tbody></table>"
)
CODE_MACRO = (
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">bash</ac:parameter>'
    "<ac:plain-text-body><![CDATA[if [ $a -lt 3 ] && echo '<ok>'; then :; fi]]>"
    "</ac:plain-text-body></ac:structured-macro><!-- kept -->"
    '<ac:image><ri:attachment ri:filename="graph.png" /></ac:image><p>a<br />b</p>'
)
EMOJI_RTL = '<p>🔥 Sev1 🚨 — status: ✅</p><p dir="rtl">שלום עולם مرحبا بالعالم</p>'


class Wiki:
    """Raw HTTP against the sandbox's Confluence, as the agent's own code might send it."""

    def __init__(self, sandbox: SandboxHandle, root: str = "/wiki/rest/api") -> None:
        self.url = f"{sandbox.base}{root}"
        self.auth = (AGENT_EMAIL, sandbox.token)
        self.session = requests.Session()
        self.session.auth = self.auth

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.url}/{path}", params=params, timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(f"{self.url}/{path}", json=body, timeout=10)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(f"{self.url}/{path}", json=body, timeout=10)

    def delete(self, path: str, **params: Any) -> requests.Response:
        return self.session.delete(f"{self.url}/{path}", params=params, timeout=10)

    def create(self, title: str, body: str, space: str = "OPS", **extra: Any) -> requests.Response:
        payload = {
            "type": "page",
            "title": title,
            "space": {"key": space},
            "body": {"storage": {"value": body, "representation": "storage"}},
            **extra,
        }
        return self.post("content", payload)

    def update(
        self, page_id: str, number: int, body: str, title: str = "Page"
    ) -> requests.Response:
        payload = {
            "type": "page",
            "title": title,
            "version": {"number": number},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        return self.put(f"content/{page_id}", payload)


@pytest.fixture
def wiki(sandbox: SandboxHandle) -> Wiki:
    sandbox.set_clock("2026-11-02T09:00:00+00:00")
    wiki_pages.create_space(sandbox.ctx, "OPS", "Operations")
    return Wiki(sandbox)


# -- versions and conflicts -------------------------------------------------------
def test_stale_or_equal_version_gets_409(sandbox: SandboxHandle, wiki: Wiki) -> None:
    page = wiki.create("Page", "<p>v1</p>").json()
    assert wiki.update(page["id"], 2, "<p>agent</p>").status_code == 200
    # a human edits between the agent's read and its write
    wiki_pages.update_page(sandbox.ctx, page["id"], 3, storage_body="<p>human</p>")
    stale = wiki.update(page["id"], 3, "<p>agent again</p>")
    assert stale.status_code == 409
    assert stale.json()["statusCode"] == 409
    assert stale.json()["message"] == (
        "Version must be incremented on update. Current version is: 3"
    )
    equal = wiki.update(page["id"], 3, "<p>agent again</p>")
    assert equal.status_code == 409
    assert wiki_pages.page_body(sandbox.ctx, page["id"]) == "<p>human</p>"
    skipped = wiki.update(page["id"], 9, "<p>too far</p>")
    assert skipped.status_code == 409
    assert wiki.update(page["id"], 4, "<p>agent</p>").json()["version"]["number"] == 4


def test_concurrent_writers_with_the_same_version_get_one_winner(
    sandbox: SandboxHandle, wiki: Wiki
) -> None:
    page = wiki.create("Contended", "<p>v1</p>").json()
    writers = [Wiki(sandbox) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(
            pool.map(
                lambda pair: (
                    pair[1].update(page["id"], 2, f"<p>{pair[0]}</p>", "Contended").status_code
                ),
                enumerate(writers),
            )
        )
    assert sorted(statuses) == [200, 409, 409, 409, 409, 409]
    assert wiki_pages.get_page(sandbox.ctx, page["id"])["version"]["number"] == 2


def test_update_changes_title_and_parent(sandbox: SandboxHandle, wiki: Wiki) -> None:
    parent = wiki.create("Parent", "<p>p</p>").json()
    page = wiki.create("Page", "<p>v1</p>").json()
    moved = wiki.put(
        f"content/{page['id']}",
        {
            "type": "page",
            "title": "Renamed",
            "version": {"number": 2, "message": "moved"},
            "ancestors": [{"id": parent["id"]}],
        },
    ).json()
    assert moved["title"] == "Renamed"
    assert [a["id"] for a in moved["ancestors"]] == [parent["id"]]
    assert moved["body"]["storage"]["value"] == "<p>v1</p>"  # no body sent: body kept
    assert moved["version"]["message"] == "moved"
    old = wiki.get(f"content/{page['id']}", version=1, expand="body.storage").json()
    assert old["status"] == "historical"
    assert old["title"] == "Page"


def test_update_cannot_move_a_page_to_another_space(sandbox: SandboxHandle, wiki: Wiki) -> None:
    wiki_pages.create_space(sandbox.ctx, "DEV", "Development")
    page = wiki.create("Page", "<p>v1</p>").json()
    response = wiki.put(
        f"content/{page['id']}",
        {"type": "page", "title": "Page", "space": {"key": "DEV"}, "version": {"number": 2}},
    )
    assert response.status_code == 400
    assert response.json()["message"] == "You can't change an existing page's space."


@pytest.mark.no_spec_check
def test_update_without_version_is_a_400(wiki: Wiki) -> None:
    page = wiki.create("Page", "<p>v1</p>").json()
    response = wiki.put(f"content/{page['id']}", {"type": "page", "title": "Page"})
    assert response.status_code == 400
    assert "version.number" in response.json()["message"]


def test_missing_content_is_a_404(wiki: Wiki) -> None:
    response = wiki.get("content/999999")
    assert response.status_code == 404
    assert response.json()["statusCode"] == 404
    assert wiki.update("999999", 2, "<p>x</p>").status_code == 404


def test_creating_in_a_missing_space_is_a_403_like_cloud(wiki: Wiki) -> None:
    response = wiki.create("Page", "<p>x</p>", space="NOPE")
    assert response.status_code == 403
    assert response.json()["message"] == "No space with key : NOPE"


def test_duplicate_title_is_per_space(sandbox: SandboxHandle, wiki: Wiki) -> None:
    wiki_pages.create_space(sandbox.ctx, "DEV", "Development")
    assert wiki.create("Shared title", "<p>a</p>").status_code == 200
    assert wiki.create("Shared title", "<p>b</p>", space="DEV").status_code == 200
    again = wiki.create("Shared title", "<p>c</p>")
    assert again.status_code == 400
    assert again.json()["message"].startswith("A page with this title already exists")
    second = wiki.create("Second", "<p>d</p>").json()
    renamed = wiki.update(second["id"], 2, "<p>d</p>", title="Shared title")
    assert renamed.status_code == 400


# -- storage format -----------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        JIRA_MACRO,
        TABLE,
        EMOJI_RTL,
        CODE_MACRO,
        "",
        "<p>plain &amp; simple &lt;x&gt; &#169; &copy;</p>",
    ],
    ids=["jira-macro", "table", "emoji-rtl", "code-cdata-image", "empty", "entities"],
)
def test_storage_round_trips_byte_for_byte(wiki: Wiki, body: str) -> None:
    created = wiki.create("Round trip", body)
    assert created.status_code == 200
    page_id = created.json()["id"]
    fetched = wiki.get(f"content/{page_id}", expand="body.storage")
    assert fetched.json()["body"]["storage"]["value"] == body
    raw = fetched.content.decode("utf-8")
    assert raw.count("Round trip") == 1
    updated = wiki.update(page_id, 2, body + "<p>more</p>", title="Round trip")
    assert updated.json()["body"]["storage"]["value"] == body + "<p>more</p>"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("<p>unclosed <b>bold</p>", "Unexpected close tag </p>; expected </b>"),
        ("<p>no end", "was expecting a close tag for element <p>"),
        ("<p>x</p></div>", "Unexpected close tag </div>"),
        ('<foo:widget foo:name="x"/>', "Namespace prefix foo"),
        ("<p>&bogus;</p>", "Entity 'bogus' not defined"),
        ("<p>fish & chips</p>", "xmlParseEntityRef"),
    ],
    ids=[
        "unclosed",
        "truncated",
        "stray-close",
        "unknown-prefix",
        "unknown-entity",
        "bare-ampersand",
    ],
)
def test_malformed_storage_is_a_400(wiki: Wiki, body: str, detail: str) -> None:
    response = wiki.create("Broken", body)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Error parsing xhtml: ")
    assert detail in message


def test_doctype_with_external_entity_is_refused_and_never_resolved(
    tmp_path: Any, wiki: Wiki
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    body = f'<!DOCTYPE p [<!ENTITY xxe SYSTEM "file://{secret}">]><p>&xxe;</p>'
    response = wiki.create("XXE", body)
    assert response.status_code == 400
    assert response.json()["message"].startswith("Error parsing xhtml: ")
    assert "TOP-SECRET-CONTENT" not in response.text
    assert wiki.get("content", spaceKey="OPS", title="XXE").json()["results"] == []


def test_representation_other_than_storage_is_refused(wiki: Wiki) -> None:
    response = wiki.post(
        "content",
        {
            "type": "page",
            "title": "Wiki markup",
            "space": {"key": "OPS"},
            "body": {"wiki": {"value": "h1. Title", "representation": "wiki"}},
        },
    )
    assert response.status_code == 400
    assert "storage" in response.json()["message"]


# -- listing and paging -------------------------------------------------------------
def test_content_list_pages_with_next_links(sandbox: SandboxHandle, wiki: Wiki) -> None:
    for n in range(5):
        wiki_pages.create_page(sandbox.ctx, "OPS", f"Page {n}", "<p>x</p>")
    first = wiki.get("content", spaceKey="OPS", type="page", limit=2).json()
    assert [r["title"] for r in first["results"]] == ["Operations Home", "Page 0"]
    assert (first["start"], first["limit"], first["size"]) == (0, 2, 2)
    assert first["_links"]["next"].startswith("/rest/api/content?")
    assert "start=2" in first["_links"]["next"]
    seen = []
    url: str | None = f"{wiki.url}/content?spaceKey=OPS&limit=2"
    while url:
        answer = wiki.session.get(url, timeout=10).json()
        seen += [r["title"] for r in answer["results"]]
        nxt = answer["_links"].get("next")
        url = f"{answer['_links']['base']}{nxt}" if nxt else None
    assert seen == ["Operations Home"] + [f"Page {n}" for n in range(5)]


@pytest.mark.no_spec_check
def test_bad_paging_parameters_are_400(wiki: Wiki) -> None:
    response = wiki.get("content", spaceKey="OPS", start="abc")
    assert response.status_code == 400
    assert "start" in response.json()["message"]


def test_space_list_filters_by_key(sandbox: SandboxHandle, wiki: Wiki) -> None:
    wiki_pages.create_space(sandbox.ctx, "DEV", "Development")
    answer = wiki.get("space", spaceKey="DEV").json()
    assert [s["key"] for s in answer["results"]] == ["DEV"]
    assert {"results", "start", "limit", "size", "_links"} <= set(answer)
    both = wiki.get("space").json()
    assert [s["key"] for s in both["results"]] == ["OPS", "DEV"]


def test_create_space_with_description_over_rest(wiki: Wiki) -> None:
    response = wiki.post(
        "space",
        {
            "key": "SEC",
            "name": "Security",
            "description": {"plain": {"value": "Sec team", "representation": "plain"}},
        },
    )
    assert response.status_code == 200
    assert response.json()["description"]["plain"]["value"] == "Sec team"
    assert wiki.post("space", {"key": "SEC", "name": "Again"}).status_code == 400


# -- children, descendants, trash -----------------------------------------------------
def test_child_and_descendant_endpoints(sandbox: SandboxHandle, wiki: Wiki) -> None:
    ctx = sandbox.ctx
    root = wiki_pages.create_page(ctx, "OPS", "Root", "<p>r</p>")
    kid = wiki_pages.create_page(ctx, "OPS", "Kid", "<p>k</p>", parent_id=root["id"])
    grandkid = wiki_pages.create_page(ctx, "OPS", "Grandkid", "<p>g</p>", parent_id=kid["id"])
    child = wiki.get(f"content/{root['id']}/child", expand="page").json()
    assert [p["id"] for p in child["page"]["results"]] == [kid["id"]]
    assert "attachment" in child["_expandable"]
    typed = wiki.get(f"content/{root['id']}/child/page").json()
    assert [p["id"] for p in typed["results"]] == [kid["id"]]
    descendants = wiki.get(f"content/{root['id']}/descendant/page").json()
    assert [p["id"] for p in descendants["results"]] == [kid["id"], grandkid["id"]]
    expanded = wiki.get(f"content/{root['id']}", expand="children.page").json()
    assert expanded["children"]["page"]["size"] == 1


@pytest.mark.no_spec_check
def test_unknown_child_type_is_a_400(sandbox: SandboxHandle, wiki: Wiki) -> None:
    root = wiki_pages.create_page(sandbox.ctx, "OPS", "Root", "<p>r</p>")
    response = wiki.get(f"content/{root['id']}/child/blogpost")
    assert response.status_code == 400
    assert "blogpost" in response.json()["message"]


def test_trashing_a_parent_moves_children_up(sandbox: SandboxHandle, wiki: Wiki) -> None:
    ctx = sandbox.ctx
    root = wiki_pages.create_page(ctx, "OPS", "Root", "<p>r</p>")
    kid = wiki_pages.create_page(ctx, "OPS", "Kid", "<p>k</p>", parent_id=root["id"])
    assert wiki.delete(f"content/{root['id']}").status_code == 204
    assert wiki_pages.get_page(ctx, kid["id"])["parentId"] is None
    assert wiki.get(f"content/{root['id']}").status_code == 404
    trashed = wiki.get(f"content/{root['id']}", status="trashed").json()
    assert trashed["status"] == "trashed"
    assert wiki.get("content", spaceKey="OPS", title="Root").json()["results"] == []
    listed = wiki.get("content", spaceKey="OPS", title="Root", status="trashed").json()
    assert [r["id"] for r in listed["results"]] == [root["id"]]
    # purge needs status=trashed; a second purge is a 404
    assert wiki.delete(f"content/{root['id']}", status="trashed").status_code == 204
    assert wiki.delete(f"content/{root['id']}", status="trashed").status_code == 404


def test_restore_from_trash_with_put_status_current(sandbox: SandboxHandle, wiki: Wiki) -> None:
    page = wiki.create("Comeback", "<p>x</p>").json()
    wiki.delete(f"content/{page['id']}")
    restored = wiki.put(
        f"content/{page['id']}",
        {"type": "page", "title": "Comeback", "status": "current", "version": {"number": 2}},
    )
    assert restored.status_code == 200
    assert restored.json()["status"] == "current"


# -- labels and properties over raw HTTP ------------------------------------------------
def test_labels_post_list_and_delete_by_path(sandbox: SandboxHandle, wiki: Wiki) -> None:
    page = wiki.create("Labels", "<p>x</p>").json()
    added = wiki.post(
        f"content/{page['id']}/label",
        [{"prefix": "global", "name": "sev1"}, {"prefix": "global", "name": "Escalated"}],
    )
    assert added.status_code == 200
    assert [lb["name"] for lb in added.json()["results"]] == ["sev1", "escalated"]
    assert wiki.delete(f"content/{page['id']}/label/sev1").status_code == 204
    assert wiki.delete(f"content/{page['id']}/label", name="escalated").status_code == 204
    assert wiki.get(f"content/{page['id']}/label").json()["results"] == []
    metadata.add_labels(sandbox.ctx, page["id"], [f"l{n}" for n in range(5)])
    paged = wiki.get(f"content/{page['id']}/label", limit=2).json()
    assert [lb["name"] for lb in paged["results"]] == ["l0", "l1"]
    assert "start=2" in paged["_links"]["next"]
    bad = wiki.post(f"content/{page['id']}/label", [{"prefix": "global", "name": "has space"}])
    assert bad.status_code == 400


def test_property_put_creates_at_version_1_and_409s_when_stale(wiki: Wiki) -> None:
    page = wiki.create("Props", "<p>x</p>").json()
    path = f"content/{page['id']}/property/agent"
    created = wiki.put(path, {"key": "agent", "value": {"n": 1}, "version": {"number": 1}})
    assert created.status_code == 200
    assert created.json()["version"]["number"] == 1
    stale = wiki.put(path, {"key": "agent", "value": {"n": 2}, "version": {"number": 1}})
    assert stale.status_code == 409
    assert "Current version is: 1" in stale.json()["message"]
    assert wiki.put(path, {"value": {"n": 2}, "version": {"number": 2}}).status_code == 200
    assert wiki.get(path).json()["value"] == {"n": 2}
    assert wiki.get(f"content/{page['id']}/property/missing").status_code == 404


@pytest.mark.no_spec_check
def test_property_value_must_be_a_value_the_v1_api_accepts(wiki: Wiki) -> None:
    page = wiki.create("Props", "<p>x</p>").json()
    response = wiki.post(f"content/{page['id']}/property", {"key": "n", "value": 3})
    assert response.status_code == 400
    assert "value" in response.json()["message"]


# -- Data Center paths ------------------------------------------------------------------
def test_data_center_serves_confluence_at_its_root_and_names_people_by_username(
    sandbox_dc: SandboxHandle,
) -> None:
    wiki_pages.create_space(sandbox_dc.ctx, "OPS", "Operations")
    dc = Wiki(sandbox_dc, root="/rest/api")
    created = dc.create("From DC", JIRA_MACRO)
    assert created.status_code == 200
    page = created.json()
    assert page["_links"]["self"] == f"{sandbox_dc.base}/rest/api/content/{page['id']}"
    assert dc.get("space/OPS").json()["key"] == "OPS"
    found = dc.get("content/search", cql='title = "From DC"').json()
    assert [r["id"] for r in found["results"]] == [page["id"]]
    assert dc.get("search", cql="space = OPS").json()["totalSize"] == 2
    author = page["version"]["by"]
    assert author["username"] and author["userKey"]
    assert "accountId" not in author  # Data Center has no account ids
    # no /wiki and no REST v2 on a Data Center site
    for path in ("/wiki/rest/api/space/OPS", "/wiki/api/v2/pages"):
        answer = requests.get(f"{sandbox_dc.base}{path}", auth=dc.auth, timeout=10)
        assert answer.status_code == 404, path


def test_cloud_serves_confluence_only_under_wiki(sandbox: SandboxHandle, wiki: Wiki) -> None:
    page = wiki.create("On Cloud", JIRA_MACRO).json()
    assert "accountId" in page["version"]["by"] and "username" not in page["version"]["by"]
    for path in ("/rest/api/space/OPS", f"/rest/api/content/{page['id']}"):
        answer = requests.get(f"{sandbox.base}{path}", auth=wiki.auth, timeout=10)
        assert answer.status_code == 404, path
        assert "errorMessages" in answer.json()  # the site root is Jira's


def test_seeding_api_helpers(sandbox: SandboxHandle) -> None:
    ctx = sandbox.ctx
    space = wiki_pages.create_space(ctx, "SEED", "Seeded")
    page = wiki_pages.create_page(
        ctx, "SEED", "Seeded page", TABLE, author_email="erin@sandbox.example"
    )
    assert wiki_pages.find_page(ctx, "SEED", "Seeded page")["id"] == page["id"]
    assert wiki_pages.find_page(ctx, "SEED", "Nope") is None
    assert wiki_pages.page_body(ctx, page["id"]) == TABLE
    labels = metadata.add_labels(ctx, page["id"], ["Ops", "ops", "sev2"])
    assert [lb["name"] for lb in labels] == ["ops", "sev2"]
    assert metadata.set_property(ctx, page["id"], "state", {"a": 1})["version"]["number"] == 1
    again = metadata.set_property(ctx, page["id"], "state", {"a": 2})
    assert (again["version"]["number"], again["value"]) == (2, {"a": 2})
    assert ctx.users.by_email("erin@sandbox.example")["accountId"] == page["createdBy"]
    assert space["homepageId"] == wiki_pages.find_page(ctx, "SEED", "Seeded Home")["id"]
