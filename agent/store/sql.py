"""The SQLAlchemy Core implementation of :class:`~agent.store.protocol.StateStore`.

One class for SQLite and PostgreSQL: the differences (driver, upsert syntax,
locking, timestamp storage) are confined to ``engine``, ``sqlbits`` and
``types``. Every public method is one short transaction, so a crash never leaves
half an update behind and replicas only ever wait on each other briefly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, select

from agent.store import effects as effect_log
from agent.store.engine import (
    READ_ONLY_OPTION,
    Target,
    create_state_engine,
    resolve_target,
    translated_errors,
)
from agent.store.protocol import (
    EffectClaim,
    EffectRecord,
    JsonDoc,
    Lease,
    StateStore,
)
from agent.store.sqlbits import dump_json, insert_for, load_json
from agent.store.tables import cursors, kv, leases, migrate
from agent.store.timestamps import as_utc


def open_store(url: str, *, schema: str | None = None) -> SqlStateStore:
    """Connect to the state database at ``url`` and bring its schema up to date.

    ``schema`` picks the PostgreSQL schema (default ``public``); SQLite has none.
    Raises :class:`~agent.store.store_errors.StoreError` with the URL (password hidden)
    and a next step when the URL is malformed, the database cannot be reached, or
    it was migrated by a newer agent than this one.
    """
    target = resolve_target(url, schema)
    engine = create_state_engine(target)
    try:
        with translated_errors(target, "open", any_error=True), engine.begin() as conn:
            migrate(conn, schema=target.schema, shown_url=target.shown)
    except BaseException:
        engine.dispose()
        raise
    return SqlStateStore(engine, target)


class SqlStateStore:
    """The agent's state in a SQL database; safe to share between threads and replicas."""

    def __init__(self, engine: Engine, target: Target) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY_OPTION: True})
        self._target = target

    @property
    def url(self) -> str:
        """The database URL with the password hidden, for logs and ``status``."""
        return self._target.shown

    @property
    def schema(self) -> str | None:
        return self._target.schema

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> SqlStateStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with translated_errors(self._target, "write to"), self._engine.begin() as conn:
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with translated_errors(self._target, "read"), self._reader.connect() as conn:
            yield conn

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
        with self._write() as conn:
            return effect_log.begin(
                conn,
                key=key,
                policy=policy,
                rule=rule,
                issue=issue,
                kind=kind,
                owner=owner,
                now=now,
                claim_for=claim_for,
            )

    def finish_effect(
        self, key: str, owner: str, external_ref: JsonDoc | None, now: datetime
    ) -> EffectRecord:
        with self._write() as conn:
            return effect_log.finish(conn, key=key, owner=owner, external_ref=external_ref, now=now)

    def fail_effect(
        self, key: str, owner: str, error: str, now: datetime, give_up: bool = False
    ) -> EffectRecord:
        with self._write() as conn:
            return effect_log.fail(
                conn, key=key, owner=owner, error=error, now=now, give_up=give_up
            )

    def get_effect(self, key: str) -> EffectRecord | None:
        with self._read() as conn:
            return effect_log.fetch(conn, key)

    def effects_for_issue(self, issue: str) -> list[EffectRecord]:
        with self._read() as conn:
            return effect_log.for_issue(conn, issue)

    # -- cursors ------------------------------------------------------------------------
    def get_cursor(self, name: str) -> str | None:
        with self._read() as conn:
            value = conn.scalar(select(cursors.c.value).where(cursors.c.name == name))
        return str(value) if value is not None else None

    def set_cursor(self, name: str, value: str, now: datetime) -> None:
        now = as_utc(now, "now")
        with self._write() as conn:
            stmt = insert_for(conn, cursors).values(name=name, value=value, updated_at=now)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[cursors.c.name],
                    set_={"value": stmt.excluded.value, "updated_at": stmt.excluded.updated_at},
                )
            )

    # -- small shared facts -------------------------------------------------------------
    def kv_get(self, namespace: str, key: str) -> Any:
        query = select(kv.c.value).where(kv.c.namespace == namespace, kv.c.key == key)
        with self._read() as conn:
            text = conn.scalar(query)
        return load_json(text) if text is not None else None

    def kv_put(self, namespace: str, key: str, value: Any) -> None:
        if value is None:
            raise ValueError(f"kv {namespace}/{key}: None means absent; use kv_delete instead")
        text = dump_json(value, f"kv {namespace}/{key}")
        with self._write() as conn:
            stmt = insert_for(conn, kv).values(namespace=namespace, key=key, value=text)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[kv.c.namespace, kv.c.key], set_={"value": stmt.excluded.value}
                )
            )

    def kv_put_if_absent(self, namespace: str, key: str, value: Any) -> Any:
        if value is None:
            raise ValueError(f"kv {namespace}/{key}: None means absent; use kv_delete instead")
        text = dump_json(value, f"kv {namespace}/{key}")
        query = select(kv.c.value).where(kv.c.namespace == namespace, kv.c.key == key)
        with self._write() as conn:
            stmt = insert_for(conn, kv).values(namespace=namespace, key=key, value=text)
            conn.execute(stmt.on_conflict_do_nothing(index_elements=[kv.c.namespace, kv.c.key]))
            stored = conn.scalar(query)
        return load_json(stored) if stored is not None else value

    def kv_delete(self, namespace: str, key: str) -> bool:
        stmt = delete(kv).where(kv.c.namespace == namespace, kv.c.key == key)
        with self._write() as conn:
            return conn.execute(stmt).rowcount > 0

    def kv_all(self, namespace: str) -> dict[str, Any]:
        query = select(kv.c.key, kv.c.value).where(kv.c.namespace == namespace).order_by(kv.c.key)
        with self._read() as conn:
            return {row.key: load_json(row.value) for row in conn.execute(query)}

    def kv_each(self, namespace: str) -> Iterator[tuple[str, Any]]:
        query = select(kv.c.key, kv.c.value).where(kv.c.namespace == namespace).order_by(kv.c.key)
        with self._read() as conn:
            for row in conn.execution_options(yield_per=500).execute(query):
                yield row.key, load_json(row.value)

    # -- work leases --------------------------------------------------------------
    def acquire_lease(self, name: str, owner: str, ttl: timedelta, now: datetime) -> bool:
        if ttl <= timedelta(0):
            raise ValueError(f"a lease's ttl must be positive, got {ttl}")
        now = as_utc(now, "now")
        with self._write() as conn:
            stmt = insert_for(conn, leases).values(name=name, owner=owner, expires_at=now + ttl)
            # Taken or renewed only if it is ours already or its holder let it lapse.
            stmt = stmt.on_conflict_do_update(
                index_elements=[leases.c.name],
                set_={"owner": stmt.excluded.owner, "expires_at": stmt.excluded.expires_at},
                where=(leases.c.owner == owner) | (leases.c.expires_at <= now),
            )
            conn.execute(stmt)
            holder = conn.scalar(select(leases.c.owner).where(leases.c.name == name))
        return bool(holder == owner)

    def release_lease(self, name: str, owner: str) -> bool:
        stmt = delete(leases).where(leases.c.name == name, leases.c.owner == owner)
        with self._write() as conn:
            return conn.execute(stmt).rowcount > 0

    def lease_holder(self, name: str, now: datetime) -> Lease | None:
        query = select(leases).where(
            leases.c.name == name, leases.c.expires_at > as_utc(now, "now")
        )
        with self._read() as conn:
            row = conn.execute(query).first()
        return Lease(row.name, row.owner, row.expires_at) if row is not None else None


if TYPE_CHECKING:  # mypy proves the SQL store honours the protocol the core depends on

    def _conforms(store: SqlStateStore) -> StateStore:
        return store
