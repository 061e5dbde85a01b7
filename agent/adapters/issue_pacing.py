"""Jira Cloud's per-issue write limit kept on our side: writes to one issue are spaced out.

Jira Cloud limits how often one issue may be written, whoever writes it
(``RateLimit-Reason: jira-per-issue-on-write``), and asks apps to "space out
writes to that issue" rather than retry into the limit
(https://developer.atlassian.com/cloud/jira/platform/build-an-app-that-respects-rate-limits/).
The agent's writes to one ticket in a cycle (priority, label, comments, remote
links, watchers) run one after another in the ticket's lane; this pacer holds
each write until it fits every window, so a busy ticket waits a little instead
of meeting 429s. A 429 that comes anyway (people writing the same issue) is
waited out by the call point, which honours ``Retry-After``.

The windows are the sandbox's defaults for the limit (``agent/sandbox/realism.py``):
at most 20 writes in 2 seconds and 100 in 30 seconds. A write counts from when
its answer came back, never from when it was sent: Jira counts it on arrival,
somewhere in between, so the agent's count is never behind Jira's. Clock and
sleep are injected, so tests check the spacing without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

# (writes, seconds): at most that many writes to one issue in any window that long
ISSUE_WRITE_WINDOWS: tuple[tuple[int, float], ...] = ((20, 2.0), (100, 30.0))
_PRUNE_AFTER = 1024  # issues remembered before idle ones are forgotten


class IssueWritePacer:
    """Sliding windows per issue; :meth:`turn` holds a write until it fits them all."""

    def __init__(
        self,
        windows: Sequence[tuple[int, float]] = ISSUE_WRITE_WINDOWS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not windows or any(count < 1 or seconds <= 0 for count, seconds in windows):
            raise ValueError(f"pacing windows need counts >= 1 and seconds > 0: {windows!r}")
        self.windows = tuple(windows)
        self._longest = max(seconds for _, seconds in self.windows)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._writes: dict[str, deque[float]] = {}
        self._turns: dict[str, threading.Lock] = {}

    @contextmanager
    def turn(self, issue: str) -> Iterator[float]:
        """Wait until one more write to ``issue`` fits every window, hold the issue while it
        is made, and count it when it ends; yields the seconds waited."""
        with self._lock:
            turn = self._turns.setdefault(issue, threading.Lock())
        with turn:
            waited = self._wait(issue)
            try:
                yield waited
            finally:
                with self._lock:
                    self._writes_of(issue, self._clock()).append(self._clock())

    def _wait(self, issue: str) -> float:
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                delay = self._delay(self._writes_of(issue, now), now)
            if delay <= 0:
                return waited
            self._sleep(delay)
            waited += delay

    def _writes_of(self, issue: str, now: float) -> deque[float]:
        if len(self._writes) > _PRUNE_AFTER:
            cutoff = now - self._longest
            self._writes = {k: w for k, w in self._writes.items() if w and w[-1] > cutoff}
            self._turns = {k: t for k, t in self._turns.items() if k in self._writes or t.locked()}
        writes = self._writes.setdefault(issue, deque())
        while writes and writes[0] <= now - self._longest:
            writes.popleft()
        return writes

    def _delay(self, writes: deque[float], now: float) -> float:
        """Seconds until one more write fits: the oldest write of a full window leaves it."""
        delay = 0.0
        for count, seconds in self.windows:
            recent = [t for t in writes if t > now - seconds]
            if len(recent) >= count:
                delay = max(delay, recent[-count] + seconds - now)
        return delay
