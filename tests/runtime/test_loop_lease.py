"""The cycle lease: one holder at a time, renewed each cycle, taken over once it lapses."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from agent.clock import FixedClock
from agent.runtime.leader import LEASE_NAME, CycleLease, lease_owner, lease_ttl
from agent.store import SqlStateStore, open_store
from tests.runtime.test_cycle import START

TTL = timedelta(seconds=15)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


def test_the_owner_names_host_pid_and_a_random_part() -> None:
    first, second = lease_owner(), lease_owner()
    assert first.startswith(f"{socket.gethostname()}-{os.getpid()}-")
    assert first != second


def test_the_ttl_is_three_poll_intervals() -> None:
    assert lease_ttl(5) == timedelta(seconds=15)
    with pytest.raises(ValueError, match="positive"):
        lease_ttl(0)


def test_one_holder_renews_while_the_other_stands_by_until_it_lapses(
    store: SqlStateStore, caplog: pytest.LogCaptureFixture
) -> None:
    wall = FixedClock(START)
    a = CycleLease(store, ttl=TTL, owner="a", clock=wall)
    b = CycleLease(store, ttl=TTL, owner="b", clock=wall)
    caplog.set_level(logging.DEBUG, logger="agent.runtime.leader")

    assert a.acquire() and not b.acquire()
    assert "skipping the cycle: a holds the cycle lease" in caplog.text
    wall.advance(TTL - timedelta(seconds=1))
    assert a.acquire()  # renewed: a new full ttl from now
    wall.advance(TTL - timedelta(seconds=1))
    assert not b.acquire()
    holder = store.lease_holder(LEASE_NAME, wall.now())
    assert holder is not None and holder.owner == "a"

    wall.advance(timedelta(seconds=1))  # a stopped renewing: its lease has lapsed
    assert b.acquire() and b.held
    caplog.clear()
    assert not a.acquire() and not a.held
    assert "lost the cycle lease to another replica" in caplog.text


def test_release_hands_over_at_once_and_only_by_the_holder(store: SqlStateStore) -> None:
    wall = FixedClock(START)
    a = CycleLease(store, ttl=TTL, owner="a", clock=wall)
    b = CycleLease(store, ttl=TTL, owner="b", clock=wall)
    assert a.acquire()
    b.release()  # b never held it: nothing happens
    assert store.lease_holder(LEASE_NAME, wall.now()) is not None
    a.release()
    assert store.lease_holder(LEASE_NAME, wall.now()) is None
    assert b.acquire()


def test_a_zero_ttl_is_refused(store: SqlStateStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        CycleLease(store, ttl=timedelta(0))
