"""The sandbox's notion of "now", which tests and demos can set and freeze.

Everything the sandbox stamps (created/updated times, comment and changelog
times, Slack ``ts``) comes from here, so a scenario can move through a day
without waiting for one.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.sandbox.store import DocStore

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SandboxClock:
    """Wall time shifted to a chosen start, optionally frozen; persisted in the store."""

    def __init__(self, store: DocStore) -> None:
        self._store = store
        self._lock = threading.Lock()
        saved = store.get("_meta", "clock")
        if saved:
            self._base = datetime.fromisoformat(saved["now"])
            self._frozen = bool(saved["frozen"])
        else:
            self._base = datetime.now(UTC)
            self._frozen = False
        self._real_base = time.monotonic()
        self._last_ts_us = 0

    def now(self) -> datetime:
        with self._lock:
            if self._frozen:
                return self._base
            return self._base + timedelta(seconds=time.monotonic() - self._real_base)

    def set(self, now: datetime | None = None, frozen: bool | None = None) -> None:
        with self._lock:
            current = (
                self._base
                if self._frozen
                else (self._base + timedelta(seconds=time.monotonic() - self._real_base))
            )
            if now is not None:
                if now.tzinfo is None:
                    now = now.replace(tzinfo=UTC)
                current = now.astimezone(UTC)
            if frozen is not None:
                self._frozen = frozen
            self._base = current
            self._real_base = time.monotonic()
            self._store.put("_meta", "clock", {"now": current.isoformat(), "frozen": self._frozen})

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)

    def state(self) -> dict[str, Any]:
        return {"now": self.now().isoformat(), "frozen": self._frozen}

    def slack_ts(self) -> str:
        """A unique Slack timestamp ("seconds.micros") at the sandbox's now.

        Slack ``ts`` values are unique per channel; with a frozen clock many
        messages share a second, so each new one is at least a microsecond later.
        """
        with self._lock:
            base = (
                self._base
                if self._frozen
                else (self._base + timedelta(seconds=time.monotonic() - self._real_base))
            )
            # integer microseconds: float arithmetic at today's epoch can round back
            micros = (base - _EPOCH) // timedelta(microseconds=1)
            micros = max(micros, self._last_ts_us + 1)
            self._last_ts_us = micros
        seconds, fraction = divmod(micros, 1_000_000)
        return f"{seconds}.{fraction:06d}"


def jira_time(moment: datetime) -> str:
    """Jira's timestamp format: ``2026-11-22T09:15:00.000+0000``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


def confluence_time(moment: datetime) -> str:
    """Confluence's timestamp format: ``2026-11-22T09:15:00.000Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )
