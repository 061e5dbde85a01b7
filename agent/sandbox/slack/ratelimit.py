"""Slack's rate limits: per method (tiers), and per channel for posting.

Two kinds of limit, both answered like Slack: HTTP 429, ``{"ok": false,
"error": "ratelimited"}`` and ``Retry-After`` in whole seconds
(https://docs.slack.dev/apis/web-api/rate-limits, "Responding to rate limiting
conditions"):

- :class:`MethodLimits`: every method of :mod:`agent.sandbox.slack.tiers` may be
  called at most its tier's count in any window of a minute (a sliding window,
  the strictest reading of "20+ per minute").
- :class:`ChannelPostLimit`: ``chat.postMessage`` allows "1 per second, short
  bursts >1 allowed" in each channel: a token bucket per channel.

Both measure real time (``time.monotonic``), because clients really wait out
``Retry-After``; both divide their windows by the sandbox's
``slack_time_scale`` (``POST /_sandbox/realism``), so tests stay fast with every
limit on. ``GET /_sandbox/slack/ratelimit`` shows the limits in force;
``POST`` changes the per-channel posting limit (``per_second``, ``burst``).
The limits cannot be switched off.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError, SlackError
from agent.sandbox.json_body import json_body
from agent.sandbox.realism import RealismKnobs
from agent.sandbox.slack.tiers import METHOD_LIMITS, WINDOW_SECONDS

CONTROL_PATH = "/_sandbox/slack/ratelimit"
DEFAULT_POSTS_PER_SECOND = 1.0
DEFAULT_POST_BURST = 5


def rate_limited(wait_seconds: float) -> SlackError:
    """Slack's 429: ``Retry-After`` is whole seconds, never less than one."""
    retry_after = max(1, math.ceil(wait_seconds))
    return SlackError("ratelimited", status=429, headers={"Retry-After": str(retry_after)})


class MethodLimits:
    """A sliding window of call times per method: at most its tier's count per minute."""

    def __init__(self, realism: RealismKnobs, clock: Callable[[], float] = time.monotonic) -> None:
        self._realism = realism
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: dict[str, deque[float]] = {}

    def window(self) -> float:
        """The length of "a minute" in real seconds at the current time scale."""
        return WINDOW_SECONDS / self._realism.current.slack_time_scale

    def check(self, method: str) -> None:
        """Count a call of ``method`` or raise ``ratelimited`` if its window is full."""
        limit = METHOD_LIMITS.get(method)
        if limit is None:
            return  # not a method the sandbox serves: it answers unknown_method
        window = self.window()
        with self._lock:
            now = self._clock()
            calls = self._calls.setdefault(method, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) < limit.tier.per_minute:
                calls.append(now)
                return
            wait = calls[0] + window - now
        raise rate_limited(wait)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ChannelPostLimit:
    """Token buckets keyed by channel id: ``burst`` posts at once, then ``per_second``."""

    def __init__(
        self,
        realism: RealismKnobs,
        per_second: float = DEFAULT_POSTS_PER_SECOND,
        burst: int = DEFAULT_POST_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._realism = realism
        self._lock = threading.Lock()
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self.per_second = per_second
        self.burst = burst

    def config(self) -> dict[str, Any]:
        return {"per_second": self.per_second, "burst": self.burst}

    def configure(self, data: dict[str, Any]) -> None:
        """Apply a partial configuration; raises ValueError naming the bad field."""
        if "enabled" in data:
            raise ValueError(
                "Slack's limits cannot be switched off; to make them faster, set "
                '{"slack_time_scale": K} at /_sandbox/realism'
            )
        unknown = set(data) - {"per_second", "burst"}
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        per_second = data.get("per_second", self.per_second)
        burst = data.get("burst", self.burst)
        if isinstance(per_second, bool) or not isinstance(per_second, int | float):
            raise ValueError("per_second must be a number")
        if not 0 < per_second <= 10_000:
            raise ValueError("per_second must be greater than 0 and at most 10000")
        if isinstance(burst, bool) or not isinstance(burst, int) or not 1 <= burst <= 10_000:
            raise ValueError("burst must be an integer from 1 to 10000")
        with self._lock:
            self.per_second = float(per_second)
            self.burst = burst
            self._buckets.clear()

    def check(self, channel_id: str) -> None:
        """Take one post's token for the channel or raise ``ratelimited``."""
        rate = self.per_second * self._realism.current.slack_time_scale
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(channel_id)
            if bucket is None:
                bucket = self._buckets[channel_id] = _Bucket(float(self.burst), now)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = (1.0 - bucket.tokens) / rate
        raise rate_limited(wait)


@dataclass
class SlackRateLimits:
    """The workspace's limits for the bot's token: per method and per channel."""

    methods: MethodLimits
    posts: ChannelPostLimit

    @classmethod
    def for_realism(cls, realism: RealismKnobs) -> SlackRateLimits:
        return cls(MethodLimits(realism), ChannelPostLimit(realism))

    def describe(self, realism: RealismKnobs) -> dict[str, Any]:
        """What ``GET /_sandbox/slack/ratelimit`` shows."""
        return {
            **self.posts.config(),
            "time_scale": realism.current.slack_time_scale,
            "methods": {
                name: {
                    "tier": limit.tier.label,
                    "per_minute": limit.tier.per_minute,
                    "source": limit.source,
                }
                for name, limit in sorted(METHOD_LIMITS.items())
            },
        }


def register_control(app: Flask, limits: SlackRateLimits, realism: RealismKnobs) -> None:
    """``/_sandbox/slack/ratelimit``: read the limits, or change the per-channel posting one."""

    def ratelimit() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict):
                raise ApiError(400, 'Send {"per_second": 1.0, "burst": 5}.')
            try:
                limits.posts.configure(data)
            except ValueError as exc:
                raise ApiError(400, str(exc)) from exc
        return jsonify(limits.describe(realism))

    app.add_url_rule(CONTROL_PATH, "sandbox_slack_ratelimit", ratelimit, methods=["GET", "POST"])
