"""Migrations run once, survive concurrent starts, and refuse a database from the future."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from agent.store import EffectStatus, SqlStateStore, StoreError, open_store
from agent.store.engine import create_state_engine, resolve_target
from agent.store.tables import LATEST_VERSION, MIGRATIONS, effects, kv, schema_migrations
from tests.store.support import StoreTarget

TABLES = {"schema_migrations", "effects", "cursors", "leases", "kv"}
EXAMPLES = Path(__file__).parent / "examples"


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


def test_a_state_file_of_the_first_version_opens_and_keeps_its_data(tmp_path: Path) -> None:
    """``state-v1.sql`` is the dump of a SQLite state file the agent made at schema
    version 1 (with a row in the ``ticket_state`` table that version 2 drops)."""
    path = tmp_path / "agent-state.db"
    with sqlite3.connect(path) as made:
        made.executescript((EXAMPLES / "state-v1.sql").read_text(encoding="utf-8"))
    made.close()

    store = open_store(f"sqlite:///{path}")

    try:
        with store.engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == TABLES
        assert [version for version, _ in _applied(store)] == list(range(1, LATEST_VERSION + 1))
        done = store.get_effect("incident:ack-nudge:INC-1:1")
        assert done is not None and done.status is EffectStatus.DONE
        assert done.external_ref == {"channel": "C1", "ts": "1772443800.000100"}
        assert [e.key for e in store.effects_for_issue("INC-1")] == [
            "incident:ack-nudge:INC-1:1",
            "incident:page-create:INC-1:1",
        ]
        assert store.get_cursor("incident") == "2026-03-02T08:59:00+00:00"
        assert store.kv_get("facts", "answer") == 42
        lease_end = datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
        holder = store.lease_holder("cycle", lease_end - timedelta(seconds=1))
        assert holder is not None and holder.owner == "replica-a"
    finally:
        store.close()


def test_a_first_version_database_is_migrated_forward(sql_target: StoreTarget) -> None:
    """A database left at version 1 by the previous agent (made here by its own
    migration) opens: version 2 drops ``ticket_state`` and keeps everything else."""
    engine = create_state_engine(resolve_target(sql_target.url, sql_target.schema))
    with engine.begin() as conn:
        if sql_target.schema is not None:
            conn.execute(text(f'CREATE SCHEMA "{sql_target.schema}"'))
        schema_migrations.create(conn)
        MIGRATIONS[0].apply(conn)
        conn.execute(
            schema_migrations.insert().values(
                version=1, name=MIGRATIONS[0].name, applied_at=datetime(2026, 3, 1, tzinfo=UTC)
            )
        )
        conn.execute(kv.insert().values(namespace="facts", key="answer", value="42"))
        assert "ticket_state" in inspect(conn).get_table_names(schema=sql_target.schema)
        assert effects.name in inspect(conn).get_table_names(schema=sql_target.schema)
    engine.dispose()

    store = sql_target.open_sql()

    with store.engine.connect() as conn:
        assert set(inspect(conn).get_table_names(schema=sql_target.schema)) == TABLES
    assert [version for version, _ in _applied(store)] == list(range(1, LATEST_VERSION + 1))
    assert store.kv_get("facts", "answer") == 42
