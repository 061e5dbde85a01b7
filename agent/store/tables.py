"""The state database's tables and the migrations that create them.

Tables carry no schema name: on PostgreSQL the engine maps them into the
configured schema (``schema_translate_map``), so one definition serves every
deployment and every test run.

Migrations are our own, deliberately tiny: an ordered list of Python functions,
each given the connection of one transaction. ``schema_migrations`` records the
versions applied. On PostgreSQL a transaction-scoped advisory lock serialises
replicas that start together; on SQLite the migration transaction is
``BEGIN IMMEDIATE``, which does the same. A database at a version this code does
not know is refused rather than used: a newer agent may have changed meanings.

A table below shows its *latest* shape. When a later migration alters a table,
first freeze the old shape inside the earlier migration so it keeps creating
exactly what it created before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    inspect,
    select,
    text,
)

from agent.store.store_errors import StoreError
from agent.store.timestamps import UtcDateTime

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)

effects = Table(
    "effects",
    metadata,
    Column("key", String(500), primary_key=True),
    Column("policy", String(200), nullable=False),
    Column("rule", String(200), nullable=False),
    Column("issue", String(200), nullable=False, index=True),
    Column("kind", String(100), nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("external_ref", Text),  # JSON: comment id, message ts, page id...
    Column("claimed_by", String(200)),
    Column("claimed_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

cursors = Table(
    "cursors",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

kv = Table(
    "kv",
    metadata,
    Column("namespace", String(200), nullable=False),
    Column("key", String(500), nullable=False),
    Column("value", Text, nullable=False),  # JSON
    PrimaryKeyConstraint("namespace", "key"),
)


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


# Version 1 also made this table, frozen here in its shape of then (outside ``metadata``:
# no version since has it). Version 2 drops it.
_ticket_state_v1 = Table(
    "ticket_state",
    MetaData(),
    Column("policy", String(200), nullable=False),
    Column("issue", String(200), nullable=False),
    Column("data", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("policy", "issue"),
)


def _create_initial_tables(conn: Connection) -> None:
    for table in (_ticket_state_v1, effects, cursors, leases, kv):
        table.create(conn)


def _drop_ticket_state(conn: Connection) -> None:
    """Version 1's per-ticket documents were never read or written by the agent (its
    engine state lives in ``kv``): the table goes, and no data with it."""
    _ticket_state_v1.drop(conn, checkfirst=True)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "ticket state, effects, cursors, leases, kv", _create_initial_tables),
    Migration(2, "drop the unused ticket state", _drop_ticket_state),
)
LATEST_VERSION = MIGRATIONS[-1].version


def advisory_lock_key(schema: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock``, one per schema."""
    digest = hashlib.sha256(f"escalation-agent:migrations:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def migrate(conn: Connection, *, schema: str | None, shown_url: str) -> list[int]:
    """Bring the database up to :data:`LATEST_VERSION` inside ``conn``'s transaction.

    Returns the versions applied now (empty when the database was current).
    ``schema`` is the real PostgreSQL schema name (None on SQLite).
    """
    if conn.dialect.name == "postgresql":
        assert schema is not None
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_lock_key(schema)})
        exists = conn.scalar(
            text("SELECT 1 FROM pg_namespace WHERE nspname = :name"), {"name": schema}
        )
        if exists is None:  # checked first: CREATE needs a privilege an existing schema does not
            quoted = conn.dialect.identifier_preparer.quote_schema(schema)
            conn.execute(text(f"CREATE SCHEMA {quoted}"))
    if not inspect(conn).has_table(schema_migrations.name, schema=schema):
        schema_migrations.create(conn)
    applied = set(conn.scalars(select(schema_migrations.c.version)))
    unknown = sorted(v for v in applied if v > LATEST_VERSION)
    if unknown:
        raise StoreError(
            f"the state database {shown_url} is at schema version {unknown[-1]}, newer than "
            f"this agent knows (up to {LATEST_VERSION}): a newer escalation-agent has used it. "
            "Upgrade this agent, or point AGENT_STATE_URL at another database."
        )
    done_now: list[int] = []
    for migration in MIGRATIONS:
        if migration.version in applied:
            continue
        migration.apply(conn)
        conn.execute(
            schema_migrations.insert().values(
                version=migration.version,
                name=migration.name,
                applied_at=_migration_time(conn),
            )
        )
        done_now.append(migration.version)
    return done_now


def _migration_time(conn: Connection) -> datetime:
    """The database's own clock: bookkeeping only, so migrations need no ``now`` argument."""
    if conn.dialect.name == "postgresql":
        value = conn.scalar(text("SELECT now()"))
        assert isinstance(value, datetime)
        return value
    return datetime.fromisoformat(
        str(conn.scalar(text("SELECT strftime('%Y-%m-%dT%H:%M:%f', 'now')"))) + "+00:00"
    )
