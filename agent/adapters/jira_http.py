"""Raw JSON calls over the ``jira`` client's authenticated session, through the call point.

The ``jira`` library wraps answers in Resource objects, cannot set comment
properties on create, and re-reads issues after every edit. The adapter needs
plain JSON and exact requests, so it uses the library for authentication,
``serverInfo`` and error raising (``JIRAError`` on non-2xx) and sends the
requests itself. Every request goes through the caller, which retries and
turns failures into the agent's typed errors.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote

from agent.adapters.issue_pacing import IssueWritePacer
from agent.adapters.jira_port import Caller

API_PREFIX = "rest/api/2/"


def path_part(value: str) -> str:
    """An issue key or id made safe for a URL path segment."""
    return quote(str(value), safe="")


class JiraHttp:
    """``get``/``post``/``put`` of JSON under ``/rest/api/2/`` with the client's session."""

    def __init__(self, client: Any, caller: Caller, pacer: IssueWritePacer | None = None) -> None:
        self.client = client
        self.caller = caller
        self.base = str(client.server_url).rstrip("/") + "/"
        self.pacer = pacer or IssueWritePacer()

    def url(self, path: str) -> str:
        return self.base + API_PREFIX + path

    def get(self, operation: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.caller.call(operation, self.send, "GET", path, params, None)

    def post(self, operation: str, path: str, body: Any) -> Any:
        return self.caller.call(operation, self.send, "POST", path, None, body)

    def put(self, operation: str, path: str, body: Any) -> Any:
        return self.caller.call(operation, self.send, "PUT", path, None, body)

    def send(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> Any:
        """One request; the session raises ``JIRAError`` for any non-2xx answer.

        A write to an issue first waits for its turn under Jira's per-issue limit.
        """
        issue = written_issue(method, path)
        if issue is None:
            return self._request(method, path, params, body)
        with self.pacer.turn(issue):
            return self._request(method, path, params, body)

    def _request(self, method: str, path: str, params: dict[str, Any] | None, body: Any) -> Any:
        data = None if body is None else json.dumps(body)
        response = self.client._session.request(method, self.url(path), params=params, data=data)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()


def written_issue(method: str, path: str) -> str | None:
    """The issue a request writes (``PUT issue/KEY``, ``POST issue/KEY/comment``...), if any."""
    if method not in ("POST", "PUT", "DELETE"):
        return None
    parts = path.split("/")
    if len(parts) < 2 or parts[0] != "issue" or not parts[1]:
        return None
    return unquote(parts[1]).upper()
