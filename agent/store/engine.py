"""Turning ``AGENT_STATE_URL`` into a configured SQLAlchemy engine.

Everything backend-specific about *connecting* lives here: the psycopg 3 driver
for ``postgresql://`` URLs, the schema mapping, SQLite's folder, WAL mode, busy
timeout and ``BEGIN IMMEDIATE`` transactions, and translating driver errors into
a :class:`StoreError` an operator can act on (with the password hidden).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.pool import ConnectionPoolEntry

from agent.store.store_errors import StoreError

DEFAULT_PG_SCHEMA = "public"
SQLITE_BUSY_SECONDS = 30
PG_CONNECT_TIMEOUT_SECONDS = 10
READ_ONLY_OPTION = "agent_read_only"
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_URL_HELP = (
    "expected sqlite:///path/to/agent-state.db or postgresql://user:password@host:5432/dbname"
)


@dataclass(frozen=True)
class Target:
    """A parsed, checked database location."""

    url: URL
    shown: str  # for messages: the URL with its password hidden
    schema: str | None  # PostgreSQL schema; None on SQLite

    @property
    def is_postgres(self) -> bool:
        return self.url.get_backend_name() == "postgresql"


def redact(raw: str) -> str:
    """Hide a password in a URL string that may be too broken for ``make_url``.

    Everything between the user name and the *last* ``@`` is hidden, so an
    unencoded ``@`` inside the password cannot leak its tail.
    """
    head, at, host = raw.rpartition("@")
    scheme, sep, userinfo = head.rpartition("://")
    if not at or ":" not in userinfo:
        return raw
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


def resolve_target(raw_url: str, schema: str | None) -> Target:
    """Parse and check the URL; create the SQLite file's folder."""
    try:
        url = make_url(raw_url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"AGENT_STATE_URL {redact(raw_url)!r} is not a database URL ({exc}); {_URL_HELP}"
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend == "postgresql":
        name = DEFAULT_PG_SCHEMA if schema is None else schema
        if not _SCHEMA_NAME.match(name):
            raise StoreError(
                f"{name!r} is not a usable PostgreSQL schema name for {shown}: "
                "use letters, digits and underscores, starting with a letter"
            )
        return Target(url=url, shown=shown, schema=name)
    if backend != "sqlite":
        raise StoreError(
            f"AGENT_STATE_URL {shown} uses the {backend!r} backend, which the agent does not "
            f"support; {_URL_HELP}"
        )
    if schema is not None:
        raise StoreError(
            f"a schema ({schema!r}) was given for {shown}, but only PostgreSQL has schemas"
        )
    if not url.database or url.database == ":memory:":
        raise StoreError(
            f"AGENT_STATE_URL {shown} names no file: an in-memory database would forget "
            f"everything on restart and cannot be shared; {_URL_HELP}"
        )
    folder = Path(url.database).expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the folder {folder} for the state database {shown}: "
            f"{exc.strerror or exc}; choose a writable path in AGENT_STATE_URL"
        ) from None
    return Target(url=url, shown=shown, schema=None)


def create_state_engine(target: Target) -> Engine:
    """An engine with the right driver, timeouts and transaction behaviour."""
    try:
        if target.is_postgres:
            engine = create_engine(
                target.url,
                pool_pre_ping=True,
                connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS},
            )
            return engine.execution_options(schema_translate_map={None: target.schema})
        engine = create_engine(target.url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"cannot use {target.shown}: its database driver is not available ({exc}); "
            "use postgresql:// (psycopg 3) or sqlite:///"
        ) from None
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module so _sqlite_on_begin decides.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit that reported success survives power loss; a lost "done"
        # or claim could otherwise turn into a repeated effect.
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    # Writers take the write lock at BEGIN, so check-then-act inside one transaction
    # is atomic across threads and processes; readers do not block anyone (WAL).
    read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def describe_db_error(exc: DBAPIError, target: Target) -> str:
    """The driver's own first lines, with the password scrubbed out."""
    reason = str(exc.orig) if exc.orig is not None else str(exc)
    lines = [line.strip() for line in reason.strip().splitlines() if line.strip()]
    text = "; ".join(lines[:2]) or type(exc.orig).__name__
    password = target.url.password
    if password:
        text = text.replace(str(password), "***")
    return text


@contextmanager
def translated_errors(target: Target, doing: str, *, any_error: bool = False) -> Iterator[None]:
    """Turn driver failures into a :class:`StoreError` naming the database.

    Only connection-level failures by default: a constraint violation at run time
    is a bug to see as it is. ``any_error`` is for opening, where every failure
    (say, no privilege to create the schema) means the same: the store is unusable.
    """
    try:
        yield
    except DBAPIError as exc:
        if not (any_error or exc.connection_invalidated or _is_operational(exc)):
            raise
        raise StoreError(
            f"cannot {doing} the state database {target.shown}: "
            f"{describe_db_error(exc, target)}; {_hint(exc, target)}"
        ) from None


def _hint(exc: DBAPIError, target: Target) -> str:
    reason = str(exc.orig).lower()
    if "locked" in reason:
        return (
            f"another process held the database for more than {SQLITE_BUSY_SECONDS} s; "
            "several replicas need PostgreSQL rather than one SQLite file"
        )
    if "permission denied" in reason:
        return "grant the database user the privilege named above, or choose another schema"
    if target.is_postgres:
        return (
            "check that the server is running and reachable and that AGENT_STATE_URL "
            "(user, password, host, port, database) is right"
        )
    return "check that the file is a readable, writable SQLite database"


def _is_operational(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    # "file is not a database" arrives as a plain DatabaseError from sqlite3.
    return type(exc) is DatabaseError
