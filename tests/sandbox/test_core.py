"""The sandbox's shared machinery: auth, clock, faults, request log, body limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from tests.support.sandbox import SandboxHandle


def test_clock_can_be_set_and_frozen(sandbox: SandboxHandle) -> None:
    sandbox.set_clock("2026-03-02T09:00:00+00:00", frozen=True)
    state = sandbox.control("GET", "clock")
    assert state == {"now": "2026-03-02T09:00:00+00:00", "frozen": True}
    assert sandbox.ctx.clock.now() == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_clock_rejects_garbage(sandbox: SandboxHandle) -> None:
    response = requests.post(f"{sandbox.base}/_sandbox/clock", json={"now": "tuesday"}, timeout=5)
    assert response.status_code == 400
    assert "ISO-8601" in response.json()["errorMessages"][0]


def test_wrong_token_gets_each_services_401_shape(sandbox: SandboxHandle) -> None:
    jira = requests.get(f"{sandbox.base}/rest/api/2/myself", auth=("a@x.io", "nope"), timeout=5)
    assert jira.status_code == 401
    assert "errorMessages" in jira.json()
    wiki = requests.get(f"{sandbox.base}/wiki/rest/api/space", auth=("a@x.io", "nope"), timeout=5)
    assert wiki.status_code == 401
    assert wiki.json()["statusCode"] == 401
    slack = requests.post(
        f"{sandbox.base}/api/auth.test", headers={"Authorization": "Bearer nope"}, timeout=5
    )
    assert slack.status_code == 200
    assert slack.json() == {"ok": False, "error": "invalid_auth"}


def test_injected_429_carries_retry_after_and_is_logged(sandbox: SandboxHandle) -> None:
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": [429], "retry_after": 7})
    response = requests.get(
        f"{sandbox.base}/rest/api/2/serverInfo", auth=("a@x.io", sandbox.token), timeout=5
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    slack = requests.post(
        f"{sandbox.base}/api/auth.test",
        headers={"Authorization": f"Bearer {sandbox.token}"},
        timeout=5,
    )
    assert slack.status_code == 429
    assert slack.json()["error"] == "ratelimited"
    # the control surface itself never fails
    assert sandbox.control("GET", "faults")["injected"] == 2
    log = sandbox.requests_log()
    assert [entry["status"] for entry in log] == [429, 429]
    sandbox.control("DELETE", "faults")
    assert sandbox.control("GET", "faults")["rate"] == 0.0


def test_dropped_connection(sandbox: SandboxHandle) -> None:
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": ["drop"]})
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{sandbox.base}/rest/api/2/serverInfo", timeout=5)
    assert any(entry["status"] == 0 for entry in sandbox.requests_log())


def test_fault_config_is_validated(sandbox: SandboxHandle) -> None:
    response = requests.post(
        f"{sandbox.base}/_sandbox/faults", json={"rate": 3, "statuses": [429]}, timeout=5
    )
    assert response.status_code == 400
    assert "rate" in response.json()["errorMessages"][0]


@pytest.mark.no_spec_check  # deliberately sends a body that is not JSON
def test_oversized_body_gets_413_in_service_shape(sandbox: SandboxHandle) -> None:
    response = requests.post(
        f"{sandbox.base}/rest/api/2/issue",
        data=b"x" * (1024 * 1024 + 1),
        auth=("a@x.io", sandbox.token),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["errorMessages"]


def test_request_log_can_be_cleared(sandbox: SandboxHandle) -> None:
    requests.get(f"{sandbox.base}/rest/api/2/serverInfo", timeout=5)
    assert sandbox.requests_log()
    sandbox.clear_requests()
    assert sandbox.requests_log() == []


def test_state_survives_restart(tmp_path: object) -> None:
    from pathlib import Path

    from agent.sandbox.server import SandboxServer

    data_dir = Path(str(tmp_path))
    with SandboxServer(data_dir=data_dir, token="t") as server:
        requests.post(
            f"{server.urls.base}/_sandbox/users",
            json={"name": "Ada Lovelace", "email": "ada@example.com"},
            timeout=5,
        ).raise_for_status()
        requests.post(
            f"{server.urls.base}/_sandbox/clock",
            json={"now": "2026-01-05T10:00:00Z", "frozen": True},
            timeout=5,
        ).raise_for_status()
    with SandboxServer(data_dir=data_dir, token="t") as server:
        users = requests.get(f"{server.urls.base}/_sandbox/users", timeout=5).json()
        assert "ada@example.com" in [user["email"] for user in users]
        clock = requests.get(f"{server.urls.base}/_sandbox/clock", timeout=5).json()
        assert clock["now"].startswith("2026-01-05T10:00:00")


def test_slack_ts_is_unique_and_increasing_on_a_frozen_clock(sandbox: SandboxHandle) -> None:
    sandbox.set_clock("2026-11-22T10:00:00+00:00", frozen=True)
    stamps = [sandbox.ctx.clock.slack_ts() for _ in range(1000)]
    assert len(set(stamps)) == 1000
    assert stamps == sorted(stamps, key=lambda ts: tuple(int(p) for p in ts.split(".")))
    assert stamps[0] == "1795341600.000000"
    assert stamps[1] == "1795341600.000001"
