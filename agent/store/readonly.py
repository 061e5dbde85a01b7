"""A state store that can only be read: what ``plan`` and ``AGENT_DRY_RUN`` use.

Opening it never migrates or creates anything (a missing SQLite file reads as
empty), and every write method raises, so a dry run provably leaves the state
as it found it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy.engine import make_url

from agent.store import (
    EffectClaim,
    EffectRecord,
    JsonDoc,
    Lease,
    MemoryStateStore,
    SqlStateStore,
    StateStore,
    StoreError,
)
from agent.store.engine import create_state_engine, resolve_target


class ReadOnlyStoreError(StoreError):
    """Something tried to write during a read-only run (a bug: plan must not write)."""


def open_read_only_store(url: str) -> ReadOnlyStore:
    """The state at ``url`` for reading only; an absent SQLite file is an empty state."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or not Path(database).expanduser().is_file():
            return ReadOnlyStore(MemoryStateStore())
    target = resolve_target(url, None)
    return ReadOnlyStore(SqlStateStore(create_state_engine(target), target))


class ReadOnlyStore:
    """Delegates reads to ``inner``; every write raises :class:`ReadOnlyStoreError`."""

    def __init__(self, inner: StateStore) -> None:
        self._inner = inner

    @staticmethod
    def _refuse(what: str) -> NoReturn:
        raise ReadOnlyStoreError(f"{what} refused: this run is read-only (plan / AGENT_DRY_RUN)")

    # -- reads ------------------------------------------------------------------------
    def get_effect(self, key: str) -> EffectRecord | None:
        return self._inner.get_effect(key)

    def effects_for_issue(self, issue: str) -> list[EffectRecord]:
        return self._inner.effects_for_issue(issue)

    def get_cursor(self, name: str) -> str | None:
        return self._inner.get_cursor(name)

    def kv_get(self, namespace: str, key: str) -> Any:
        return self._inner.kv_get(namespace, key)

    def kv_all(self, namespace: str) -> dict[str, Any]:
        return self._inner.kv_all(namespace)

    def kv_each(self, namespace: str) -> Iterator[tuple[str, Any]]:
        return self._inner.kv_each(namespace)

    def lease_holder(self, name: str, now: datetime) -> Lease | None:
        return self._inner.lease_holder(name, now)

    def close(self) -> None:
        self._inner.close()

    # -- writes: refused ----------------------------------------------------------------
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
        self._refuse(f"begin_effect {key}")

    def finish_effect(
        self, key: str, owner: str, external_ref: JsonDoc | None, now: datetime
    ) -> EffectRecord:
        self._refuse(f"finish_effect {key}")

    def fail_effect(
        self, key: str, owner: str, error: str, now: datetime, give_up: bool = False
    ) -> EffectRecord:
        self._refuse(f"fail_effect {key}")

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        self._refuse(f"set_cursor {name}")

    def kv_put(self, namespace: str, key: str, value: Any) -> None:
        self._refuse(f"kv_put {namespace}/{key}")

    def kv_put_if_absent(self, namespace: str, key: str, value: Any) -> Any:
        self._refuse(f"kv_put_if_absent {namespace}/{key}")

    def kv_delete(self, namespace: str, key: str) -> bool:
        self._refuse(f"kv_delete {namespace}/{key}")

    def acquire_lease(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        self._refuse(f"acquire_lease {name}")

    def release_lease(self, name: str, owner: str) -> bool:
        self._refuse(f"release_lease {name}")


if TYPE_CHECKING:

    def _conforms(store: ReadOnlyStore) -> StateStore:
        """mypy proves here that the read-only store is a StateStore."""
        return store
