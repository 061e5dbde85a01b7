"""Paging edge cases no well-behaved sandbox produces, with a scripted HTTP session."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest

from agent.adapters.jira_adapter import JiraAdapter
from agent.adapters.jira_http import JiraHttp
from agent.adapters.jira_read import PagingError, comments, search_issues

T = TypeVar("T")


class DirectCaller:
    """Calls straight through and records operation names (no retries, no classification)."""

    def __init__(self) -> None:
        self.operations: list[str] = []

    def call(self, operation: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        self.operations.append(operation)
        return fn(*args, **kwargs)


@dataclass
class Answer:
    body: Any
    status_code: int = 200

    @property
    def content(self) -> bytes:
        return b"" if self.body is None else json.dumps(self.body).encode()

    def json(self) -> Any:
        return self.body


@dataclass
class ScriptedSession:
    """Answers requests from a function of (method, path, params); records what was asked."""

    answer: Callable[[str, str, dict[str, Any]], Any]
    sent: list[tuple[str, str, dict[str, Any], Any]] = field(default_factory=list)

    def request(self, method: str, url: str, params: Any = None, data: Any = None) -> Answer:
        path = url.split("/rest/api/2/", 1)[1]
        self.sent.append((method, path, dict(params or {}), data))
        return Answer(self.answer(method, path, dict(params or {})))


@dataclass
class FakeClient:
    _session: ScriptedSession
    server_url: str = "https://jira.example"
    deploymentType: str | None = "Cloud"  # the jira client's attribute name


def http_for(answer: Callable[[str, str, dict[str, Any]], Any]) -> tuple[JiraHttp, ScriptedSession]:
    session = ScriptedSession(answer)
    return JiraHttp(FakeClient(session), DirectCaller()), session


def issue(n: int) -> dict[str, Any]:
    return {
        "id": str(10000 + n),
        "key": f"DS-{n}",
        "fields": {
            "summary": f"issue {n}",
            "created": "2026-11-20T09:00:00.000+0000",
            "updated": "2026-11-20T09:00:00.000+0000",
            "status": {"name": "To Do", "statusCategory": {"key": "new"}},
        },
    }


def test_cloud_paging_stops_on_a_repeated_token() -> None:
    http, _ = http_for(lambda *_: {"issues": [issue(1)], "nextPageToken": "same", "isLast": False})
    with pytest.raises(PagingError, match="same"):
        list(search_issues(http, "cloud", "project = DS", ["summary"]))


def test_cloud_paging_without_is_last_stops_when_the_token_is_gone() -> None:
    pages = {None: {"issues": [issue(1)], "nextPageToken": "t2"}, "t2": {"issues": [issue(2)]}}
    http, session = http_for(lambda _m, _p, params: pages[params.get("nextPageToken")])
    found = [raw["key"] for raw in search_issues(http, "cloud", "project = DS", ["summary"])]
    assert found == ["DS-1", "DS-2"]
    assert [s[2].get("nextPageToken") for s in session.sent] == [None, "t2"]
    assert all(s[1] == "search/jql" and s[2]["fields"] == ["summary"] for s in session.sent)


def test_datacenter_paging_follows_what_the_server_returned() -> None:
    """A server that caps pages at 2 (asked for 100) still yields every issue once."""
    everything = [issue(n) for n in range(1, 6)]

    def answer(_m: str, _p: str, params: dict[str, Any]) -> Any:
        start = int(params["startAt"])
        return {"startAt": start, "total": 5, "issues": everything[start : start + 2]}

    http, session = http_for(answer)
    found = [raw["key"] for raw in search_issues(http, "datacenter", "x", ["summary"])]
    assert found == [f"DS-{n}" for n in range(1, 6)]
    assert [s[2]["startAt"] for s in session.sent] == [0, 2, 4]
    assert {s[1] for s in session.sent} == {"search"}


def test_datacenter_paging_stops_on_an_empty_page_despite_a_larger_total() -> None:
    http, session = http_for(lambda *_: {"startAt": 0, "total": 999, "issues": []})
    assert list(search_issues(http, "datacenter", "x", [])) == []
    assert len(session.sent) == 1


def test_comment_pages_ask_for_properties() -> None:
    def answer(_m: str, _p: str, params: dict[str, Any]) -> Any:
        start = int(params["startAt"])
        batch = [{"id": str(n)} for n in range(start, min(start + 100, 150))]
        return {"startAt": start, "total": 150, "comments": batch}

    http, session = http_for(answer)
    assert len(list(comments(http, "DS-1"))) == 150
    assert [s[2] for s in session.sent] == [
        {"startAt": 0, "maxResults": 100, "expand": "properties"},
        {"startAt": 100, "maxResults": 100, "expand": "properties"},
    ]


def test_search_skips_unusable_issues_and_reports_odd_fields() -> None:
    fields = [
        {"id": "summary", "name": "Summary", "custom": False, "schema": {"type": "string"}},
        {
            "id": "customfield_10001",
            "name": "Impact Level",
            "custom": True,
            "schema": {"type": "option", "custom": "x:select"},
        },
    ]
    odd = issue(2)
    odd["fields"]["customfield_10001"] = 42
    broken = {"id": "3", "key": "DS-3", "fields": {}}

    def answer(_m: str, path: str, _params: dict[str, Any]) -> Any:
        if path == "field":
            return fields
        return {"issues": [issue(1), odd, broken], "isLast": True}

    session = ScriptedSession(answer)
    caller = DirectCaller()
    adapter = JiraAdapter(FakeClient(session), caller)
    tickets = list(adapter.search("project = DS", ["Impact Level"]))
    assert [t.key for t in tickets] == ["DS-1", "DS-2"]
    assert tickets[1].fields["Impact Level"] is None
    problems = adapter.take_problems()
    assert [(p.issue_key, p.field) for p in problems] == [
        ("DS-2", "Impact Level"),
        ("DS-3", "issue"),
    ]
    assert adapter.take_problems() == []
    assert caller.operations == ["fields", "search"]


def test_server_kind_asks_server_info_when_the_client_did_not() -> None:
    session = ScriptedSession(lambda *_: {"deploymentType": "Server", "version": "9.12.0"})
    adapter = JiraAdapter(FakeClient(session, deploymentType=None), DirectCaller())
    assert adapter.server_kind() == "datacenter"
    assert adapter.server_kind() == "datacenter"
    assert [s[1] for s in session.sent] == ["serverInfo"]


def test_system_fields_a_policy_names_are_requested_and_read_by_name() -> None:
    fields = [
        {"id": "description", "name": "Description", "custom": False, "schema": {"type": "string"}},
        {"id": "environment", "name": "Environment", "custom": False, "schema": {"type": "string"}},
        {"id": "priority", "name": "Priority", "custom": False, "schema": {"type": "priority"}},
    ]
    raw = issue(1)
    raw["fields"].update({"description": "Steps", "environment": "prod-eu", "priority": None})

    def answer(_m: str, path: str, _params: dict[str, Any]) -> Any:
        return fields if path == "field" else {"issues": [raw], "isLast": True}

    session = ScriptedSession(answer)
    adapter = JiraAdapter(FakeClient(session), DirectCaller())
    (ticket,) = adapter.search("x", ["Description", "Environment", "Priority"])
    assert ticket.description == "Steps"
    assert dict(ticket.fields) == {"Environment": "prod-eu"}
    requested = session.sent[-1][2]["fields"]
    assert {"description", "environment", "priority"} <= set(requested)
    assert len(requested) == len(set(requested))
