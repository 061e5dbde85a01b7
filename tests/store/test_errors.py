"""Opening a store that cannot work fails with a message an operator can act on.

Every message names the database (never its password) and what to do next.
"""

from __future__ import annotations

import secrets
import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agent.store import StoreError, open_store

PASSWORD = "s3cret-Pa55"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _open_error(url: str, schema: str | None = None) -> str:
    with pytest.raises(StoreError) as caught:
        open_store(url, schema=schema)
    message = str(caught.value)
    assert PASSWORD not in message
    assert PASSWORD not in repr(caught.value.__cause__ or "")
    return message


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://agent:{PASSWORD}@db.example:notaport/state",
        f"agent:{PASSWORD}@db.example/state",
        "",
    ],
    ids=["bad-port", "no-scheme", "empty"],
)
def test_a_malformed_url_is_explained(url: str) -> None:
    message = _open_error(url)

    assert "is not a database URL" in message
    assert "AGENT_STATE_URL" in message
    assert "sqlite:///path/to/agent-state.db" in message
    if url.startswith("postgresql"):
        assert "agent:***@db.example" in message


def test_an_unsupported_backend_is_named() -> None:
    message = _open_error(f"mysql://agent:{PASSWORD}@db.example/state")

    assert "'mysql' backend" in message
    assert "mysql://agent:***@db.example/state" in message


def test_an_unreachable_postgres_names_the_server_and_what_to_check() -> None:
    port = _free_port()

    message = _open_error(f"postgresql://agent:{PASSWORD}@127.0.0.1:{port}/state")

    assert (
        f"cannot open the state database postgresql+psycopg://agent:***@127.0.0.1:{port}/state"
        in message
    )
    assert "check that the server is running" in message
    assert "refused" in message.lower()


@pytest.mark.postgres
def test_a_missing_postgres_database_is_reported_by_the_server(postgres_admin: Engine) -> None:
    url = postgres_admin.url.set(database="agent_no_such_db", password=PASSWORD)

    message = _open_error(url.render_as_string(hide_password=False))

    assert "agent_no_such_db" in message
    assert "does not exist" in message
    assert ":***@" in message


def test_a_sqlite_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")

    message = _open_error(f"sqlite:///{blocker}/state/agent.db")

    assert f"cannot create the folder {blocker}/state" in message
    assert "choose a writable path" in message


def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "agent-state.db"
    path.write_bytes(b"this is not a database, just some text " * 100)

    message = _open_error(f"sqlite:///{path}")

    assert f"sqlite:///{path}" in message
    assert "not a database" in message


def test_the_sqlite_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "agent-state.db"

    store = open_store(f"sqlite:///{path}")
    store.close()

    assert path.is_file()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_is_refused(url: str) -> None:
    message = _open_error(url)

    assert "names no file" in message


def test_schemas_are_only_for_postgres(tmp_path: Path) -> None:
    message = _open_error(f"sqlite:///{tmp_path}/a.db", schema="tenant_a")

    assert "only PostgreSQL has schemas" in message
    assert not (tmp_path / "a.db").exists()


def test_an_unsafe_postgres_schema_name_is_refused() -> None:
    message = _open_error(
        f"postgresql://agent:{PASSWORD}@127.0.0.1:{_free_port()}/state", schema='x"; DROP'
    )

    assert "not a usable PostgreSQL schema name" in message


@pytest.mark.postgres
def test_missing_privileges_are_reported_not_raised_raw(postgres_admin: Engine) -> None:
    # A fresh role: by default it may connect but not create schemas.
    role = f"agent_test_{secrets.token_hex(4)}_limited"
    with postgres_admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{PASSWORD}'"))
    try:
        url = postgres_admin.url.set(username=role, password=PASSWORD)

        message = _open_error(url.render_as_string(hide_password=False), schema="agent_denied")

        assert "permission denied" in message
        assert f"{role}:***@" in message
        assert "grant the database user the privilege" in message
    finally:
        with postgres_admin.begin() as conn:
            conn.execute(text(f'DROP ROLE "{role}"'))
