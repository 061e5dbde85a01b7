"""One parametrised fixture runs every store test on SQLite and on PostgreSQL.

(And on the in-memory fake, except for what only a SQL database has: migrations.)

PostgreSQL comes from ``AGENT_TEST_POSTGRES_URL``. Each test gets a fresh schema
named after this run (``agent_test_<run>_<n>``), dropped when the test ends;
whatever a crashed test left behind is dropped at the end of the session. Without
the variable the PostgreSQL cases are skipped, except under ``CI=true``, where a
missing or unreachable server fails them: CI must exercise the replica path.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from agent.store import StateStore
from tests.store.support import StoreTarget

PG_ENV = "AGENT_TEST_POSTGRES_URL"
PG_EXAMPLE = "postgresql://postgres@127.0.0.1:5432/test"
RUN_ID = secrets.token_hex(4)
_schema_numbers = itertools.count(1)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An engine on the test server, for creating and dropping schemas."""
    raw = os.environ.get(PG_ENV, "").strip()
    if not raw:
        message = f"{PG_ENV} is not set"
        if _in_ci():
            pytest.fail(f"{message}, but CI=true: the PostgreSQL store tests must run in CI")
        pytest.skip(
            f"{message}: PostgreSQL store tests skipped. To run them, start a PostgreSQL "
            f"server and set {PG_ENV}={PG_EXAMPLE} (a database where schemas may be created)"
        )
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        shown = url.render_as_string(hide_password=True)
        pytest.fail(f"{PG_ENV} points at {shown}, which is unreachable: {exc.orig}")
    yield engine
    pattern = f"agent_test_{RUN_ID}_%"
    with engine.begin() as conn:
        leftovers = conn.scalars(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :pattern"),
            {"pattern": pattern},
        ).all()
        for name in leftovers:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


SQL_BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _make_target(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreTarget]:
    if backend == "memory":
        yield StoreTarget("memory", "memory:", None)
        return
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp("store")
        found = StoreTarget("sqlite", f"sqlite:///{folder}/state/agent-state.db", None)
        yield found
        found.close_all()
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    schema = f"agent_test_{RUN_ID}_{next(_schema_numbers)}"
    found = StoreTarget("postgresql", admin.url.render_as_string(hide_password=False), schema)
    yield found
    found.close_all()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture(params=SQL_BACKENDS)
def sql_target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreTarget]:
    """A fresh, empty SQL database on SQLite or PostgreSQL (no store opened yet)."""
    yield from _make_target(request.param, request, tmp_path_factory)


@pytest.fixture(params=[*SQL_BACKENDS, pytest.param("memory", id="memory")])
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StoreTarget]:
    """A fresh store location on every backend, the in-memory fake included.

    The fake runs the same behavioural tests so the core's tests can trust it.
    """
    yield from _make_target(request.param, request, tmp_path_factory)


@pytest.fixture
def store(target: StoreTarget) -> StateStore:
    """A ready store on a fresh database, closed at the end of the test."""
    return target.open()
