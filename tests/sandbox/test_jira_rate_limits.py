"""Jira Cloud's burst and per-issue write limits, with the headers Atlassian documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from jira.exceptions import JIRAError

from agent.sandbox.jira import seeding as jira
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle


def seed(sandbox: SandboxHandle) -> list[str]:
    sandbox.add_user("Agent", AGENT_EMAIL)
    jira.create_project(sandbox.ctx, "OPS", "Operations", "lead@sandbox.example")
    return [
        str(
            jira.create_issue(
                sandbox.ctx,
                {"project": {"key": "OPS"}, "summary": f"T{n}", "issuetype": {"name": "Task"}},
                "lead@sandbox.example",
            )["key"]
        )
        for n in range(2)
    ]


def rate_limited(call: object) -> JIRAError:
    with pytest.raises(JIRAError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.status_code == 429
    return caught.value


def check_headers(error: JIRAError, reason: str, limit: int) -> None:
    headers = error.response.headers
    assert headers["RateLimit-Reason"] == reason
    assert headers["X-RateLimit-Limit"] == str(limit)
    assert headers["X-RateLimit-Remaining"] == "0"
    retry_after = int(headers["Retry-After"])
    assert 1 <= retry_after <= 30
    reset = datetime.strptime(headers["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert abs((reset - datetime.now(UTC)).total_seconds()) <= 60 + retry_after


def test_writes_to_one_issue_are_limited_on_their_own(sandbox: SandboxHandle) -> None:
    first, other = seed(sandbox)
    sandbox.control("POST", "realism", {"jira_issue_writes_per_2s": 3})
    client = sandbox.jira(max_retries=0)
    for n in range(3):
        client.add_comment(first, f"note {n}")
    error = rate_limited(lambda: client.add_comment(first, "one too many"))
    check_headers(error, "jira-per-issue-on-write", 3)
    assert len(client.comments(first)) == 3  # the refused write did nothing
    client.add_comment(other, "another issue is not limited")
    client.issue(first)  # nor are reads of the same issue


def test_the_burst_limit_is_per_endpoint_and_method(sandbox: SandboxHandle) -> None:
    first, _ = seed(sandbox)
    sandbox.control("POST", "realism", {"jira_burst_capacity": 2, "jira_burst_per_second": 0.1})
    client = sandbox.jira(max_retries=0)  # its constructor read serverInfo once
    client.server_info()
    check_headers(rate_limited(client.server_info), "jira-burst-based", 2)
    client.issue(first)  # another endpoint has its own bucket


def test_data_center_has_no_cloud_limits(sandbox_dc: SandboxHandle) -> None:
    sandbox_dc.control("POST", "realism", {"jira_burst_capacity": 1})
    client = sandbox_dc.jira(max_retries=0)
    for _ in range(3):
        client.server_info()
