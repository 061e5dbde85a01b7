"""Injected failures: the sandbox misbehaves the way busy real services do.

Configured through ``POST /_sandbox/faults``; used by the reliability tests to
check that the agent retries, honours ``Retry-After`` and never duplicates.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

DROP = "drop"  # a status entry meaning: close the connection without answering


class FaultConfigError(ValueError):
    """The fault configuration posted to the control surface is not valid."""


@dataclass
class FaultPlan:
    rate: float = 0.0
    statuses: list[int | str] = field(default_factory=lambda: [429, 500, 503])
    retry_after: int = 1
    latency_ms: int = 0
    path: re.Pattern[str] | None = None
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "statuses": self.statuses,
            "retry_after": self.retry_after,
            "latency_ms": self.latency_ms,
            "path": self.path.pattern if self.path else None,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Fault:
    """One decision: answer ``status`` (or drop the connection) after ``latency_ms``."""

    status: int | None
    drop: bool
    retry_after: int


class FaultInjector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.plan = FaultPlan()
        self._random = random.Random()
        self.injected = 0

    def configure(self, data: dict[str, Any]) -> FaultPlan:
        try:
            rate = float(data.get("rate", 0.0))
            statuses = list(data.get("statuses", [429, 500, 503]))
            retry_after = int(data.get("retry_after", 1))
            latency_ms = int(data.get("latency_ms", 0))
            path = re.compile(data["path"]) if data.get("path") else None
            seed = int(data["seed"]) if data.get("seed") is not None else None
        except (TypeError, ValueError, re.error) as exc:
            raise FaultConfigError(f"invalid fault configuration: {exc}") from exc
        if not 0.0 <= rate <= 1.0:
            raise FaultConfigError("rate must be between 0 and 1")
        for status in statuses:
            if status != DROP and not (isinstance(status, int) and 400 <= status <= 599):
                raise FaultConfigError(f"statuses holds {status!r}: use 4xx/5xx codes or 'drop'")
        with self._lock:
            self.plan = FaultPlan(rate, statuses, retry_after, latency_ms, path, seed)
            self._random = random.Random(seed)
            self.injected = 0
        return self.plan

    def clear(self) -> None:
        with self._lock:
            self.plan = FaultPlan()
            self.injected = 0

    def latency_seconds(self, path: str) -> float:
        plan = self.plan
        if plan.latency_ms and (plan.path is None or plan.path.search(path)):
            return plan.latency_ms / 1000.0
        return 0.0

    def decide(self, path: str) -> Fault | None:
        """Whether this request fails, and how. Control and viewer paths never fail."""
        if path.startswith("/_sandbox") or not path.startswith(("/rest", "/wiki", "/api")):
            return None
        with self._lock:
            plan = self.plan
            if plan.rate <= 0 or not plan.statuses:
                return None
            if plan.path is not None and not plan.path.search(path):
                return None
            if self._random.random() >= plan.rate:
                return None
            choice = self._random.choice(plan.statuses)
            self.injected += 1
        if choice == DROP:
            return Fault(status=None, drop=True, retry_after=plan.retry_after)
        return Fault(status=int(choice), drop=False, retry_after=plan.retry_after)
