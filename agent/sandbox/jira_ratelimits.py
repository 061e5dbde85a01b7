"""Jira Cloud's rate limits: a burst limit per endpoint and method, and a per-issue write limit.

Jira Cloud applies independent limits at once; the sandbox models the two an
API-token integration meets (https://developer.atlassian.com/cloud/jira/platform/rate-limiting/,
https://developer.atlassian.com/cloud/jira/platform/build-an-app-that-respects-rate-limits/):

- ``jira-burst-based``: a token bucket per tenant, endpoint and HTTP method;
- ``jira-per-issue-on-write``: writes to one issue, whoever makes them, within a
  short and a long window.

Both answer 429 with ``Retry-After`` (seconds), ``X-RateLimit-Limit``,
``X-RateLimit-Remaining``, ``X-RateLimit-Reset`` (the request time plus
``Retry-After``, as ``yyyy-MM-ddTHH:mmZ``) and ``RateLimit-Reason``. The figures
are knobs of :mod:`agent.sandbox.realism`, read on every request. Time is real
(``time.monotonic``): clients really wait out ``Retry-After``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agent.sandbox.api_errors import ApiError
from agent.sandbox.realism import Realism

BURST = "jira-burst-based"
PER_ISSUE = "jira-per-issue-on-write"
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
SHORT_WINDOW = 2.0
LONG_WINDOW = 30.0


@dataclass
class _Bucket:
    tokens: float
    updated: float


class JiraRateLimits:
    """The sandbox's Jira limits; :meth:`check` raises the 429 a real site would answer."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._writes: dict[str, deque[float]] = {}

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._writes.clear()

    def check(self, knobs: Realism, method: str, endpoint: str, issue_id: str | None) -> None:
        """Count one request; raise 429 when a limit is spent (nothing is counted then)."""
        with self._lock:
            now = self._clock()
            bucket = self._bucket(knobs, method, endpoint, now)
            if bucket.tokens < 1.0:
                wait = (1.0 - bucket.tokens) / knobs.jira_burst_per_second
                raise self._limited(BURST, knobs.jira_burst_capacity, wait)
            writes = None
            if issue_id is not None and method in WRITE_METHODS:
                writes = self._writes.setdefault(issue_id, deque())
                while writes and writes[0] <= now - LONG_WINDOW:
                    writes.popleft()
                for limit, window in (
                    (knobs.jira_issue_writes_per_2s, SHORT_WINDOW),
                    (knobs.jira_issue_writes_per_30s, LONG_WINDOW),
                ):
                    recent = [t for t in writes if t > now - window]
                    if len(recent) >= limit:
                        wait = recent[-limit] + window - now
                        raise self._limited(PER_ISSUE, limit, wait)
            bucket.tokens -= 1.0
            if writes is not None:
                writes.append(now)

    def _bucket(self, knobs: Realism, method: str, endpoint: str, now: float) -> _Bucket:
        capacity = float(knobs.jira_burst_capacity)
        bucket = self._buckets.get((method, endpoint))
        if bucket is None:
            bucket = self._buckets[(method, endpoint)] = _Bucket(capacity, now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(capacity, bucket.tokens + elapsed * knobs.jira_burst_per_second)
        bucket.updated = now
        return bucket

    def _limited(self, reason: str, limit: int, wait: float) -> ApiError:
        retry_after = max(1, math.ceil(wait))
        reset = self._wall() + timedelta(seconds=retry_after)
        return ApiError(
            429,
            "Rate limit exceeded.",
            headers={
                "Retry-After": str(retry_after),
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
                "RateLimit-Reason": reason,
            },
        )
