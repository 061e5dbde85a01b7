"""The arithmetic of retrying: backoff with jitter, ``Retry-After``, a per-cycle budget, counters.

Kept apart from the call point so each piece can be tested with plain numbers:
no SDK, no sleeping, no network.
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th wait lies in ``[base/2, base]``.

    ``base`` is ``initial * 2**(n-1)`` capped at ``cap``; half of it is random so
    that several agents (or callers) hit by the same outage do not retry in step,
    while every wait still grows with the number of failures.
    """

    initial: float = 0.5
    cap: float = 30.0
    jitter: float = 0.5  # the random share of each wait, 0 (none) .. 1 (full jitter)

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.cap < self.initial:
            raise ValueError("backoff needs 0 < initial <= cap")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("backoff jitter is a share between 0 and 1")

    def base(self, retry_number: int) -> float:
        """The un-jittered wait before retry ``retry_number`` (1 = the first retry)."""
        if retry_number < 1:
            raise ValueError("retry numbers start at 1")
        exponent = min(retry_number - 1, 64)  # 2**64 * initial is far beyond any cap
        return min(self.cap, self.initial * 2.0**exponent)

    def bounds(self, retry_number: int) -> tuple[float, float]:
        base = self.base(retry_number)
        return base * (1.0 - self.jitter), base

    def delay(self, retry_number: int, rng: random.Random) -> float:
        low, high = self.bounds(retry_number)
        return low + (high - low) * rng.random()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds or an HTTP-date.

    ``None`` when the header is absent or unreadable (then plain backoff applies);
    a date in the past gives 0. Fractions of a second are rounded up, never down,
    so the agent never comes back sooner than the service asked.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if moment.tzinfo is None:  # HTTP-dates are GMT by definition
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return float(math.ceil(max(0.0, seconds)))


def parse_reset_time(value: str | None, now: datetime) -> float | None:
    """Seconds until an ISO-8601 ``X-RateLimit-Reset`` (Jira Cloud): ``Retry-After``'s fallback."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return float(math.ceil(max(0.0, (moment - now).total_seconds())))


class RetryBudget:
    """How many seconds all callers may spend waiting to retry in one cycle.

    Shared by the Jira, Confluence and Slack callers so one slow service cannot
    stall the whole cycle: once the budget is spent, failing actions are left
    for the next cycle instead of being waited for.
    """

    def __init__(self, total_seconds: float) -> None:
        if total_seconds < 0 or not math.isfinite(total_seconds):
            raise ValueError("a retry budget is a finite number of seconds >= 0")
        self.total_seconds = float(total_seconds)
        self._spent = 0.0
        self._lock = threading.Lock()

    @property
    def spent(self) -> float:
        with self._lock:
            return self._spent

    @property
    def remaining(self) -> float:
        with self._lock:
            return self.total_seconds - self._spent

    def try_spend(self, seconds: float) -> bool:
        """Reserve ``seconds`` of waiting if that much is left; otherwise reserve nothing."""
        if seconds < 0:
            raise ValueError("cannot spend a negative wait")
        with self._lock:
            if self._spent + seconds > self.total_seconds:
                return False
            self._spent += seconds
            return True

    def reset(self) -> None:
        """Start a new cycle with the full budget."""
        with self._lock:
            self._spent = 0.0


@dataclass
class CallStats:
    """Counters for one service, read by the metrics layer; safe to update from threads."""

    service: str
    calls: int = 0  # calls made through the caller (each may take several attempts)
    attempts: int = 0  # requests actually tried
    retries: int = 0
    rate_limited: int = 0  # 429s (or Slack "ratelimited") seen, retried or not
    errors: int = 0  # calls that ended in a ServiceError
    refused: int = 0  # calls refused without trying, after bad credentials
    waited_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(
        self,
        *,
        calls: int = 0,
        attempts: int = 0,
        retries: int = 0,
        rate_limited: int = 0,
        errors: int = 0,
        refused: int = 0,
        waited_seconds: float = 0.0,
    ) -> None:
        with self._lock:
            self.calls += calls
            self.attempts += attempts
            self.retries += retries
            self.rate_limited += rate_limited
            self.errors += errors
            self.refused += refused
            self.waited_seconds += waited_seconds

    def snapshot(self) -> dict[str, float]:
        with self._lock:
            return {
                "calls": self.calls,
                "attempts": self.attempts,
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "errors": self.errors,
                "refused": self.refused,
                "waited_seconds": self.waited_seconds,
            }
