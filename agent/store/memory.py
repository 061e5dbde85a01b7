"""An in-memory :class:`~agent.store.protocol.StateStore` for tests and dry runs.

It behaves like the SQL store (the same test-suite runs against both): the same
outcomes, errors and orderings, JSON copies in and out so callers cannot alias
stored state, and aware-UTC timestamps. One instance shared between threads
stands in for several replicas sharing a database. Nothing survives the process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from agent.store.effects import MAX_ERROR_CHARS
from agent.store.protocol import (
    ClaimOutcome,
    EffectClaim,
    EffectRecord,
    EffectStatus,
    JsonDoc,
    Lease,
    StateStore,
)
from agent.store.sqlbits import dump_json
from agent.store.store_errors import ClaimLostError, UnknownEffectError
from agent.store.timestamps import as_utc


class MemoryStateStore:
    """Thread-safe dictionaries with the SQL store's semantics."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._effects: dict[str, EffectRecord] = {}
        self._cursors: dict[str, str] = {}
        self._kv: dict[tuple[str, str], str] = {}
        self._leases: dict[str, Lease] = {}

    def close(self) -> None:
        """Nothing to release; kept so callers can treat every store alike."""

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
        if claim_for <= timedelta(0):
            raise ValueError(f"claim_for must be positive, got {claim_for}")
        now = as_utc(now, "now")
        until = now + claim_for
        with self._lock:
            current = self._effects.get(key)
            if current is None:
                record = EffectRecord(
                    key, policy, rule, issue, kind, EffectStatus.PENDING, 0, None, None,
                    owner, until, now, now,
                )  # fmt: skip
                self._effects[key] = record
                return EffectClaim(ClaimOutcome.CLAIMED, record)
            if current.status is EffectStatus.DONE:
                return EffectClaim(ClaimOutcome.ALREADY_DONE, current)
            if current.status is not EffectStatus.PENDING:
                return EffectClaim(ClaimOutcome.CLOSED, current)
            if current.claimed_until is not None and current.claimed_until > now:
                return EffectClaim(ClaimOutcome.BUSY, current)
            claimed = replace(current, claimed_by=owner, claimed_until=until, updated_at=now)
            self._effects[key] = claimed
            return EffectClaim(
                ClaimOutcome.CLAIMED, claimed, needs_reconcile=current.claimed_by is not None
            )

    def _held(self, key: str, owner: str, doing: str) -> EffectRecord | None:
        """The record if ``owner`` holds it; None if it is already done (finish only)."""
        current = self._effects.get(key)
        if current is None:
            raise UnknownEffectError(f"cannot {doing} effect {key!r}: it was never begun")
        if current.status is EffectStatus.PENDING and current.claimed_by == owner:
            return current
        if current.status is EffectStatus.DONE and doing == "finish":
            return None
        raise ClaimLostError(
            f"cannot {doing} effect {key!r} for {owner}: it is {current.status.value} and held by "
            f"{current.claimed_by or 'nobody'}; the claim expired and was taken over, and the "
            "new holder reconciles it"
        )

    def finish_effect(
        self, key: str, owner: str, external_ref: JsonDoc | None, now: datetime
    ) -> EffectRecord:
        now = as_utc(now, "now")
        ref_text = (
            dump_json(external_ref, f"external_ref of effect {key!r}")
            if external_ref is not None
            else None
        )
        with self._lock:
            current = self._held(key, owner, "finish")
            if current is None:
                return self._effects[key]
            done = replace(
                current,
                status=EffectStatus.DONE,
                external_ref=json.loads(ref_text) if ref_text is not None else None,
                claimed_until=None,
                updated_at=now,
            )
            self._effects[key] = done
            return done

    def fail_effect(
        self, key: str, owner: str, error: str, now: datetime, give_up: bool = False
    ) -> EffectRecord:
        now = as_utc(now, "now")
        with self._lock:
            current = self._held(key, owner, "fail")
            assert current is not None
            failed = replace(
                current,
                status=EffectStatus.FAILED if give_up else EffectStatus.PENDING,
                attempts=current.attempts + 1,
                last_error=error[:MAX_ERROR_CHARS],
                claimed_by=None,
                claimed_until=None,
                updated_at=now,
            )
            self._effects[key] = failed
            return failed

    def get_effect(self, key: str) -> EffectRecord | None:
        with self._lock:
            return self._effects.get(key)

    def _sorted(self, records: list[EffectRecord]) -> list[EffectRecord]:
        return sorted(records, key=lambda r: (r.created_at, r.key))

    def effects_for_issue(self, issue: str) -> list[EffectRecord]:
        with self._lock:
            return self._sorted([r for r in self._effects.values() if r.issue == issue])

    # -- cursors and small shared facts -----------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        with self._lock:
            return self._cursors.get(name)

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        as_utc(now, "now")
        with self._lock:
            self._cursors[name] = value

    def kv_get(self, namespace: str, key: str) -> Any:
        with self._lock:
            text = self._kv.get((namespace, key))
        return json.loads(text) if text is not None else None

    def kv_put(self, namespace: str, key: str, value: Any) -> None:
        if value is None:
            raise ValueError(f"kv {namespace}/{key}: None means absent; use kv_delete instead")
        text = dump_json(value, f"kv {namespace}/{key}")
        with self._lock:
            self._kv[(namespace, key)] = text

    def kv_put_if_absent(self, namespace: str, key: str, value: Any) -> Any:
        if value is None:
            raise ValueError(f"kv {namespace}/{key}: None means absent; use kv_delete instead")
        text = dump_json(value, f"kv {namespace}/{key}")
        with self._lock:
            stored = self._kv.setdefault((namespace, key), text)
        return json.loads(stored)

    def kv_delete(self, namespace: str, key: str) -> bool:
        with self._lock:
            return self._kv.pop((namespace, key), None) is not None

    def kv_all(self, namespace: str) -> dict[str, Any]:
        with self._lock:
            found = {k: t for (ns, k), t in self._kv.items() if ns == namespace}
        return {k: json.loads(found[k]) for k in sorted(found)}

    def kv_each(self, namespace: str) -> Iterator[tuple[str, Any]]:
        with self._lock:
            found = {k: t for (ns, k), t in self._kv.items() if ns == namespace}
        for key in sorted(found):
            yield key, json.loads(found[key])

    # -- work leases --------------------------------------------------------------
    def acquire_lease(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        if ttl <= timedelta(0):
            raise ValueError(f"a lease's ttl must be positive, got {ttl}")
        now = as_utc(now, "now")
        with self._lock:
            current = self._leases.get(name)
            if current is not None and current.owner != owner and current.expires_at > now:
                return False
            self._leases[name] = Lease(name, owner, now + ttl)
            return True

    def release_lease(self, name: str, owner: str) -> bool:
        with self._lock:
            current = self._leases.get(name)
            if current is None or current.owner != owner:
                return False
            del self._leases[name]
            return True

    def lease_holder(self, name: str, now: datetime) -> Lease | None:
        now = as_utc(now, "now")
        with self._lock:
            current = self._leases.get(name)
        return current if current is not None and current.expires_at > now else None


if TYPE_CHECKING:  # mypy proves the fake honours the protocol the core depends on

    def _conforms(store: MemoryStateStore) -> StateStore:
        return store
