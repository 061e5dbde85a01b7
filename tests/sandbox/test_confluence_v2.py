"""The sandbox's Confluence REST v2 (``/wiki/api/v2``) over raw HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle


class V2:
    def __init__(self, sandbox: SandboxHandle) -> None:
        self.base = sandbox.base
        self.url = f"{sandbox.base}/wiki/api/v2"
        self.session = requests.Session()
        self.session.auth = (AGENT_EMAIL, sandbox.token)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(f"{self.url}/{path}", params=params, timeout=10)

    def post(self, path: str, body: Any) -> requests.Response:
        return self.session.post(f"{self.url}/{path}", json=body, timeout=10)

    def put(self, path: str, body: Any) -> requests.Response:
        return self.session.put(f"{self.url}/{path}", json=body, timeout=10)

    def delete(self, path: str, **params: Any) -> requests.Response:
        return self.session.delete(f"{self.url}/{path}", params=params, timeout=10)


@pytest.fixture
def v2(sandbox: SandboxHandle) -> V2:
    sandbox.set_clock("2026-11-02T09:00:00+00:00")
    wiki_pages.create_space(sandbox.ctx, "OPS", "Operations")
    return V2(sandbox)


def _space_id(v2: V2, key: str = "OPS") -> str:
    results = v2.get("spaces", keys=key).json()["results"]
    assert len(results) == 1
    return str(results[0]["id"])


def test_spaces_by_keys(sandbox: SandboxHandle, v2: V2) -> None:
    wiki_pages.create_space(sandbox.ctx, "DEV", "Development")
    answer = v2.get("spaces", keys="DEV").json()
    assert [s["key"] for s in answer["results"]] == ["DEV"]
    space = answer["results"][0]
    assert space["type"] == "global"
    assert space["status"] == "current"
    assert space["homepageId"] == wiki_pages.find_page(sandbox.ctx, "DEV", "Development Home")["id"]
    both = v2.get("spaces", keys="OPS,DEV").json()
    assert {s["key"] for s in both["results"]} == {"OPS", "DEV"}
    assert v2.get(f"spaces/{space['id']}").json()["key"] == "DEV"


def test_create_get_update_page_with_storage_body(v2: V2) -> None:
    space_id = _space_id(v2)
    body = (
        '<p>Sev1 &mdash; <ac:structured-macro ac:name="jira">'
        '<ac:parameter ac:name="key">OPS-1</ac:parameter></ac:structured-macro></p>'
    )
    created = v2.post(
        "pages",
        {
            "spaceId": space_id,
            "status": "current",
            "title": "Incident OPS-1",
            "body": {"representation": "storage", "value": body},
        },
    )
    assert created.status_code == 200
    page = created.json()
    assert page["version"]["number"] == 1
    assert page["spaceId"] == space_id
    # v2 puts a page without parentId under the space's homepage
    home = v2.get("spaces", keys="OPS").json()["results"][0]["homepageId"]
    assert page["parentId"] == home
    fetched = v2.get(f"pages/{page['id']}", **{"body-format": "storage"}).json()
    assert fetched["body"]["storage"] == {"representation": "storage", "value": body}
    assert v2.get(f"pages/{page['id']}").json()["body"] == {}
    updated = v2.put(
        f"pages/{page['id']}",
        {
            "id": page["id"],
            "status": "current",
            "title": "Incident OPS-1 (resolved)",
            "body": {"representation": "storage", "value": "<p>resolved</p>"},
            "version": {"number": 2, "message": "resolved"},
        },
    )
    assert updated.status_code == 200
    assert updated.json()["version"]["number"] == 2
    assert updated.json()["title"] == "Incident OPS-1 (resolved)"


def test_stale_version_is_a_409_in_v2_error_shape(sandbox: SandboxHandle, v2: V2) -> None:
    page = wiki_pages.create_page(sandbox.ctx, "OPS", "Page", "<p>1</p>")
    wiki_pages.update_page(sandbox.ctx, page["id"], 2, storage_body="<p>human</p>")
    response = v2.put(
        f"pages/{page['id']}",
        {
            "id": page["id"],
            "status": "current",
            "title": "Page",
            "body": {"representation": "storage", "value": "<p>agent</p>"},
            "version": {"number": 2},
        },
    )
    assert response.status_code == 409
    error = response.json()["errors"][0]
    assert error["status"] == 409
    assert error["code"] == "CONFLICT"
    assert "Current version is: 2" in error["title"]


def test_pages_by_space_and_title_with_cursor_paging(sandbox: SandboxHandle, v2: V2) -> None:
    for n in range(5):
        wiki_pages.create_page(sandbox.ctx, "OPS", f"Page {n}", f"<p>{n}</p>")
    space_id = _space_id(v2)
    exact = v2.get("pages", **{"space-id": space_id, "title": "Page 3", "body-format": "storage"})
    assert [p["body"]["storage"]["value"] for p in exact.json()["results"]] == ["<p>3</p>"]
    titles: list[str] = []
    response = v2.get("pages", **{"space-id": space_id, "limit": 2})
    while True:
        answer = response.json()
        titles += [p["title"] for p in answer["results"]]
        nxt = answer["_links"].get("next")
        if not nxt:
            assert "Link" not in response.headers
            break
        assert nxt.startswith("/wiki/api/v2/pages?")
        assert response.headers["Link"].startswith(f'<{nxt}>; rel="next"')
        response = v2.session.get(f"{v2.base}{nxt}", timeout=10)
    assert titles == ["Operations Home"] + [f"Page {n}" for n in range(5)]


@pytest.mark.no_spec_check
def test_bad_cursor_and_limit_are_400(v2: V2) -> None:
    assert v2.get("pages", cursor="%%%").status_code == 400
    response = v2.get("pages", limit="0")
    assert response.status_code == 400
    assert response.json()["errors"][0]["status"] == 400


def test_missing_page_is_a_404(v2: V2) -> None:
    response = v2.get("pages/424242")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "NOT_FOUND"


def test_children_labels_and_delete(sandbox: SandboxHandle, v2: V2) -> None:
    ctx = sandbox.ctx
    parent = wiki_pages.create_page(ctx, "OPS", "Parent", "<p>p</p>")
    kid = wiki_pages.create_page(ctx, "OPS", "Kid", "<p>k</p>", parent_id=parent["id"])
    metadata.add_labels(ctx, parent["id"], ["incident", "sev1"])
    children = v2.get(f"pages/{parent['id']}/children").json()["results"]
    assert [(c["id"], c["title"]) for c in children] == [(kid["id"], "Kid")]
    labels = v2.get(f"pages/{parent['id']}/labels").json()["results"]
    assert [lb["name"] for lb in labels] == ["incident", "sev1"]
    assert v2.delete(f"pages/{kid['id']}").status_code == 204
    assert v2.get(f"pages/{kid['id']}").status_code == 404
    assert v2.get(f"pages/{kid['id']}", status="trashed").json()["status"] == "trashed"
    assert v2.delete(f"pages/{kid['id']}", purge="true").status_code == 204
    assert wiki_pages.get_page(ctx, kid["id"]) is None


def test_properties_crud_with_versions(sandbox: SandboxHandle, v2: V2) -> None:
    page = wiki_pages.create_page(sandbox.ctx, "OPS", "Props", "<p>x</p>")
    base = f"pages/{page['id']}/properties"
    created = v2.post(base, {"key": "agent-state", "value": {"step": 1}})
    assert created.status_code == 200
    prop = created.json()
    assert prop["version"]["number"] == 1
    assert v2.post(base, {"key": "agent-state", "value": {}}).status_code == 400
    listed = v2.get(base).json()["results"]
    assert [p["key"] for p in listed] == ["agent-state"]
    assert v2.get(base, key="agent-state").json()["results"][0]["id"] == prop["id"]
    updated = v2.put(
        f"{base}/{prop['id']}",
        {"key": "agent-state", "value": {"step": 2}, "version": {"number": 2}},
    )
    assert updated.json()["value"] == {"step": 2}
    stale = v2.put(
        f"{base}/{prop['id']}",
        {"key": "agent-state", "value": {"step": 3}, "version": {"number": 2}},
    )
    assert stale.status_code == 409
    assert v2.get(f"{base}/{prop['id']}").json()["version"]["number"] == 2
    assert v2.delete(f"{base}/{prop['id']}").status_code == 204
    assert v2.get(f"{base}/{prop['id']}").status_code == 404


def test_v1_and_v2_share_one_model(sandbox: SandboxHandle, v2: V2) -> None:
    created = v2.post(
        "pages",
        {
            "spaceId": _space_id(v2),
            "status": "current",
            "title": "Shared",
            "body": {"representation": "storage", "value": "<p>v2</p>"},
        },
    ).json()
    v1 = sandbox.confluence()
    page = v1.get_page_by_id(created["id"], expand="body.storage,version")
    assert page["body"]["storage"]["value"] == "<p>v2</p>"
    v1.update_page(created["id"], "Shared", "<p>v1</p>")
    again = v2.get(f"pages/{created['id']}", **{"body-format": "storage"}).json()
    assert again["version"]["number"] == 2
    assert again["body"]["storage"]["value"] == "<p>v1</p>"
