"""A fresh PostgreSQL database per replica test (the agent's store uses the ``public`` schema).

From ``AGENT_TEST_POSTGRES_URL``; skipped with a how-to when unset, a failure
when unset or unreachable under ``CI=true``: CI must exercise the replica path.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

PG_ENV = "AGENT_TEST_POSTGRES_URL"
PG_EXAMPLE = "postgresql://postgres@127.0.0.1:5432/test"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


@pytest.fixture
def replica_db() -> Iterator[str]:
    """The URL of a new, empty database, dropped (connections and all) after the test."""
    raw = os.environ.get(PG_ENV, "").strip()
    if not raw:
        message = f"{PG_ENV} is not set"
        if _in_ci():
            pytest.fail(f"{message}, but CI=true: the replica tests must run in CI")
        pytest.skip(
            f"{message}: replica tests skipped. To run them, start a PostgreSQL server and "
            f"set {PG_ENV}={PG_EXAMPLE} (a user that may create databases)"
        )
    url = make_url(raw).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"agent_replicas_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        pytest.fail(f"{PG_ENV} points at {url.render_as_string(hide_password=True)}: {exc.orig}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
