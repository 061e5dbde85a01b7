"""Search: Cloud ``search/jql`` with ``nextPageToken``, the removed ``search``
(410), Data Center ``search`` with ``startAt``/``total``, and bad requests."""

from __future__ import annotations

import pytest

from agent.sandbox.jira import seeding
from tests.sandbox.test_jira_fixtures import ALICE, api, seed_site
from tests.support.sandbox import SandboxHandle


def _many(sandbox: SandboxHandle, count: int) -> None:
    seed_site(sandbox)
    seeding.bulk_create(
        sandbox.ctx,
        [
            {"project": {"key": "INC"}, "summary": f"Issue {n}", "issuetype": {"name": "Task"}}
            for n in range(count)
        ],
        ALICE,
    )


def test_client_search_follows_next_page_token(sandbox: SandboxHandle) -> None:
    _many(sandbox, 120)
    client = sandbox.jira(ALICE)
    first = client.search_issues("project = INC ORDER BY key ASC", maxResults=50)
    assert [i.key for i in first[:2]] == ["INC-1", "INC-2"]
    assert len(first) == 50
    everything = client.search_issues("project = INC ORDER BY key ASC", maxResults=False)
    assert [i.key for i in everything] == [f"INC-{n}" for n in range(1, 121)]
    log = [e for e in sandbox.requests_log() if e["path"].endswith("/search/jql")]
    assert len(log) == 3  # one page of 50, then two pages of 100 following the token
    assert "nextPageToken" in log[-1]["query"]


def test_search_page_shape_and_default_fields(sandbox: SandboxHandle) -> None:
    _many(sandbox, 3)
    page = api(sandbox, "GET", "search/jql", version="3", params={"jql": "project = INC"}).json()
    assert set(page) == {"issues", "isLast"}
    assert page["isLast"] is True
    assert all("fields" not in issue for issue in page["issues"])  # ids only by default
    assert {issue["key"] for issue in page["issues"]} == {"INC-1", "INC-2", "INC-3"}
    with_fields = api(
        sandbox,
        "GET",
        "search/jql",
        params=[("jql", "project = INC"), ("fields", "summary"), ("fields", "status")],
    ).json()
    assert set(with_fields["issues"][0]["fields"]) == {"summary", "status"}


def test_manual_paging_and_the_token_is_tied_to_the_query(sandbox: SandboxHandle) -> None:
    _many(sandbox, 5)
    params = {"jql": "project = INC ORDER BY key", "maxResults": 2, "fields": "summary"}
    first = api(sandbox, "GET", "search/jql", params=params).json()
    assert first["isLast"] is False
    token = first["nextPageToken"]
    second = api(sandbox, "GET", "search/jql", params={**params, "nextPageToken": token}).json()
    assert [i["key"] for i in second["issues"]] == ["INC-3", "INC-4"]
    other = api(
        sandbox, "GET", "search/jql", params={"jql": "project = DS", "nextPageToken": token}
    )
    assert other.status_code == 400
    garbage = api(sandbox, "GET", "search/jql", params={**params, "nextPageToken": "!!"})
    assert garbage.status_code == 400


@pytest.mark.no_spec_check  # the jira client really sends these nulls; Jira accepts them
def test_post_search_accepts_null_members(sandbox: SandboxHandle) -> None:
    _many(sandbox, 3)
    client = sandbox.jira(ALICE)
    found = client.enhanced_search_issues(
        "project = INC ORDER BY key DESC", fields=["summary"], use_post=True
    )
    assert [i.key for i in found] == ["INC-3", "INC-2", "INC-1"]
    body = {
        "jql": "project = INC",
        "fields": ["summary", None],
        "expand": None,
        "nextPageToken": None,
        "maxResults": 1,
    }
    response = api(sandbox, "POST", "search/jql", version="3", json=body)
    assert response.status_code == 200
    assert len(response.json()["issues"]) == 1


def test_max_results_is_capped_like_cloud(sandbox: SandboxHandle) -> None:
    _many(sandbox, 120)
    with_fields = api(
        sandbox,
        "GET",
        "search/jql",
        params={"jql": "project = INC", "fields": "summary", "maxResults": 1000},
    ).json()
    assert len(with_fields["issues"]) == 100
    ids_only = api(
        sandbox, "GET", "search/jql", params={"jql": "project = INC", "maxResults": 1000}
    ).json()
    assert len(ids_only["issues"]) == 120
    assert ids_only["isLast"] is True


def test_removed_search_answers_410_in_cloud(sandbox: SandboxHandle) -> None:
    for version in ("2", "3"):
        response = api(sandbox, "GET", "search", version=version, params={"jql": "project = X"})
        assert response.status_code == 410
        assert "CHANGE-2046" in response.json()["errorMessages"][0]
        posted = api(sandbox, "POST", "search", version=version, json={"jql": "project = X"})
        assert posted.status_code == 410


def test_unbounded_and_invalid_queries_are_400(sandbox: SandboxHandle) -> None:
    _many(sandbox, 1)
    cases = {
        "order by key": "Unbounded JQL queries are not allowed here.",
        "project = ": "Error in the JQL Query",
        "foo = bar": "Field 'foo' does not exist or you do not have permission to view it.",
        "project = XYZ": "The value 'XYZ' does not exist for the field 'project'.",
    }
    for jql, message in cases.items():
        response = api(sandbox, "GET", "search/jql", params={"jql": jql})
        assert response.status_code == 400, jql
        assert response.json()["errorMessages"][0].startswith(message), jql


def test_approximate_count(sandbox: SandboxHandle) -> None:
    _many(sandbox, 7)
    response = api(
        sandbox, "POST", "search/approximate-count", version="3", json={"jql": "project = INC"}
    )
    assert response.json() == {"count": 7}
    assert sandbox.jira(ALICE).approximate_issue_count("project = DS") == 0


def test_search_sees_changes_made_after_a_cached_query(sandbox: SandboxHandle) -> None:
    _many(sandbox, 2)
    client = sandbox.jira(ALICE)
    jql = "project = INC AND status = Done"
    assert client.search_issues(jql) == []
    client.transition_issue("INC-1", "31")
    assert [i.key for i in client.search_issues(jql)] == ["INC-1"]
    sandbox.control("POST", "reset", {})
    seed_site(sandbox)
    assert api(sandbox, "GET", "search/jql", params={"jql": "project = INC"}).json()["issues"] == []


def test_data_center_search_with_start_at_and_total(sandbox_dc: SandboxHandle) -> None:
    _many(sandbox_dc, 30)
    client = sandbox_dc.jira(ALICE)
    page = client.search_issues("project = INC ORDER BY key ASC", startAt=5, maxResults=10)
    assert page.total == 30
    assert page.startAt == 5
    assert [i.key for i in page] == [f"INC-{n}" for n in range(6, 16)]
    everything = client.search_issues("project = INC", maxResults=False)
    assert len(everything) == 30
    raw = api(sandbox_dc, "GET", "search", params={"jql": "project = INC", "maxResults": 2}).json()
    assert (raw["startAt"], raw["maxResults"], raw["total"]) == (0, 2, 30)
    assert len(raw["issues"]) == 2
    cloud_only = api(sandbox_dc, "GET", "search/jql", params={"jql": "project = INC"})
    assert cloud_only.status_code == 404


@pytest.mark.no_spec_check
def test_wrong_parameter_types_are_400(sandbox: SandboxHandle) -> None:
    _many(sandbox, 1)
    cases = [
        ("GET", {"params": {"jql": "project = INC", "maxResults": "many"}}),
        ("POST", {"json": {"jql": 5}}),
        ("POST", {"json": {"jql": "project = INC", "fields": [1, 2]}}),
        ("POST", {"json": {"jql": "project = INC", "maxResults": -1}}),
        ("POST", {"json": ["not", "an", "object"]}),
    ]
    for method, kwargs in cases:
        response = api(sandbox, method, "search/jql", **kwargs)
        assert response.status_code == 400, kwargs
        assert response.json()["errorMessages"]
