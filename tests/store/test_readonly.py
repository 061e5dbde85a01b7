"""The read-only store used by ``plan``: reads work, writes raise, nothing is created."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.store import open_store
from agent.store.readonly import ReadOnlyStoreError, open_read_only_store

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_missing_sqlite_file_reads_as_empty_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.db"
    store = open_read_only_store(f"sqlite:///{path}")
    assert store.kv_get("engine", "state") is None
    assert store.get_effect("k") is None
    store.close()
    assert not path.exists() and not path.parent.exists()


def test_an_existing_store_is_read_and_every_write_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    writable = open_store(url)
    writable.kv_put("engine", "state", {"version": 1})
    writable.close()
    before = (tmp_path / "state.db").read_bytes()

    store = open_read_only_store(url)
    assert store.kv_get("engine", "state") == {"version": 1}
    writes = [
        lambda: store.kv_put("engine", "state", {}),
        lambda: store.kv_delete("engine", "state"),
        lambda: store.begin_effect(
            "k",
            policy="p",
            rule="r",
            issue="I-1",
            kind="jira.comment",
            owner="o",
            now=NOW,
            claim_for=timedelta(minutes=1),
        ),
        lambda: store.finish_effect("k", "o", None, NOW),
        lambda: store.fail_effect("k", "o", "e", NOW),
        lambda: store.set_cursor("c", "v", NOW),
        lambda: store.acquire_lease("l", "o", timedelta(minutes=1), NOW),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyStoreError, match="read-only"):
            write()
    store.close()
    assert (tmp_path / "state.db").read_bytes() == before
