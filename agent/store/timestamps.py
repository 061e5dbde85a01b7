"""Column types that behave the same on SQLite and PostgreSQL.

Timestamps are always timezone-aware UTC in Python. PostgreSQL keeps them as
``timestamptz``; SQLite has no date type, so they are fixed-width ISO 8601 text in
UTC, which sorts and compares correctly as text. Naive datetimes are refused:
a "now" without a zone is a bug in the caller, not something to guess about.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

_SQLITE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def as_utc(moment: datetime, what: str = "timestamp") -> datetime:
    """``moment`` converted to UTC; a naive datetime is an error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime: ``timestamptz`` on PostgreSQL, ISO text elsewhere."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return dialect.type_descriptor(String(32))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        moment = as_utc(value)
        if dialect.name == "postgresql":
            return moment
        return moment.strftime(_SQLITE_FORMAT)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return as_utc(value, "stored timestamp")
        return as_utc(datetime.fromisoformat(str(value)), "stored timestamp")
