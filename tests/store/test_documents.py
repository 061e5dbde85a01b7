"""Cursors and kv facts (the engine state among them): what goes in comes back, across reopening."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.store import StateStore
from tests.store.support import T0, StoreTarget

STATE = {
    "first_seen": "2026-03-02T09:00:00+00:00",
    "severity": "SEV-1",
    "open_items": {"ack:owner": "incident:ack:INC-1:1"},
    "held_reason": None,
    "counts": [1, 2.5, True],
    "note": "déjà vu — 事故",
}


def test_state_survives_reopening(sql_target: StoreTarget) -> None:
    first = sql_target.open_sql()
    first.kv_put("engine", "state", STATE)
    first.set_cursor("incident.sync", "2026-03-02T09:29:00+00:00", T0)
    first.kv_put("slack.user", "acc-1", "U123")
    first.close()

    second = sql_target.open_sql()

    assert second.kv_get("engine", "state") == STATE
    assert second.get_cursor("incident.sync") == "2026-03-02T09:29:00+00:00"
    assert second.kv_get("slack.user", "acc-1") == "U123"


def test_cursors_start_empty_and_keep_the_last_value(store: StateStore) -> None:
    assert store.get_cursor("incident.sync") is None

    store.set_cursor("incident.sync", "2026-03-02 09:00", T0)
    store.set_cursor("incident.sync", "2026-03-02 09:30", T0 + timedelta(minutes=30))
    store.set_cursor("problem.sync", "2026-03-01 00:00", T0)

    assert store.get_cursor("incident.sync") == "2026-03-02 09:30"
    assert store.get_cursor("problem.sync") == "2026-03-01 00:00"


@pytest.mark.parametrize(
    "value",
    ["U123", 0, 3.5, False, [1, "two"], {"channel": "C1", "thread_ts": "1700000000.000100"}],
    ids=["str", "zero", "float", "false", "list", "dict"],
)
def test_kv_round_trips_json_values(store: StateStore, value: object) -> None:
    store.kv_put("facts", "k", value)

    assert store.kv_get("facts", "k") == value
    assert type(store.kv_get("facts", "k")) is type(value)


def test_kv_overwrites_deletes_and_keeps_namespaces_apart(store: StateStore) -> None:
    store.kv_put("slack.user", "acc-1", "U1")
    store.kv_put("slack.user", "acc-1", "U1-new")
    store.kv_put("slack.user", "acc-2", "U2")
    store.kv_put("slack.channel", "acc-1", "C9")

    assert store.kv_all("slack.user") == {"acc-1": "U1-new", "acc-2": "U2"}
    assert store.kv_delete("slack.user", "acc-1") is True
    assert store.kv_delete("slack.user", "acc-1") is False
    assert store.kv_get("slack.user", "acc-1") is None
    assert store.kv_get("slack.channel", "acc-1") == "C9"


def test_kv_put_if_absent_keeps_the_first_value(store: StateStore) -> None:
    assert store.kv_put_if_absent("first_contact", "inc", {"at": "2026-03-02T09:00"}) == {
        "at": "2026-03-02T09:00"
    }
    assert store.kv_put_if_absent("first_contact", "inc", {"at": "2026-03-09T09:00"}) == {
        "at": "2026-03-02T09:00"
    }
    assert store.kv_get("first_contact", "inc") == {"at": "2026-03-02T09:00"}
    with pytest.raises(ValueError, match="None means absent"):
        store.kv_put_if_absent("first_contact", "other", None)


def test_kv_each_streams_one_namespace_in_key_order(store: StateStore) -> None:
    for n in (3, 1, 1200, 2):  # more than one fetch batch
        store.kv_put("snapshots", f"T-{n:05d}", {"n": n, "text": "déjà vu"})
    for n in range(4, 1200):
        store.kv_put("snapshots", f"T-{n:05d}", {"n": n})
    store.kv_put("other", "T-00001", {"n": -1})

    seen = list(store.kv_each("snapshots"))

    assert [key for key, _ in seen] == [f"T-{n:05d}" for n in range(1, 1201)]
    assert dict(seen) == store.kv_all("snapshots")
    assert dict(seen)["T-00003"] == {"n": 3, "text": "déjà vu"}
    assert list(store.kv_each("nothing")) == []


def test_kv_refuses_none_and_unserialisable_values(store: StateStore) -> None:
    with pytest.raises(ValueError, match="use kv_delete"):
        store.kv_put("facts", "k", None)
    with pytest.raises(ValueError, match="cannot be stored as JSON"):
        store.kv_put("facts", "k", float("nan"))

    assert store.kv_all("facts") == {}
