"""Slack's per-channel posting limit: about one message a second, short bursts allowed.

A token bucket per channel, measured in real time (``time.monotonic``) because
clients really wait out ``Retry-After``. Configured through
``GET/POST /_sandbox/slack/ratelimit`` with ``{"per_second", "burst", "enabled"}``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.app import json_body
from agent.sandbox.errors import ApiError, SlackError

CONTROL_PATH = "/_sandbox/slack/ratelimit"


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ChannelRateLimiter:
    """Token buckets keyed by channel id; ``check`` raises Slack's 429 when one is empty."""

    def __init__(
        self,
        per_second: float = 1.0,
        burst: int = 5,
        enabled: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self.per_second = per_second
        self.burst = burst
        self.enabled = enabled

    def config(self) -> dict[str, Any]:
        return {"per_second": self.per_second, "burst": self.burst, "enabled": self.enabled}

    def configure(self, data: dict[str, Any]) -> None:
        """Apply a partial configuration; raises ValueError naming the bad field."""
        per_second = data.get("per_second", self.per_second)
        burst = data.get("burst", self.burst)
        enabled = data.get("enabled", self.enabled)
        if isinstance(per_second, bool) or not isinstance(per_second, int | float):
            raise ValueError("per_second must be a number")
        if not 0 < per_second <= 10_000:
            raise ValueError("per_second must be greater than 0 and at most 10000")
        if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 10_000:
            raise ValueError("burst must be an integer from 1 to 10000")
        if not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        unknown = set(data) - {"per_second", "burst", "enabled"}
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        with self._lock:
            self.per_second = float(per_second)
            self.burst = burst
            self.enabled = enabled
            self._buckets.clear()

    def check(self, key: str) -> None:
        """Take one token for ``key`` or raise ``ratelimited`` (HTTP 429, ``Retry-After``)."""
        if not self.enabled:
            return
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = (1.0 - bucket.tokens) / self.per_second
        retry_after = max(1, math.ceil(wait))
        raise SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})


def register_control(app: Flask, limiter: ChannelRateLimiter) -> None:
    """``/_sandbox/slack/ratelimit``: read or change the posting limit."""

    def ratelimit() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict):
                raise ApiError(400, 'Send {"per_second": 1.0, "burst": 5, "enabled": true}.')
            try:
                limiter.configure(data)
            except ValueError as exc:
                raise ApiError(400, str(exc)) from exc
        return jsonify(limiter.config())

    app.add_url_rule(CONTROL_PATH, "sandbox_slack_ratelimit", ratelimit, methods=["GET", "POST"])
