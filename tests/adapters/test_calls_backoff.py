"""The retry arithmetic on its own: backoff bounds, Retry-After parsing, the cycle budget."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from agent.adapters.retry import (
    Backoff,
    CallStats,
    RetryBudget,
    parse_reset_time,
    parse_retry_after,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_backoff_doubles_from_half_a_second_and_caps_at_thirty() -> None:
    backoff = Backoff()
    assert [backoff.base(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert backoff.base(500) == 30.0  # no overflow for absurd retry numbers
    assert backoff.bounds(2) == (0.5, 1.0)


def test_backoff_without_jitter_is_exact() -> None:
    assert Backoff(jitter=0.0).delay(3, random.Random(1)) == 2.0


@pytest.mark.parametrize(
    "kwargs", [{"initial": 0}, {"initial": 5, "cap": 1}, {"jitter": 1.5}, {"jitter": -0.1}]
)
def test_backoff_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Backoff(**kwargs)


def test_retry_numbers_start_at_one() -> None:
    with pytest.raises(ValueError):
        Backoff().base(0)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("7", 7.0), (" 12 ", 12.0), ("1.2", 2.0), ("0", 0.0), ("-3", 0.0)],
)
def test_retry_after_in_seconds_rounds_up_never_down(value: str, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


def test_retry_after_as_an_http_date() -> None:
    later = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, NOW) == 90.0
    past = format_datetime(NOW - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after(past, NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "inf", "nan"])
def test_unreadable_retry_after_means_plain_backoff(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None


def test_rate_limit_reset_is_an_iso_moment() -> None:
    assert parse_reset_time("2026-03-02T09:01:00Z", NOW) == 60.0
    assert parse_reset_time("2026-03-02T09:01:00", NOW) == 60.0  # naive means UTC
    assert parse_reset_time("yesterday", NOW) is None
    assert parse_reset_time(None, NOW) is None


def test_budget_spends_only_what_fits() -> None:
    budget = RetryBudget(10)
    assert budget.try_spend(4)
    assert budget.try_spend(6)
    assert not budget.try_spend(0.1)
    assert budget.spent == 10
    assert budget.remaining == 0
    budget.reset()
    assert budget.remaining == 10


def test_a_refused_spend_reserves_nothing() -> None:
    budget = RetryBudget(5)
    assert not budget.try_spend(6)
    assert budget.remaining == 5


@pytest.mark.parametrize("total", [-1, float("inf"), float("nan")])
def test_budget_rejects_nonsense(total: float) -> None:
    with pytest.raises(ValueError):
        RetryBudget(total)
    with pytest.raises(ValueError):
        RetryBudget(1).try_spend(-1)


def test_budget_never_overspends_under_threads() -> None:
    budget = RetryBudget(100)
    granted: list[bool] = []
    lock = threading.Lock()

    def spend() -> None:
        for _ in range(50):
            ok = budget.try_spend(1)
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=spend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 100
    assert budget.remaining == 0


def test_call_stats_snapshot_adds_up() -> None:
    stats = CallStats("slack")
    stats.add(calls=2, attempts=3, retries=1, rate_limited=1, waited_seconds=1.5)
    stats.add(errors=1, refused=2)
    assert stats.snapshot() == {
        "calls": 2,
        "attempts": 3,
        "retries": 1,
        "rate_limited": 1,
        "errors": 1,
        "refused": 2,
        "waited_seconds": 1.5,
    }
