"""Small helpers shared by the SQL modules: JSON encoding and dialect-specific upserts."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def dump_json(value: Any, what: str) -> str:
    """Canonical JSON text; refuses what would not round-trip (sets, NaN, datetimes...)."""
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} cannot be stored as JSON: {exc}") from exc


def load_json(text: str) -> Any:
    return json.loads(text)


def insert_for(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ``on_conflict_do_*`` on the connection's backend.

    Both dialects' Insert constructs offer the same upsert methods, so callers
    write one statement for PostgreSQL and SQLite.
    """
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
