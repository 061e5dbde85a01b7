"""Work leases: re-entrant for the holder, refused to others until they lapse."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.store import Lease, StateStore
from tests.store.support import T0

TTL = timedelta(seconds=90)


def test_a_free_lease_is_acquired(store: StateStore) -> None:
    assert store.lease_holder("sync:incident", T0) is None

    assert store.acquire_lease("sync:incident", "replica-a", TTL, T0) is True

    assert store.lease_holder("sync:incident", T0) == Lease("sync:incident", "replica-a", T0 + TTL)


def test_the_holder_renews_its_lease(store: StateStore) -> None:
    store.acquire_lease("sync", "replica-a", TTL, T0)

    assert store.acquire_lease("sync", "replica-a", TTL, T0 + timedelta(seconds=60)) is True

    holder = store.lease_holder("sync", T0 + TTL)  # the first term would have ended here
    assert holder is not None
    assert holder.expires_at == T0 + timedelta(seconds=60) + TTL


def test_a_held_lease_is_refused_to_others(store: StateStore) -> None:
    store.acquire_lease("sync", "replica-a", TTL, T0)

    assert (
        store.acquire_lease("sync", "replica-b", TTL, T0 + TTL - timedelta(microseconds=1)) is False
    )

    holder = store.lease_holder("sync", T0 + timedelta(seconds=1))
    assert holder is not None
    assert (holder.owner, holder.expires_at) == ("replica-a", T0 + TTL)


def test_a_lapsed_lease_is_taken_over(store: StateStore) -> None:
    store.acquire_lease("sync", "replica-a", TTL, T0)

    assert store.lease_holder("sync", T0 + TTL) is None
    assert store.acquire_lease("sync", "replica-b", TTL, T0 + TTL) is True

    assert store.lease_holder("sync", T0 + TTL) == Lease("sync", "replica-b", T0 + 2 * TTL)
    assert store.acquire_lease("sync", "replica-a", TTL, T0 + TTL + timedelta(seconds=1)) is False


def test_only_the_holder_releases_a_lease(store: StateStore) -> None:
    store.acquire_lease("sync", "replica-a", TTL, T0)

    assert store.release_lease("sync", "replica-b") is False
    assert store.lease_holder("sync", T0) is not None
    assert store.release_lease("sync", "replica-a") is True
    assert store.release_lease("sync", "replica-a") is False

    assert store.lease_holder("sync", T0) is None
    assert store.acquire_lease("sync", "replica-b", TTL, T0) is True


def test_leases_are_independent_by_name(store: StateStore) -> None:
    assert store.acquire_lease("sync:incident", "replica-a", TTL, T0) is True
    assert store.acquire_lease("sync:problem", "replica-b", TTL, T0) is True

    a = store.lease_holder("sync:incident", T0)
    b = store.lease_holder("sync:problem", T0)
    assert (a and a.owner, b and b.owner) == ("replica-a", "replica-b")


def test_a_lease_needs_a_positive_ttl(store: StateStore) -> None:
    with pytest.raises(ValueError, match="ttl must be positive"):
        store.acquire_lease("sync", "replica-a", timedelta(0), T0)

    assert store.lease_holder("sync", T0) is None
