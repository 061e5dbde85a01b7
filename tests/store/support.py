"""Shared test helpers: where a test's database lives, a fixed start time, a terse begin,
and a look straight into the effect log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from agent.store import EffectClaim, EffectStatus, SqlStateStore, StateStore, open_store
from agent.store.memory import MemoryStateStore
from agent.store.tables import effects

T0 = datetime(2026, 3, 2, 9, 30, 0, 123456, tzinfo=UTC)
CLAIM = timedelta(minutes=5)


def begin(
    store: StateStore,
    key: str,
    owner: str,
    now: datetime = T0,
    *,
    issue: str = "INC-1",
    rule: str = "ack-nudge",
    claim_for: timedelta = CLAIM,
) -> EffectClaim:
    return store.begin_effect(
        key,
        policy="incident",
        rule=rule,
        issue=issue,
        kind="slack.message",
        owner=owner,
        now=now,
        claim_for=claim_for,
    )


def count_effects(store: SqlStateStore, status: EffectStatus) -> int:
    """How many effects in the whole log have ``status`` (the agent itself never asks)."""
    query = select(func.count()).select_from(effects).where(effects.c.status == status.value)
    with store.engine.connect() as conn:
        return int(conn.scalar(query) or 0)


@dataclass
class StoreTarget:
    """Where a test's stores live; ``open()`` opens another store on the same database.

    The ``memory`` backend has no database: every ``open()`` returns the one shared
    :class:`MemoryStateStore`, as replicas would share one database.
    """

    backend: str
    url: str
    schema: str | None
    opened: list[StateStore] = field(default_factory=list)
    _memory: MemoryStateStore = field(default_factory=MemoryStateStore)

    def open(self) -> StateStore:
        if self.backend == "memory":
            return self._memory
        return self.open_sql()

    def open_sql(self) -> SqlStateStore:
        assert self.backend != "memory", "this test needs a SQL database"
        store = open_store(self.url, schema=self.schema)
        self.opened.append(store)
        return store

    def close_all(self) -> None:
        for store in self.opened:
            store.close()
        self.opened.clear()
