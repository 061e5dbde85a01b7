"""The agent's Prometheus metrics, in a registry of their own.

A dedicated ``CollectorRegistry`` (not prometheus-client's global one) keeps
tests independent of each other and keeps ``/metrics`` to what the agent
chose to publish. The loop calls the small typed methods below; nothing else
touches the prometheus-client objects.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from agent.adapters.retry import CallStats
from agent.clock import Clock, SystemClock

PREFIX = "escalation_agent"
SERVICES = ("jira", "confluence", "slack")
CYCLE_RESULTS = ("ok", "failed")
ACTION_RESULTS = ("done", "skipped", "failed")
# A cycle is a few reads and writes; minutes mean a service is slow or retrying.
CYCLE_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

# What CallStats counts, mapped to the metric it feeds (HTTP requests = attempts).
_STATS_FIELDS = ("attempts", "rate_limited", "errors")


class Metrics:
    """Counters, a histogram and gauges for cycles, actions, API traffic and held escalations."""

    def __init__(self, registry: CollectorRegistry | None = None, clock: Clock | None = None):
        self.registry = registry if registry is not None else CollectorRegistry()
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._last_stats: dict[tuple[str, str], float] = {}
        self.cycles = Counter(
            f"{PREFIX}_cycles_total",
            "Cycles run, by result (ok: every read and action succeeded).",
            ["result"],
            registry=self.registry,
        )
        self.cycle_duration = Histogram(
            f"{PREFIX}_cycle_duration_seconds",
            "Wall-clock duration of one cycle.",
            buckets=CYCLE_BUCKETS,
            registry=self.registry,
        )
        self.actions = Counter(
            f"{PREFIX}_actions_total",
            "Planned actions executed, by rule, action kind and result (done, skipped, failed).",
            ["rule", "kind", "result"],
            registry=self.registry,
        )
        self.api_requests = Counter(
            f"{PREFIX}_api_requests_total",
            "HTTP requests sent to a service, retries included.",
            ["service"],
            registry=self.registry,
        )
        self.api_rate_limited = Counter(
            f"{PREFIX}_api_rate_limited_total",
            "Requests a service answered with a rate limit (HTTP 429 or Slack ratelimited).",
            ["service"],
            registry=self.registry,
        )
        self.api_errors = Counter(
            f"{PREFIX}_api_errors_total",
            "Calls to a service that ended in an error after any retries.",
            ["service"],
            registry=self.registry,
        )
        self.held = Gauge(
            f"{PREFIX}_held_escalations",
            "Escalations currently held back by a policy's limit rules.",
            ["policy"],
            registry=self.registry,
        )
        self.last_cycle = Gauge(
            f"{PREFIX}_last_cycle_timestamp_seconds",
            "Unix time at which the last cycle finished (0 before the first).",
            registry=self.registry,
        )
        # Export zeroes for the known label values so rate() and alerts work from the start.
        for result in CYCLE_RESULTS:
            self.cycles.labels(result=result)
        for service in SERVICES:
            self.api_requests.labels(service=service)
            self.api_rate_limited.labels(service=service)
            self.api_errors.labels(service=service)

    # -- cycles ---------------------------------------------------------------
    def record_cycle(
        self, duration: float, ok: bool, *, finished_at: datetime | None = None
    ) -> None:
        """One finished cycle: its duration in seconds and whether it fully succeeded."""
        if duration < 0:
            raise ValueError(f"a cycle cannot take a negative time ({duration} s)")
        moment = finished_at or self._clock.now()
        if moment.tzinfo is None:
            raise ValueError("finished_at must be timezone-aware")
        self.cycles.labels(result="ok" if ok else "failed").inc()
        self.cycle_duration.observe(duration)
        self.last_cycle.set(moment.timestamp())

    # -- actions --------------------------------------------------------------
    def record_action(self, rule: str, kind: str, result: str, count: int = 1) -> None:
        """``count`` actions of one rule and kind ended with ``result`` (done/skipped/failed)."""
        if result not in ACTION_RESULTS:
            raise ValueError(f"action result {result!r} is not one of {', '.join(ACTION_RESULTS)}")
        if count < 0:
            raise ValueError(f"an action count cannot be negative ({count})")
        if count:
            self.actions.labels(rule=rule, kind=kind, result=result).inc(count)

    def record_actions(self, counts: Mapping[tuple[str, str], int], result: str) -> None:
        """A cycle's counts keyed by ``(rule, kind)``, e.g. ``CycleReport.done``."""
        for (rule, kind), count in sorted(counts.items()):
            self.record_action(rule, kind, result, count)

    # -- API traffic ----------------------------------------------------------
    def record_api(
        self, service: str, requests: int = 0, rate_limited: int = 0, errors: int = 0
    ) -> None:
        """Add increments for one service (requests sent, rate-limit answers, failed calls)."""
        for name, value in (
            ("requests", requests),
            ("rate_limited", rate_limited),
            ("errors", errors),
        ):
            if value < 0:
                raise ValueError(f"{name} for {service} cannot be negative ({value})")
        if requests:
            self.api_requests.labels(service=service).inc(requests)
        if rate_limited:
            self.api_rate_limited.labels(service=service).inc(rate_limited)
        if errors:
            self.api_errors.labels(service=service).inc(errors)

    def record_call_stats(self, stats: Mapping[str, CallStats | Mapping[str, float]]) -> None:
        """Publish the callers' counters (``CallStats`` or its ``snapshot()``), by service.

        CallStats only ever grow for the life of a caller, so each call adds the
        growth since the previous one. A counter that went down means the caller
        (and its stats) was replaced: its whole value is then new traffic.
        """
        with self._lock:
            for service, entry in sorted(stats.items()):
                snapshot = entry.snapshot() if isinstance(entry, CallStats) else entry
                growth: dict[str, int] = {}
                for field in _STATS_FIELDS:
                    current = float(snapshot.get(field, 0))
                    previous = self._last_stats.get((service, field), 0.0)
                    delta = current - previous if current >= previous else current
                    self._last_stats[(service, field)] = current
                    growth[field] = int(delta)
                self.record_api(
                    service,
                    requests=growth["attempts"],
                    rate_limited=growth["rate_limited"],
                    errors=growth["errors"],
                )

    # -- limits ---------------------------------------------------------------
    def set_held(self, policy: str, n: int) -> None:
        """How many of ``policy``'s escalations a limit rule holds back right now."""
        if n < 0:
            raise ValueError(f"held escalations of {policy} cannot be negative ({n})")
        self.held.labels(policy=policy).set(n)

    # -- exposition -----------------------------------------------------------
    def render(self) -> bytes:
        """The registry in Prometheus text format (what ``GET /metrics`` returns)."""
        return generate_latest(self.registry)
