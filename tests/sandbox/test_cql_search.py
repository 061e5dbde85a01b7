"""CQL search over HTTP: every field and operator, ordering, paging and the 400s."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import metadata
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

Search = Callable[[str], list[str]]
HUMAN = "dana@sandbox.example"


@pytest.fixture
def corpus(sandbox: SandboxHandle) -> dict[str, str]:
    """Two spaces, a small page tree, labels, two authors and three days of history."""
    ctx = sandbox.ctx
    sandbox.add_user("Dana Human", HUMAN)
    sandbox.set_clock("2026-11-01T09:00:00+00:00")
    wiki_pages.create_space(ctx, "OPS", "Operations")
    wiki_pages.create_space(ctx, "DEV", "Development")
    runbooks = wiki_pages.create_page(ctx, "OPS", "Runbooks", "<p>All runbooks</p>")
    db = wiki_pages.create_page(
        ctx, "OPS", "Database failover", "<p>Promote the replica &mdash; carefully</p>",
        parent_id=runbooks["id"],
    )  # fmt: skip
    sandbox.set_clock("2026-11-02T10:00:00+00:00")
    cache = wiki_pages.create_page(
        ctx, "OPS", "Cache flush", "<p>Flush the <b>redis</b> cache</p>",
        parent_id=db["id"], author_email=HUMAN,
    )  # fmt: skip
    sandbox.set_clock("2026-11-03T11:00:00+00:00")
    incident = wiki_pages.create_page(
        ctx, "DEV", "Incident review 2026-11", "<p>Root cause: expired certificate</p>",
        author_email=HUMAN,
    )  # fmt: skip
    metadata.add_labels(ctx, db["id"], ["runbook", "database"])
    metadata.add_labels(ctx, cache["id"], ["runbook"])
    metadata.add_labels(ctx, incident["id"], ["postmortem"])
    sandbox.set_clock("2026-11-04T12:00:00+00:00")
    wiki_pages.update_page(ctx, runbooks["id"], 2, storage_body="<p>All runbooks, reviewed</p>")
    return {"runbooks": runbooks["id"], "db": db["id"], "cache": cache["id"],
            "incident": incident["id"]}  # fmt: skip


@pytest.fixture
def search(sandbox: SandboxHandle, corpus: dict[str, str]) -> Search:
    session = requests.Session()
    session.auth = (AGENT_EMAIL, sandbox.token)

    def titles(cql: str) -> list[str]:
        response = session.get(
            f"{sandbox.base}/wiki/rest/api/content/search",
            params={"cql": cql, "limit": 100},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return [r["title"] for r in response.json()["results"]]

    return titles


ALL_OPS = ["Operations Home", "Runbooks", "Database failover", "Cache flush"]
HOME_DB_CACHE = ["Operations Home", "Database failover", "Cache flush"]


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ('title = "Cache flush"', ["Cache flush"]),
        ('title = "cache FLUSH"', []),  # exact, like content?title=; "~" ignores case
        ('title ~ "cache FLUSH"', ["Cache flush"]),
        ('space = OPS and title != "Runbooks"', HOME_DB_CACHE),
        ("title ~ failover", ["Database failover"]),
        ('title ~ "data*"', ["Database failover"]),
        ('space = OPS and title !~ "flush"', ["Operations Home", "Runbooks", "Database failover"]),
        ('title in ("Runbooks", "Cache flush")', ["Runbooks", "Cache flush"]),
        ('space = OPS and title not in (Runbooks, "Cache flush")', HOME_DB_CACHE[:2]),
        ("space = OPS", ALL_OPS),
        ("space.key = DEV", ["Development Home", "Incident review 2026-11"]),
        ("space != OPS", ["Development Home", "Incident review 2026-11"]),
        ("space in (OPS, DEV) and label = runbook", ["Database failover", "Cache flush"]),
        ("space not in (OPS)", ["Development Home", "Incident review 2026-11"]),
        ("label = runbook", ["Database failover", "Cache flush"]),
        ("label != runbook and space = OPS", ["Operations Home", "Runbooks"]),
        ("label in (database, postmortem)", ["Database failover", "Incident review 2026-11"]),
        ("label not in (runbook) and space = DEV", ["Development Home", "Incident review 2026-11"]),
        ("type = page and space = DEV", ["Development Home", "Incident review 2026-11"]),
        ("type != page", []),
        ("type in (blogpost)", []),
        ("text ~ replica", ["Database failover"]),
        ('text ~ "redis cache"', ["Cache flush"]),
        ("text ~ postmortem", ["Incident review 2026-11"]),
        ("text ~ certif*", ["Incident review 2026-11"]),
        ("text ~ runbook and space = OPS", ["Runbooks", "Database failover", "Cache flush"]),
        ("text ~ eplica", []),  # words match from their start, not in the middle
        ("space = OPS and text !~ runbooks", HOME_DB_CACHE),
        ("not space = OPS", ["Development Home", "Incident review 2026-11"]),
        ("space = OPS and not (label = runbook or title = Runbooks)", ["Operations Home"]),
    ],
)  # fmt: skip
def test_text_space_label_type_fields(search: Search, cql: str, expected: list[str]) -> None:
    assert search(cql) == expected


def test_id_parent_and_ancestor(search: Search, corpus: dict[str, str]) -> None:
    assert search(f"id = {corpus['cache']}") == ["Cache flush"]
    assert search(f"content = {corpus['cache']}") == ["Cache flush"]
    assert search(f"id in ({corpus['db']}, {corpus['cache']})") == [
        "Database failover",
        "Cache flush",
    ]
    assert search(f"space = OPS and id not in ({corpus['db']})") == [
        "Operations Home",
        "Runbooks",
        "Cache flush",
    ]
    assert search(f"space = OPS and id != {corpus['db']}") == [
        "Operations Home",
        "Runbooks",
        "Cache flush",
    ]
    assert search(f"parent = {corpus['runbooks']}") == ["Database failover"]
    assert search(f"parent != {corpus['runbooks']} and space = OPS") == [
        "Operations Home",
        "Runbooks",
        "Cache flush",
    ]
    assert search(f"parent in ({corpus['runbooks']}, {corpus['db']})") == [
        "Database failover",
        "Cache flush",
    ]
    assert search(f"ancestor = {corpus['runbooks']}") == ["Database failover", "Cache flush"]
    assert search(f"ancestor = {corpus['db']}") == ["Cache flush"]
    assert search(f"ancestor not in ({corpus['runbooks']}) and space = OPS") == [
        "Operations Home",
        "Runbooks",
    ]


def test_creator_by_email_account_and_current_user(sandbox: SandboxHandle, search: Search) -> None:
    dana = sandbox.ctx.users.by_email(HUMAN)
    assert search(f'creator = "{HUMAN}"') == ["Cache flush", "Incident review 2026-11"]
    assert search(f'creator = "{dana["accountId"]}"') == ["Cache flush", "Incident review 2026-11"]
    assert search("creator = currentUser()") == []  # the agent created nothing
    assert search(f'creator != "{HUMAN}" and space = DEV') == ["Development Home"]
    assert search(f'creator in ("{HUMAN}", "nobody@x.io") and space = OPS') == ["Cache flush"]
    assert search(f'space = OPS and creator not in ("{HUMAN}")') == [
        "Operations Home",
        "Runbooks",
        "Database failover",
    ]


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ('created = "2026-11-02"', ["Cache flush"]),
        ('created != "2026-11-01"', ["Cache flush", "Incident review 2026-11"]),
        ('created > "2026-11-02"', ["Incident review 2026-11"]),
        ('created >= "2026-11-02"', ["Cache flush", "Incident review 2026-11"]),
        ('created < "2026-11-02" and space = DEV', ["Development Home"]),
        ('created <= "2026-11-02" and label = runbook', ["Database failover", "Cache flush"]),
        ('created in ("2026-11-02", "2026-11-03")', ["Cache flush", "Incident review 2026-11"]),
        ('created not in ("2026-11-01")', ["Cache flush", "Incident review 2026-11"]),
        ('created >= "2026-11-02 10:00" and created < "2026/11/02 10:01"', ["Cache flush"]),
        ('lastmodified > "2026-11-03"', ["Runbooks"]),
        ("lastmodified >= -1d", ["Runbooks"]),
        ('lastmodified > now("-12h")', ["Runbooks"]),
        ("created >= startOfDay(-2d) and created < startOfDay(-1d)", ["Cache flush"]),
        ("created > startOfWeek() and space = OPS", ["Cache flush"]),
    ],
)
def test_created_and_lastmodified(search: Search, cql: str, expected: list[str]) -> None:
    # the sandbox clock stands at 2026-11-04T12:00Z (a Wednesday)
    assert search(cql) == expected


def test_order_by(search: Search) -> None:
    assert search("space = OPS order by title") == [
        "Cache flush",
        "Database failover",
        "Operations Home",
        "Runbooks",
    ]
    assert search("space = OPS order by created desc")[0] == "Cache flush"
    assert search("label = runbook order by lastmodified desc, title asc") == [
        "Cache flush",
        "Database failover",
    ]
    assert search("order by space desc, id asc")[:2] == ["Operations Home", "Runbooks"]


def test_trashed_pages_leave_search(sandbox: SandboxHandle, search: Search) -> None:
    wiki_pages.trash_page(
        sandbox.ctx, wiki_pages.find_page(sandbox.ctx, "OPS", "Cache flush")["id"]
    )
    assert search("label = runbook") == ["Database failover"]


def test_search_endpoint_shape_paging_and_expand(
    sandbox: SandboxHandle, corpus: dict[str, str]
) -> None:
    client = sandbox.confluence()
    first = client.cql("space = OPS", limit=2, expand="content.version,content.space")
    assert first["totalSize"] == 4
    assert first["size"] == 2
    assert first["cqlQuery"] == "space = OPS"
    assert "next" in first["_links"]
    result = first["results"][0]
    assert result["content"]["version"]["number"] == 1
    assert result["content"]["space"]["key"] == "OPS"
    assert result["resultGlobalContainer"] == {"title": "Operations", "displayUrl": "/spaces/OPS"}
    assert result["entityType"] == "content"
    second = client.cql("space = OPS", start=2, limit=2)
    assert [r["title"] for r in second["results"]] == ["Database failover", "Cache flush"]
    assert "next" not in second["_links"]
    db = client.cql(f"id = {corpus['db']}")["results"][0]
    assert db["excerpt"] == "Promote the replica — carefully"


@pytest.mark.parametrize(
    "cql",
    ["space = ", "colour = red", "text = words", "title = x order by colour", "label = (a"],
)
def test_bad_cql_is_400_with_confluence_body_on_both_endpoints(
    sandbox: SandboxHandle, corpus: dict[str, str], cql: str
) -> None:
    for path in ("/wiki/rest/api/search", "/wiki/rest/api/content/search"):
        response = requests.get(
            f"{sandbox.base}{path}",
            params={"cql": cql},
            auth=(AGENT_EMAIL, sandbox.token),
            timeout=10,
        )
        assert response.status_code == 400
        body = response.json()
        assert body["statusCode"] == 400
        assert body["message"]
        assert "results" not in body


@pytest.mark.no_spec_check
def test_missing_cql_is_400(sandbox: SandboxHandle) -> None:
    response = requests.get(
        f"{sandbox.base}/wiki/rest/api/search", auth=(AGENT_EMAIL, sandbox.token), timeout=10
    )
    assert response.status_code == 400
    assert "cql" in response.json()["message"]


def test_date_functions_follow_the_sandbox_clock(sandbox: SandboxHandle, search: Search) -> None:
    sandbox.set_clock(datetime(2026, 11, 30, tzinfo=UTC))
    assert search("lastmodified >= -1d") == []
    assert search('created > now("-30d") and space = DEV') == [
        "Development Home",
        "Incident review 2026-11",
    ]
