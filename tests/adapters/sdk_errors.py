"""Real SDK exceptions, built the way the client libraries build them.

Each builder goes through the library's own code path where one exists
(jira's ``raise_on_error``, atlassian's ``raise_for_status``, slack_sdk's
``SlackResponse.validate``), so the tests classify what the agent will really see.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import requests
from atlassian.rest_client import AtlassianRestAPI
from jira.exceptions import JIRAError
from jira.resilientsession import raise_on_error
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

FAKE_TOKEN = "fake-token-0123456789abcdef"  # never valid anywhere; used to test redaction
SITE = "https://example.atlassian.net"


def http_response(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    url: str = f"{SITE}/rest/api/2/issue/OPS-1",
    content_type: str = "application/json;charset=UTF-8",
) -> requests.Response:
    """A ``requests.Response`` as the transport adapter would hand it to the client."""
    response = requests.Response()
    response.status_code = status
    response.reason = HTTPStatus(status).phrase
    response.url = url
    response.encoding = "utf-8"
    if body is None:
        response._content = b""
    elif isinstance(body, str):
        response._content = body.encode()
    else:
        response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = content_type
    response.headers.update(headers or {})
    return response


def jira_error(
    status: int, body: Any = None, *, headers: dict[str, str] | None = None
) -> JIRAError:
    """The ``JIRAError`` jira's ``ResilientSession`` raises for this response."""
    if body is None:
        body = {"errorMessages": [f"HTTP {status} from the test"], "errors": {}}
    try:
        raise_on_error(http_response(status, body, headers=headers))
    except JIRAError as exc:
        return exc
    raise AssertionError(f"jira did not raise for HTTP {status}")


def confluence_http_error(
    status: int, body: Any = None, *, headers: dict[str, str] | None = None
) -> requests.HTTPError:
    """The ``HTTPError`` atlassian-python-api's ``raise_for_status`` raises for this response."""
    if body is None:
        body = {"statusCode": status, "message": f"HTTP {status} from the test"}
    response = http_response(status, body, headers=headers, url=f"{SITE}/wiki/rest/api/content/123")
    try:
        AtlassianRestAPI(url=f"{SITE}/wiki").raise_for_status(response)
    except requests.HTTPError as exc:
        return exc
    raise AssertionError(f"atlassian did not raise for HTTP {status}")


def slack_error(
    error: str | None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> SlackApiError:
    """The ``SlackApiError`` slack_sdk raises when it validates this answer."""
    data: dict[str, Any] = {"ok": False, **extra}
    if error is not None:
        data["error"] = error
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=data,
        headers=dict(headers or {}),
        status_code=status,
    )
    try:
        response.validate()
    except SlackApiError as exc:
        return exc
    raise AssertionError("slack_sdk did not raise")


class Script:
    """A fake SDK function: each call raises or returns the next scripted outcome."""

    def __init__(self, *outcomes: Any) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if not self.outcomes:
            raise AssertionError("called more often than scripted")
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


class FakeSleep:
    """Records every wait instead of sleeping; ``then`` runs after each (e.g. clear a fault)."""

    def __init__(self, then: Any = None) -> None:
        self.waits: list[float] = []
        self.then = then

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self.then is not None:
            self.then()
