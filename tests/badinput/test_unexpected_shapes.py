"""Answers of an unexpected shape: a 200 whose JSON is not what the API documents.

The sandbox answers faithfully, so these tests let the real adapters talk to it
through the real client libraries and rewrite chosen answers on the way back
(a ``requests`` response hook on the client's session). One odd value must cost
only that value (a ticket problem); an answer that is wrong as a whole must be a
clear ``ServiceError`` naming the service and the call, never a crash or an
empty result that looks like "no tickets".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from agent.adapters.calls import CallPoints
from agent.adapters.confluence_adapter import ConfluenceAdapter, build_confluence_adapter
from agent.adapters.jira_adapter import JiraAdapter, build_jira_adapter
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_adapter import SlackAdapter, build_slack_adapter
from agent.config import load_settings
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from agent.secrets import Redactor
from tests.foundation.test_check_command import sandbox_env
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

Recorder = Callable[[str, str], None]
FIELDS = ["Escalation Reason"]
JQL = "project in (DS) ORDER BY created ASC"
EVENT = "escalation_agent_nudge"


class Tamper:
    """Rewrites the body of 200 answers whose URL matches a pattern."""

    def __init__(self, session: requests.Session) -> None:
        self.rules: list[tuple[re.Pattern[str], Callable[[Any], Any] | str]] = []
        session.hooks["response"].append(self._hook)

    def on(self, pattern: str, change: Callable[[Any], Any] | str) -> None:
        """``change`` is a new raw body (str) or a function of the parsed JSON."""
        self.rules.append((re.compile(pattern), change))

    def _hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        for pattern, change in self.rules:
            if response.status_code == 200 and pattern.search(response.url):
                if isinstance(change, str):
                    response._content = change.encode()
                else:
                    response._content = json.dumps(change(response.json())).encode()
        return response


@pytest.fixture
def site(sandbox: SandboxHandle) -> SandboxHandle:
    sandbox.set_clock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    sandbox.add_user("Agent", AGENT_EMAIL)
    sandbox.add_user("Rita Reporter", "rita@sandbox.example")
    jira.create_project(sandbox.ctx, "DS", "DS project", "rita@sandbox.example")
    jira.create_custom_field(sandbox.ctx, "Escalation Reason", "textarea")
    for number in (1, 2):
        fields = {
            "project": {"key": "DS"},
            "summary": f"Payments stuck {number}",
            "issuetype": {"name": "Task"},
            "Escalation Reason": "Client cannot pay",
        }
        jira.create_issue(sandbox.ctx, fields, "rita@sandbox.example")
    jira.add_comment(sandbox.ctx, "DS-1", "Looking into it", "rita@sandbox.example")
    return sandbox


def _calls() -> CallPoints:
    return CallPoints.create(Redactor(), 0.0, sleep=lambda _: None, max_attempts=1)


@pytest.fixture
def jira_side(site: SandboxHandle) -> Iterator[tuple[JiraAdapter, Tamper]]:
    settings = load_settings(sandbox_env(site))
    adapter = build_jira_adapter(settings, _calls().jira)
    yield adapter, Tamper(adapter._client._session)


def _issues(page: dict[str, Any], change: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    return {**page, "issues": change(page["issues"])}


def test_odd_values_in_one_issue_become_ticket_problems(
    jira_side: tuple[JiraAdapter, Tamper], clear_error: Recorder
) -> None:
    adapter, tamper = jira_side

    def spoil(issues: list[Any]) -> list[Any]:
        second = issues[1]
        second["fields"].update(
            {"status": "Open", "assignee": "bob", "priority": {"id": "3"}, "labels": "x"}
        )
        return issues

    tamper.on(r"/search/jql", lambda page: _issues(page, spoil))
    tickets = list(adapter.search(JQL, FIELDS))
    problems = [str(p) for p in adapter.take_problems()]
    clear_error("jira issue with odd values", problems[0])
    assert [t.key for t in tickets] == ["DS-1", "DS-2"]
    assert tickets[1].assignee is None and tickets[1].labels == frozenset()
    assert tickets[1].fields["Escalation Reason"] == "Client cannot pay"
    assert any("DS-2" in p and "assignee" in p for p in problems), problems
    assert any("DS-2" in p and "status" in p for p in problems), problems
    assert any("DS-2" in p and "priority" in p for p in problems), problems


def test_unusable_issues_are_skipped_with_a_problem(
    jira_side: tuple[JiraAdapter, Tamper], clear_error: Recorder
) -> None:
    adapter, tamper = jira_side
    tamper.on(
        r"/search/jql",
        lambda page: _issues(
            page, lambda issues: [issues[0], {"id": "77"}, {"key": "DS-9", "fields": []}, 42]
        ),
    )
    tickets = list(adapter.search(JQL, FIELDS))
    problems = [str(p) for p in adapter.take_problems()]
    clear_error("jira issue without key or times", "; ".join(problems))
    assert [t.key for t in tickets] == ["DS-1"]
    assert any("'77' has no key" in p for p in problems), problems
    assert any("DS-9 has neither a created nor an updated time" in p for p in problems), problems


# case -> (URL pattern, new body or JSON rewrite, fragments of the error)
WRONG_ANSWERS: dict[str, tuple[str, Callable[[Any], Any] | str, list[str]]] = {
    "search without issues": (
        r"/search/jql",
        lambda page: {"isLast": True},
        ["no 'issues' list", "isLast", "JIRA_URL"],
    ),
    "issues not a list": (
        r"/search/jql",
        lambda page: {"issues": "none"},
        ["no 'issues' list", "got 'issues' as str"],
    ),
    "search answers a list": (r"/search/jql", lambda page: [page], ["got list"]),
    "field list is an object": (
        r"/rest/api/2/field",
        lambda raw: {"fields": raw},
        ["GET field answered dict, expected a list", "JIRA_URL"],
    ),
    "HTML instead of JSON": (
        r"/search/jql",
        "<html><body>Sign in</body></html>",
        ["answered something that is not JSON", "sign-in page", "check JIRA_URL"],
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_ANSWERS))
def test_a_wrong_answer_is_a_clear_service_error(
    jira_side: tuple[JiraAdapter, Tamper], clear_error: Recorder, case: str
) -> None:
    adapter, tamper = jira_side
    pattern, change, fragments = WRONG_ANSWERS[case]
    tamper.on(pattern, change)
    with pytest.raises(ServiceError) as raised:
        list(adapter.search(JQL, FIELDS))
    message = str(raised.value)
    clear_error(f"jira {case}", message)
    assert message.startswith("Jira "), message
    for fragment in fragments:
        assert fragment in message, message


def test_odd_comments_are_problems_and_a_wrong_page_is_an_error(
    jira_side: tuple[JiraAdapter, Tamper], clear_error: Recorder
) -> None:
    adapter, tamper = jira_side
    (ticket, _) = list(adapter.search(JQL, FIELDS))
    tamper.on(
        r"/issue/DS-1/comment",
        lambda page: {**page, "comments": [*page["comments"], {"id": "9"}, "text"]},
    )
    detailed = adapter.with_details(ticket)
    problems = [str(p) for p in adapter.take_problems()]
    clear_error("jira comment without a time", problems[0])
    assert [c.body for c in detailed.comments] == ["Looking into it"]
    assert any("unusable comment '9'" in p for p in problems), problems

    tamper.rules.clear()
    tamper.on(r"/issue/DS-1/watchers", lambda raw: {"watchers": {"bob": 1}})
    with pytest.raises(ServiceError) as raised:
        adapter.with_details(ticket)
    clear_error("jira watchers not a list", str(raised.value))
    assert "Jira watchers: the answer has no 'watchers' list" in str(raised.value)


@pytest.fixture
def confluence_side(site: SandboxHandle) -> Iterator[tuple[ConfluenceAdapter, Tamper]]:
    confluence.create_space(site.ctx, "OPS", "Operations")
    settings = load_settings(sandbox_env(site))
    adapter = build_confluence_adapter(settings, _calls().confluence)
    assert adapter is not None
    yield adapter, Tamper(adapter._http.client._session)


@pytest.mark.parametrize(
    ("case", "change", "fragment"),
    [
        ("space without id", lambda raw: {k: v for k, v in raw.items() if k != "id"}, "'id'"),
        ("space is a list", lambda raw: [raw], "'key'"),
    ],
)
def test_confluence_wrong_space_answer_is_a_clear_error(
    confluence_side: tuple[ConfluenceAdapter, Tamper],
    clear_error: Recorder,
    case: str,
    change: Callable[[Any], Any],
    fragment: str,
) -> None:
    adapter, tamper = confluence_side
    assert adapter.space("OPS").key == "OPS"
    tamper.on(r"/wiki/rest/api/space/OPS", change)
    with pytest.raises(ServiceError) as raised:
        adapter.space("OPS")
    message = str(raised.value)
    clear_error(f"confluence {case}", message)
    assert message.startswith("Confluence get_space: the answer has no"), message
    assert fragment in message and "is CONFLUENCE_URL the site's /wiki address" in message


@pytest.fixture
def slack_side(site: SandboxHandle) -> Iterator[tuple[SlackAdapter, WebClient]]:
    slack.create_channel(site.ctx, "ops-room")
    settings = load_settings(sandbox_env(site))
    adapter = build_slack_adapter(settings, _calls().slack)
    yield adapter, adapter._api._client


def _answer_with(client: WebClient, sdk_method: str, change: Callable[[Any], Any]) -> None:
    """Make one Web API method's answer ``change(data)`` (the call itself still happens)."""
    original = getattr(client, sdk_method)

    def tampered(**kwargs: Any) -> SlackResponse:
        response = original(**kwargs)
        response.data = change(response.data)
        return response

    setattr(client, sdk_method, tampered)


def _without(name: str) -> Callable[[Any], Any]:
    return lambda data: {k: v for k, v in data.items() if k != name}


def test_slack_post_without_ts_is_a_clear_error(
    slack_side: tuple[SlackAdapter, WebClient], clear_error: Recorder
) -> None:
    adapter, client = slack_side
    channel = adapter.resolve_channel("#ops-room")
    _answer_with(client, "chat_postMessage", _without("ts"))
    with pytest.raises(ServiceError) as raised:
        adapter.post(channel, "hello", event_type=EVENT, payload={"key": "k1"})
    message = str(raised.value)
    clear_error("slack post answer without ts", message)
    assert message.startswith("Slack chat.postMessage: the answer has no 'ts'"), message
    assert "SLACK_API_URL" in message


def test_slack_user_without_id_and_non_object_answers_are_clear_errors(
    slack_side: tuple[SlackAdapter, WebClient], site: SandboxHandle, clear_error: Recorder
) -> None:
    adapter, client = slack_side
    _answer_with(
        client,
        "users_lookupByEmail",
        lambda data: {**data, "user": {k: v for k, v in data["user"].items() if k != "id"}},
    )
    with pytest.raises(ServiceError) as raised:
        adapter.user_id_for_email("rita@sandbox.example")
    clear_error("slack user without id", str(raised.value))
    assert str(raised.value).startswith("Slack users.lookupByEmail: the answer has no 'id'")

    _answer_with(client, "conversations_open", lambda data: [data])
    rita = site.ctx.users.by_email("rita@sandbox.example")
    with pytest.raises(ServiceError) as wrong:
        adapter.dm(str(rita["slackId"]), "hi", event_type=EVENT, payload={"key": "k2"})
    clear_error("slack answer not an object", str(wrong.value))
    assert "Slack conversations.open: Slack answered list, not a JSON object" in str(wrong.value)
