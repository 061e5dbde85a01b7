"""Migrations run once, survive concurrent starts, and refuse a database from the future."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select

from agent.store import SqlStateStore, StoreError
from agent.store.schema import LATEST_VERSION, MIGRATIONS, schema_migrations
from tests.store.support import StoreTarget

TABLES = {"schema_migrations", "ticket_state", "effects", "cursors", "leases", "kv"}


def _applied(store: SqlStateStore) -> list[tuple[int, datetime]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(schema_migrations.c.version, schema_migrations.c.applied_at).order_by(
                schema_migrations.c.version
            )
        )
        return [(row.version, row.applied_at) for row in rows]


def test_fresh_database_gets_every_table_and_migration(sql_target: StoreTarget) -> None:
    store = sql_target.open_sql()

    with store.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names(schema=sql_target.schema))
    assert tables == TABLES
    applied = _applied(store)
    assert [version for version, _ in applied] == [m.version for m in MIGRATIONS]
    assert all(at.tzinfo is UTC for _, at in applied)


def test_reopening_applies_nothing_again(sql_target: StoreTarget) -> None:
    first = sql_target.open_sql()
    first.kv_put("facts", "answer", 42)
    before = _applied(first)
    first.close()

    second = sql_target.open_sql()

    assert _applied(second) == before
    assert second.kv_get("facts", "answer") == 42


def test_concurrent_starts_migrate_exactly_once(sql_target: StoreTarget) -> None:
    workers = 8
    barrier = threading.Barrier(workers)

    def start(n: int) -> SqlStateStore:
        barrier.wait()
        store = sql_target.open_sql()
        store.kv_put("started", f"replica-{n}", n)
        return store

    with ThreadPoolExecutor(workers) as pool:
        stores = list(pool.map(start, range(workers)))

    assert [version for version, _ in _applied(stores[0])] == list(range(1, LATEST_VERSION + 1))
    assert stores[-1].kv_all("started") == {f"replica-{n}": n for n in range(workers)}


def test_a_newer_schema_is_refused_with_advice(sql_target: StoreTarget) -> None:
    store = sql_target.open_sql()
    with store.engine.begin() as conn:
        conn.execute(
            schema_migrations.insert().values(
                version=LATEST_VERSION + 1,
                name="from a future release",
                applied_at=datetime(2030, 1, 1, tzinfo=UTC),
            )
        )
    store.close()

    with pytest.raises(StoreError) as caught:
        sql_target.open_sql()

    message = str(caught.value)
    assert f"schema version {LATEST_VERSION + 1}" in message
    assert f"up to {LATEST_VERSION}" in message
    assert "Upgrade this agent" in message
    assert store.url in message
