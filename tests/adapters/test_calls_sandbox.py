"""ServiceCaller with the real client libraries against a running sandbox with injected faults.

The fake sleep records each wait and clears the fault, so the retry that follows
reaches the healthy sandbox: no test really sleeps.
"""

from __future__ import annotations

from typing import Any

import pytest

from agent.adapters.calls import ServiceCaller
from agent.adapters.retry import RetryBudget
from agent.adapters.service_errors import AuthFailed, ServiceUnavailable
from agent.secrets import Redactor
from tests.adapters.sdk_errors import FakeSleep
from tests.support.sandbox import SandboxHandle

WRONG_TOKEN = "wrong-token-7c1d9e2b4a"


def clearing_sleep(sandbox: SandboxHandle) -> FakeSleep:
    return FakeSleep(then=lambda: sandbox.control("DELETE", "faults"))


def caller_for(sandbox: SandboxHandle, service: str, sleep: FakeSleep) -> ServiceCaller:
    return ServiceCaller(service, Redactor([sandbox.token, WRONG_TOKEN]), RetryBudget(60), sleep)


def calls_to(sandbox: SandboxHandle, path_end: str) -> list[dict[str, Any]]:
    return [e for e in sandbox.requests_log() if e["path"].endswith(path_end)]


def slack_without_sdk_retries(sandbox: SandboxHandle) -> Any:
    """slack_sdk retries connection errors itself (really sleeping): leave that to the caller."""
    client = sandbox.slack()
    client.retry_handlers = []
    return client


# -- rate limits -----------------------------------------------------------------
def test_jira_429_on_connect_is_retried_after_the_retry_after_the_sandbox_sent(
    sandbox: SandboxHandle,
) -> None:
    sandbox.control(
        "POST", "faults", {"rate": 1.0, "statuses": [429], "retry_after": 3, "path": "serverInfo"}
    )
    sent_retry_after = sandbox.control("GET", "faults")["retry_after"]
    sleep = clearing_sleep(sandbox)
    caller = caller_for(sandbox, "jira", sleep)

    client = caller.call("connect", sandbox.jira, max_retries=0)

    assert client.server_info()["deploymentType"] == "Cloud"
    # connect: 429 then 200; then the server_info() call above
    assert [e["status"] for e in calls_to(sandbox, "/serverInfo")] == [429, 200, 200]
    assert len(sleep.waits) == 1
    assert sleep.waits[0] >= sent_retry_after == 3
    assert caller.stats.snapshot()["rate_limited"] == 1


def test_slack_429_is_retried_after_retry_after(sandbox: SandboxHandle) -> None:
    sandbox.control(
        "POST", "faults", {"rate": 1.0, "statuses": [429], "retry_after": 2, "path": "auth.test"}
    )
    sleep = clearing_sleep(sandbox)
    caller = caller_for(sandbox, "slack", sleep)

    answer = caller.call("auth.test", sandbox.slack().auth_test)

    assert answer["ok"] is True
    assert [e["status"] for e in calls_to(sandbox, "/api/auth.test")] == [429, 200]
    assert sleep.waits[0] >= 2


def test_confluence_503_is_retried_then_succeeds(sandbox: SandboxHandle) -> None:
    sandbox.control(
        "POST", "faults", {"rate": 1.0, "statuses": [503], "retry_after": 1, "path": "/space"}
    )
    sleep = clearing_sleep(sandbox)
    caller = caller_for(sandbox, "confluence", sleep)

    spaces = caller.call("get_all_spaces", sandbox.confluence().get_all_spaces)

    assert spaces["results"] == []
    assert [e["status"] for e in calls_to(sandbox, "/wiki/rest/api/space")] == [503, 200]
    assert sleep.waits[0] >= 1  # the 503 carried Retry-After: 1


def test_a_fault_that_never_clears_gives_service_unavailable(sandbox: SandboxHandle) -> None:
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": [502], "path": "auth.test"})
    sleep = FakeSleep()
    caller = ServiceCaller(
        "slack", Redactor([sandbox.token]), RetryBudget(60), sleep, max_attempts=3
    )

    with pytest.raises(ServiceUnavailable, match="gave up after 3 attempts") as info:
        caller.call("auth.test", sandbox.slack().auth_test)

    assert info.value.status == 502
    assert len(calls_to(sandbox, "/api/auth.test")) == 3
    assert len(sleep.waits) == 2


# -- dropped connections ------------------------------------------------------------
def test_a_dropped_jira_connection_is_retried(sandbox: SandboxHandle) -> None:
    client = sandbox.jira(max_retries=0)
    sandbox.clear_requests()
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": ["drop"], "path": "serverInfo"})
    sleep = clearing_sleep(sandbox)
    caller = caller_for(sandbox, "jira", sleep)

    info = caller.call("server_info", client.server_info)

    assert info["deploymentType"] == "Cloud"
    assert [(e["service"], e["status"]) for e in calls_to(sandbox, "/serverInfo")] == [
        ("dropped", 0),
        ("jira", 200),
    ]
    assert len(sleep.waits) == 1


def test_a_dropped_slack_connection_is_retried(sandbox: SandboxHandle) -> None:
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": ["drop"], "path": "auth.test"})
    sleep = clearing_sleep(sandbox)
    caller = caller_for(sandbox, "slack", sleep)

    answer = caller.call("auth.test", slack_without_sdk_retries(sandbox).auth_test)

    assert answer["ok"] is True
    assert [e["status"] for e in calls_to(sandbox, "/api/auth.test")] == [0, 200]


# -- wrong credentials ------------------------------------------------------------------
def test_wrong_jira_token_is_auth_failed_and_later_calls_are_refused(
    sandbox: SandboxHandle,
) -> None:
    from jira import JIRA

    sleep = FakeSleep()
    caller = caller_for(sandbox, "jira", sleep)

    with pytest.raises(AuthFailed, match="JIRA_EMAIL / JIRA_API_TOKEN") as info:
        caller.call(
            "connect",
            JIRA,
            server=sandbox.base,
            basic_auth=("agent@sandbox.example", WRONG_TOKEN),
            max_retries=0,
        )
    assert info.value.status == 401
    assert WRONG_TOKEN not in str(info.value)
    assert sleep.waits == []
    seen = len(sandbox.requests_log())
    assert seen == 1

    with pytest.raises(AuthFailed):
        caller.call("connect", sandbox.jira, max_retries=0)
    assert len(sandbox.requests_log()) == seen  # refused without a request


def test_wrong_confluence_password_is_auth_failed(sandbox: SandboxHandle) -> None:
    from atlassian import ConfluenceServer

    client = ConfluenceServer(
        f"{sandbox.base}/wiki", username="agent@sandbox.example", password=WRONG_TOKEN, cloud=True
    )
    caller = caller_for(sandbox, "confluence", FakeSleep())

    with pytest.raises(AuthFailed, match="CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN"):
        caller.call("get_all_spaces", client.get_all_spaces)
    assert caller.circuit_open


def test_wrong_slack_token_is_auth_failed_naming_slack_bot_token(sandbox: SandboxHandle) -> None:
    from slack_sdk import WebClient

    client = WebClient(token=WRONG_TOKEN, base_url=f"{sandbox.base}/api/")
    caller = caller_for(sandbox, "slack", FakeSleep())

    with pytest.raises(AuthFailed, match="SLACK_BOT_TOKEN") as info:
        caller.call("auth.test", client.auth_test)
    assert info.value.reason == "invalid_auth"
    with pytest.raises(AuthFailed):
        caller.call("auth.test", sandbox.slack().auth_test)
    assert len(calls_to(sandbox, "/api/auth.test")) == 1
