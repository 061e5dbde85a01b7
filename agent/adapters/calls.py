"""The one call point per service: every Jira, Confluence and Slack call goes through here.

It decides what is retried and how long to wait (exponential backoff with
jitter, never sooner than ``Retry-After``, within the cycle's shared retry
budget), turns SDK exceptions into :mod:`agent.adapters.service_errors` types, counts
calls for the metrics, and stops calling a service whose credentials were
rejected until the next cycle.

Callers are shared by threads (the reader's detail workers, the executor's
lanes): the budget and the counters take locks, each call has its own retry
loop, and ``max_concurrent`` caps the requests in flight to one service, so a
wide pool cannot turn into a burst the service answers with 429s.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn, TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from agent.adapters.classify import classify
from agent.adapters.retry import DEFAULT_MAX_ATTEMPTS, Backoff, CallStats, RetryBudget
from agent.adapters.service_errors import SERVICE_TITLES, AuthFailed, RateLimited, ServiceError
from agent.clock import SystemClock
from agent.secrets import Redactor

log = logging.getLogger(__name__)

T = TypeVar("T")

_SYSTEM_CLOCK = SystemClock()


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ServiceError) and exc.retryable


def _failure(retry_state: RetryCallState) -> ServiceError:
    """The typed error of the attempt that just failed (only ServiceErrors are retried)."""
    outcome = retry_state.outcome
    exc = outcome.exception() if outcome is not None else None
    if not isinstance(exc, ServiceError):
        raise RuntimeError("the retry loop only handles ServiceError failures")
    return exc


def _what(error: ServiceError) -> str:
    """A short label of a failure for log lines: the status, else the cause."""
    if error.status is not None:
        return f"HTTP {error.status}" + (f" {error.reason}" if error.reason else "")
    return error.reason or type(error).__name__


class _Run:
    """Why one call's retry loop stopped: set by the stop check, read when giving up."""

    def __init__(self) -> None:
        self.stopped_by_budget = False
        self.wanted_wait = 0.0


class ServiceCaller:
    """Calls one service's SDK functions with the agent's retry rules and typed errors.

    ``budget`` is shared by all callers of one cycle; ``sleep`` and ``clock``
    (monotonic seconds) and ``wall_clock`` (reads ``Retry-After`` dates) are
    injected so tests never sleep.
    """

    def __init__(
        self,
        service: str,
        redactor: Redactor,
        budget: RetryBudget,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff: Backoff | None = None,
        wall_clock: Callable[[], datetime] = _SYSTEM_CLOCK.now,
        rng: random.Random | None = None,
        stats: CallStats | None = None,
        max_concurrent: int | None = None,
    ) -> None:
        if service not in SERVICE_TITLES:
            raise ValueError(f"unknown service {service!r}: use one of {sorted(SERVICE_TITLES)}")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if max_concurrent is not None and max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1 (or None for no cap)")
        self.service = service
        self.redactor = redactor
        self.budget = budget
        self.max_attempts = max_attempts
        self.backoff = backoff or Backoff()
        self.stats = stats or CallStats(service)
        self._sleep = sleep
        self._clock = clock
        self._wall_clock = wall_clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._auth_failure: AuthFailed | None = None
        self.max_concurrent = max_concurrent
        # Held while a request is in flight, never while waiting to retry.
        self._in_flight = (
            threading.BoundedSemaphore(max_concurrent) if max_concurrent is not None else None
        )

    # -- cycle ----------------------------------------------------------------
    @property
    def circuit_open(self) -> bool:
        """True after the service rejected the credentials: calls are refused this cycle."""
        return self._auth_failure is not None

    def new_cycle(self, budget: RetryBudget | None = None) -> None:
        """Close the circuit (credentials may have been fixed) and optionally swap the budget."""
        self._auth_failure = None
        if budget is not None:
            self.budget = budget

    # -- calling --------------------------------------------------------------
    def call(self, operation: str, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """``fn(*args, **kwargs)``, retried as the rules say.

        Service failures come out only as ServiceError subclasses; exceptions that
        are not service failures (bugs such as ``TypeError``) propagate unchanged.
        """
        if self._auth_failure is not None:
            self.stats.add(refused=1)
            log.debug("%s %s refused: the credentials were rejected", self.service, operation)
            raise self._auth_failure
        self.stats.add(calls=1)
        run = _Run()
        retrying = Retrying(
            sleep=self._sleep,
            wait=self._wait,
            stop=lambda state: self._should_stop(state, run),
            retry=retry_if_exception(_is_retryable),
            before_sleep=lambda state: self._before_sleep(state, operation),
            retry_error_callback=lambda state: self._give_up(state, operation, run),
        )
        started = self._clock()
        try:
            result: T = retrying(self._attempt, operation, fn, args, kwargs)
            return result
        except AuthFailed as error:
            self._auth_failure = error
            self.stats.add(errors=1)
            log.error("%s; no more %s calls this cycle", error, error.service_title)
            raise
        except ServiceError:
            self.stats.add(errors=1)
            raise
        finally:
            log.debug("%s %s took %.3f s", self.service, operation, self._clock() - started)

    def _attempt(
        self,
        operation: str,
        fn: Callable[..., T],
        args: tuple[object, ...],
        kwargs: dict[str, object],
    ) -> T:
        self.stats.add(attempts=1)
        try:
            if self._in_flight is None:
                return fn(*args, **kwargs)
            with self._in_flight:
                return fn(*args, **kwargs)
        except ServiceError as typed:
            self._count(typed)
            raise
        except Exception as exc:
            error = classify(
                exc,
                service=self.service,
                operation=operation,
                redactor=self.redactor,
                now=self._wall_clock(),
            )
            if error is None:
                raise  # not a service failure: a bug the caller must see as it is
            self._count(error)
            raise error from exc

    def _count(self, error: ServiceError) -> None:
        if isinstance(error, RateLimited):
            self.stats.add(rate_limited=1)

    # -- tenacity hooks -------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        """Backoff with jitter, but never less than what the service asked for."""
        error = _failure(state)
        backoff = self.backoff.delay(state.attempt_number, self._rng)
        return max(backoff, error.retry_after or 0.0)

    def _should_stop(self, state: RetryCallState, run: _Run) -> bool:
        if state.attempt_number >= self.max_attempts:
            return True
        wait = state.upcoming_sleep
        if not self.budget.try_spend(wait):
            run.stopped_by_budget = True
            run.wanted_wait = wait
            return True
        return False

    def _before_sleep(self, state: RetryCallState, operation: str) -> None:
        error = _failure(state)
        wait = state.upcoming_sleep
        self.stats.add(retries=1, waited_seconds=wait)
        log.warning(
            "%s %s failed (%s); retrying in %.1f s (attempt %d of %d)",
            self.service,
            operation,
            _what(error),
            wait,
            state.attempt_number + 1,
            self.max_attempts,
        )

    def _give_up(self, state: RetryCallState, operation: str, run: _Run) -> NoReturn:
        error = _failure(state)
        error.attempts = state.attempt_number
        tries = f"{state.attempt_number} attempt{'s' if state.attempt_number != 1 else ''}"
        if run.stopped_by_budget:
            error.note = (
                f"gave up after {tries}: waiting {run.wanted_wait:.1f} s more would exceed "
                f"this cycle's retry budget ({self.budget.remaining:.1f} s left); "
                "the action is left for the next cycle"
            )
        else:
            error.note = f"gave up after {tries}"
        log.warning("%s %s: %s (%s)", self.service, operation, error.note, _what(error))
        raise error


@dataclass(frozen=True)
class CallPoints:
    """The three call points of one agent, sharing one retry budget per cycle."""

    jira: ServiceCaller
    confluence: ServiceCaller
    slack: ServiceCaller

    @classmethod
    def create(
        cls,
        redactor: Redactor,
        budget_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        max_concurrent: int | None = None,
    ) -> CallPoints:
        """``max_concurrent`` caps the requests in flight per service (None: no cap)."""
        budget = RetryBudget(budget_seconds)
        made = {
            service: ServiceCaller(
                service,
                redactor,
                budget,
                sleep,
                clock,
                max_attempts=max_attempts,
                max_concurrent=max_concurrent,
            )
            for service in ("jira", "confluence", "slack")
        }
        return cls(made["jira"], made["confluence"], made["slack"])

    def all(self) -> tuple[ServiceCaller, ServiceCaller, ServiceCaller]:
        return self.jira, self.confluence, self.slack

    def new_cycle(self) -> None:
        """Give every caller a fresh shared budget and close any open circuit."""
        budget = RetryBudget(self.jira.budget.total_seconds)
        for caller in self.all():
            caller.new_cycle(budget)

    def stats(self) -> dict[str, dict[str, float]]:
        """Per-service counters, for the metrics layer."""
        return {caller.service: caller.stats.snapshot() for caller in self.all()}
