"""ServiceCaller: what is retried, how long it waits, when it gives up, what it counts."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests

from agent.adapters.calls import CallPoints, ServiceCaller
from agent.adapters.retry import Backoff, RetryBudget
from agent.adapters.service_errors import (
    AuthFailed,
    BadRequest,
    Conflict,
    MissingScope,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
)
from agent.secrets import Redactor
from tests.adapters.sdk_errors import (
    FAKE_TOKEN,
    FakeSleep,
    Script,
    confluence_http_error,
    jira_error,
    slack_error,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CALLS_LOGGER = "agent.adapters.calls"


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def make_caller(
    service: str = "jira",
    *,
    budget: float = 120.0,
    sleep: FakeSleep | None = None,
    max_attempts: int = 5,
    seed: int = 7,
) -> tuple[ServiceCaller, FakeSleep]:
    sleep = sleep or FakeSleep()
    caller = ServiceCaller(
        service,
        Redactor([FAKE_TOKEN]),
        RetryBudget(budget),
        sleep=sleep,
        clock=FakeMonotonic(),
        max_attempts=max_attempts,
        wall_clock=lambda: NOW,
        rng=random.Random(seed),
    )
    return caller, sleep


# -- Retry-After -------------------------------------------------------------------
def test_429_with_retry_after_7_waits_at_least_7_then_succeeds() -> None:
    caller, sleep = make_caller()
    fn = Script(jira_error(429, headers={"Retry-After": "7"}), {"key": "OPS-1"})
    assert caller.call("get_issue", fn) == {"key": "OPS-1"}
    assert fn.calls == 2
    assert len(sleep.waits) == 1
    assert sleep.waits[0] >= 7.0
    stats = caller.stats.snapshot()
    assert stats["calls"] == 1
    assert stats["attempts"] == 2
    assert stats["retries"] == 1
    assert stats["rate_limited"] == 1
    assert stats["errors"] == 0
    assert stats["waited_seconds"] == pytest.approx(sleep.waits[0])


def test_retry_after_as_an_http_date_is_honoured() -> None:
    caller, sleep = make_caller("confluence")
    when = format_datetime(NOW + timedelta(seconds=20), usegmt=True)
    fn = Script(confluence_http_error(429, headers={"Retry-After": when}), "page")
    assert caller.call("get_page", fn) == "page"
    assert sleep.waits[0] >= 20.0


def test_a_retry_after_beyond_the_backoff_cap_is_still_honoured() -> None:
    caller, sleep = make_caller(budget=120.0)
    assert caller.call("op", Script(jira_error(429, headers={"Retry-After": "45"}), "ok")) == "ok"
    assert sleep.waits == [45.0]


def test_backoff_wins_when_it_is_longer_than_retry_after() -> None:
    caller, sleep = make_caller(seed=1)
    fn = Script(*[jira_error(429, headers={"Retry-After": "0"}) for _ in range(4)], "done")
    assert caller.call("op", fn) == "done"
    # 4th retry: base 4 s, jitter keeps it within [2, 4]; Retry-After 0 does not shorten it
    assert 2.0 <= sleep.waits[3] <= 4.0


def test_slack_429_is_retried_after_its_retry_after() -> None:
    caller, sleep = make_caller("slack")
    limited = slack_error("ratelimited", status=429, headers={"Retry-After": "3"})
    fn = Script(limited, {"ok": True})
    assert caller.call("chat.postMessage", fn, channel="C1", text="hi") == {"ok": True}
    assert sleep.waits[0] >= 3.0


# -- server errors and the network ----------------------------------------------------
def test_503_is_retried_then_succeeds() -> None:
    caller, sleep = make_caller("confluence")
    fn = Script(confluence_http_error(503), confluence_http_error(502), {"id": "1"})
    assert caller.call("get_page", fn) == {"id": "1"}
    assert fn.calls == 3
    assert len(sleep.waits) == 2


def test_500_every_time_gives_service_unavailable_after_max_attempts() -> None:
    caller, sleep = make_caller(max_attempts=4)
    fn = Script(*[jira_error(500) for _ in range(4)])
    with pytest.raises(ServiceUnavailable) as info:
        caller.call("search_issues", fn)
    assert fn.calls == 4
    assert len(sleep.waits) == 3
    assert info.value.status == 500
    assert info.value.attempts == 4
    assert "gave up after 4 attempts" in str(info.value)
    assert isinstance(info.value.__cause__, Exception)  # the SDK error stays attached
    assert caller.stats.snapshot()["errors"] == 1


def test_429_every_time_gives_rate_limited_with_the_last_retry_after() -> None:
    caller, _ = make_caller(max_attempts=2)
    fn = Script(*[jira_error(429, headers={"Retry-After": "5"}) for _ in range(2)])
    with pytest.raises(RateLimited) as info:
        caller.call("op", fn)
    assert info.value.retry_after == 5.0
    assert caller.stats.snapshot()["rate_limited"] == 2


def test_dropped_connections_and_timeouts_are_retried() -> None:
    caller, sleep = make_caller()
    fn = Script(
        requests.ConnectionError("Connection aborted: RemoteDisconnected"),
        requests.ReadTimeout("Read timed out"),
        "ok",
    )
    assert caller.call("op", fn) == "ok"
    assert len(sleep.waits) == 2


# -- never retried ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (
            jira_error(400, {"errorMessages": ["Field 'x' does not exist"], "errors": {}}),
            BadRequest,
        ),
        (jira_error(403), PermissionDenied),
        (jira_error(404), NotFound),
        (confluence_http_error(409), Conflict),
    ],
)
def test_client_errors_are_not_retried(exc: Exception, kind: type[Exception]) -> None:
    caller, sleep = make_caller()
    fn = Script(exc)
    with pytest.raises(kind):
        caller.call("op", fn)
    assert fn.calls == 1
    assert sleep.waits == []


def test_400_message_carries_jiras_error_messages() -> None:
    caller, _ = make_caller()
    body = {"errorMessages": ["Error in the JQL Query: 'foo' is a reserved word."], "errors": {}}
    with pytest.raises(BadRequest, match="'foo' is a reserved word"):
        caller.call("search_issues", Script(jira_error(400, body)))


def test_missing_scope_is_not_retried_and_names_the_scope() -> None:
    caller, sleep = make_caller("slack")
    fn = Script(slack_error("missing_scope", needed="pins:write"))
    with pytest.raises(MissingScope, match="pins:write") as info:
        caller.call("pins.add", fn)
    assert info.value.needed_scope == "pins:write"
    assert sleep.waits == []


def test_a_bug_in_the_called_function_propagates_unchanged_and_is_not_retried() -> None:
    caller, sleep = make_caller()
    fn = Script(TypeError("unexpected keyword"))
    with pytest.raises(TypeError, match="unexpected keyword"):
        caller.call("op", fn)
    assert fn.calls == 1
    assert sleep.waits == []


# -- bad credentials: the circuit ------------------------------------------------------
def test_401_is_not_retried_names_the_credential_and_refuses_later_calls() -> None:
    caller, sleep = make_caller()
    first = Script(jira_error(401))
    with pytest.raises(AuthFailed, match="JIRA_EMAIL / JIRA_API_TOKEN") as info:
        caller.call("search_issues", first)
    assert first.calls == 1
    assert sleep.waits == []
    assert caller.circuit_open

    second = Script("never returned")
    with pytest.raises(AuthFailed) as again:
        caller.call("add_comment", second)
    assert again.value is info.value
    assert second.calls == 0
    stats = caller.stats.snapshot()
    assert stats["refused"] == 1
    assert stats["calls"] == 1

    caller.new_cycle()
    assert not caller.circuit_open
    assert caller.call("add_comment", Script("ok")) == "ok"


def test_slack_invalid_auth_opens_the_circuit_naming_the_bot_token() -> None:
    caller, _ = make_caller("slack")
    with pytest.raises(AuthFailed, match="SLACK_BOT_TOKEN"):
        caller.call("auth.test", Script(slack_error("invalid_auth")))
    assert caller.circuit_open


# -- the shared budget --------------------------------------------------------------
def test_a_retry_after_longer_than_the_budget_stops_at_once() -> None:
    caller, sleep = make_caller(budget=5.0)
    fn = Script(jira_error(429, headers={"Retry-After": "10"}))
    with pytest.raises(RateLimited) as info:
        caller.call("op", fn)
    assert fn.calls == 1
    assert sleep.waits == []
    assert info.value.retry_after == 10.0
    assert "retry budget" in str(info.value)
    assert "left for the next cycle" in str(info.value)


def test_the_budget_is_shared_between_callers_and_stops_early() -> None:
    budget = RetryBudget(10.0)
    sleep = FakeSleep()
    jira = ServiceCaller("jira", Redactor(), budget, sleep=sleep, wall_clock=lambda: NOW)
    slack = ServiceCaller("slack", Redactor(), budget, sleep=sleep, wall_clock=lambda: NOW)
    assert jira.call("op", Script(jira_error(429, headers={"Retry-After": "8"}), "ok")) == "ok"
    assert budget.remaining == pytest.approx(10.0 - sleep.waits[0])
    limited = slack_error("ratelimited", status=429, headers={"Retry-After": "3"})
    fn = Script(limited)
    with pytest.raises(RateLimited, match="retry budget"):
        slack.call("chat.postMessage", fn)
    assert fn.calls == 1
    assert len(sleep.waits) == 1  # Slack never waited: only ~2 s were left
    assert sum(sleep.waits) <= 10.0


def test_waits_within_one_call_never_exceed_the_budget() -> None:
    caller, sleep = make_caller(budget=3.0, max_attempts=10)
    fn = Script(*[jira_error(503) for _ in range(10)])
    with pytest.raises(ServiceUnavailable, match="retry budget"):
        caller.call("op", fn)
    assert 1 <= len(sleep.waits) < 9
    assert sum(sleep.waits) <= 3.0


# -- jitter ----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
def test_waits_stay_within_the_jittered_exponential_bounds(seed: int) -> None:
    caller, sleep = make_caller(budget=1000.0, max_attempts=9, seed=seed)
    fn = Script(*[jira_error(502) for _ in range(9)])
    with pytest.raises(ServiceUnavailable):
        caller.call("op", fn)
    assert len(sleep.waits) == 8
    for number, wait in enumerate(sleep.waits, start=1):
        base = min(30.0, 0.5 * 2 ** (number - 1))
        assert base / 2 <= wait <= base, (number, wait)


def test_jitter_actually_varies_the_waits() -> None:
    backoff = Backoff()
    rng = random.Random(3)
    waits = {round(backoff.delay(3, rng), 6) for _ in range(50)}
    assert len(waits) > 40
    assert all(1.0 <= w <= 2.0 for w in waits)


# -- logging and secrets -------------------------------------------------------------
def test_each_retry_logs_a_warning_and_giving_up_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=CALLS_LOGGER)
    caller, sleep = make_caller(max_attempts=3)
    with pytest.raises(ServiceUnavailable):
        caller.call("get_issue", Script(*[jira_error(503) for _ in range(3)]))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    retry_lines = [r.getMessage() for r in warnings if "retrying in" in r.getMessage()]
    give_up = [r.getMessage() for r in warnings if "gave up" in r.getMessage()]
    assert len(retry_lines) == 2
    assert all("get_issue" in line and "HTTP 503" in line for line in retry_lines)
    assert f"retrying in {sleep.waits[0]:.1f} s" in retry_lines[0]
    assert len(give_up) == 1


def test_the_token_never_reaches_an_error_or_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=CALLS_LOGGER)
    caller, _ = make_caller(max_attempts=2)
    echoed = {"errorMessages": [f"Bad credentials {FAKE_TOKEN}"], "errors": {}}
    with pytest.raises(ServiceUnavailable) as unavailable:
        caller.call("op", Script(jira_error(503, echoed), jira_error(503, echoed)))
    with pytest.raises(AuthFailed) as auth:
        caller.call("op", Script(jira_error(401, echoed)))
    for error in (unavailable.value, auth.value):
        assert FAKE_TOKEN not in str(error)
        assert "***" in str(error)
    assert caplog.records
    assert all(FAKE_TOKEN not in record.getMessage() for record in caplog.records)


# -- construction ----------------------------------------------------------------------
def test_unknown_services_and_zero_attempts_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        ServiceCaller("github", Redactor(), RetryBudget(1))
    with pytest.raises(ValueError, match="max_attempts"):
        ServiceCaller("jira", Redactor(), RetryBudget(1), max_attempts=0)


def test_max_attempts_of_one_never_retries() -> None:
    caller, sleep = make_caller(max_attempts=1)
    with pytest.raises(ServiceUnavailable, match="gave up after 1 attempt"):
        caller.call("op", Script(jira_error(503)))
    assert sleep.waits == []


def test_new_cycle_can_swap_in_a_fresh_budget() -> None:
    caller, sleep = make_caller(budget=0.0)
    with pytest.raises(ServiceUnavailable, match="retry budget"):
        caller.call("op", Script(jira_error(503)))
    caller.new_cycle(RetryBudget(60.0))
    assert caller.call("op", Script(jira_error(503), "ok")) == "ok"
    assert len(sleep.waits) == 1


def test_a_typed_error_from_a_nested_call_passes_through_and_is_retried() -> None:
    caller, sleep = make_caller()
    inner = ServiceUnavailable("jira", "inner", "Jira had a server error (HTTP 503)", 503)
    assert caller.call("outer", Script(inner, "ok")) == "ok"
    assert len(sleep.waits) == 1


# -- the bundle of three ------------------------------------------------------------------
def test_call_points_share_one_budget_and_reset_it_each_cycle() -> None:
    sleep = FakeSleep()
    points = CallPoints.create(Redactor([FAKE_TOKEN]), budget_seconds=10.0, sleep=sleep)
    assert points.jira.budget is points.slack.budget is points.confluence.budget
    limited = slack_error("ratelimited", status=429, headers={"Retry-After": "8"})
    assert points.slack.call("chat.postMessage", Script(limited, {"ok": True})) == {"ok": True}
    with pytest.raises(AuthFailed):
        points.jira.call("op", Script(jira_error(401)))
    with pytest.raises(RateLimited, match="retry budget"):
        points.confluence.call(
            "op", Script(confluence_http_error(429, headers={"Retry-After": "5"}))
        )
    stats = points.stats()
    assert stats["slack"]["retries"] == 1
    assert stats["jira"]["errors"] == 1
    assert stats["confluence"]["rate_limited"] == 1

    points.new_cycle()
    assert not points.jira.circuit_open
    assert points.jira.budget is points.slack.budget
    assert points.jira.budget.remaining == 10.0
    ok = Script(confluence_http_error(429, headers={"Retry-After": "5"}), "page")
    assert points.confluence.call("op", ok) == "page"
