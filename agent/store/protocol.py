"""What the agent needs to remember between cycles, as an interface.

The core and the executor depend on :class:`StateStore`, not on SQL, so their
tests can pass a fake. Every method that depends on time takes ``now``: the store
never reads the wall clock, which keeps claims and leases testable without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

JsonDoc = dict[str, Any]


class EffectStatus(StrEnum):
    """Where an effect is in its life.

    ``pending`` until it is done; ``failed`` when the caller gave up after errors.
    """

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class ClaimOutcome(StrEnum):
    """The answer to :meth:`StateStore.begin_effect`."""

    CLAIMED = "claimed"  # ours to perform now (check ``needs_reconcile``)
    ALREADY_DONE = "already_done"  # performed before; ``record.external_ref`` says where
    BUSY = "busy"  # another worker holds a live claim on it
    CLOSED = "closed"  # failed for good: not to be attempted again


@dataclass(frozen=True)
class EffectRecord:
    """One row of the intent log: an external effect and how far it got."""

    key: str
    policy: str
    rule: str
    issue: str
    kind: str
    status: EffectStatus
    attempts: int
    last_error: str | None
    external_ref: JsonDoc | None
    claimed_by: str | None
    claimed_until: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class EffectClaim:
    """The result of trying to begin an effect.

    ``needs_reconcile`` is true when an earlier claim expired without the effect
    being settled (a crash mid-effect): the effect may or may not have happened,
    so the caller must look for its marker in the external system before doing it.
    """

    outcome: ClaimOutcome
    record: EffectRecord
    needs_reconcile: bool = False

    @property
    def claimed(self) -> bool:
        return self.outcome is ClaimOutcome.CLAIMED


@dataclass(frozen=True)
class Lease:
    """Who holds a named piece of work, and until when."""

    name: str
    owner: str
    expires_at: datetime


class StateStore(Protocol):
    """The agent's memory: the effect intent log, cursors, leases, facts (its engine state and
    snapshots among them, as JSON in the ``kv`` namespaces)."""

    # -- the effect intent log ------------------------------------------------------
    def begin_effect(
        self,
        key: str,
        *,
        policy: str,
        rule: str,
        issue: str,
        kind: str,
        owner: str,
        now: datetime,
        claim_for: timedelta,
    ) -> EffectClaim:
        """Atomically decide whether ``owner`` may perform the effect ``key`` now."""
        ...

    def finish_effect(
        self, key: str, owner: str, external_ref: JsonDoc | None, now: datetime
    ) -> EffectRecord:
        """Record the effect as done (idempotent for an effect already done)."""
        ...

    def fail_effect(
        self, key: str, owner: str, error: str, now: datetime, give_up: bool = False
    ) -> EffectRecord:
        """Count a failed attempt and release the claim; ``give_up`` closes it as failed."""
        ...

    def get_effect(self, key: str) -> EffectRecord | None: ...

    def effects_for_issue(self, issue: str) -> list[EffectRecord]: ...

    # -- cursors and small shared facts -----------------------------------------------
    def get_cursor(self, name: str) -> str | None: ...

    def set_cursor(self, name: str, value: str, now: datetime) -> None: ...

    def kv_get(self, namespace: str, key: str) -> Any: ...

    def kv_put(self, namespace: str, key: str, value: Any) -> None: ...

    def kv_put_if_absent(self, namespace: str, key: str, value: Any) -> Any:
        """Store ``value`` unless the key holds one already; return the value now stored.

        Atomic, so processes racing to record the same fact (replicas on one
        PostgreSQL) all get back the first one written.
        """
        ...

    def kv_delete(self, namespace: str, key: str) -> bool: ...

    def kv_all(self, namespace: str) -> dict[str, Any]: ...

    def kv_each(self, namespace: str) -> Iterator[tuple[str, Any]]:
        """``kv_all`` one entry at a time, by key, so a caller that converts each value
        (10,000 ticket snapshots) never holds all the parsed JSON at once."""
        ...

    # -- work leases --------------------------------------------------------------
    def acquire_lease(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        """Take or renew a lease; refused while another owner's lease is live."""
        ...

    def release_lease(self, name: str, owner: str) -> bool: ...

    def lease_holder(self, name: str, now: datetime) -> Lease | None: ...

    def close(self) -> None: ...
