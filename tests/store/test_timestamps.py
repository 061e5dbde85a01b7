"""Timestamps go in with any zone and come back as the same instant in aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from agent.store import StateStore
from tests.store.support import CLAIM, T0, begin

KOLKATA = timezone(timedelta(hours=5, minutes=30))
BERLIN = ZoneInfo("Europe/Berlin")


def test_effect_times_come_back_as_the_same_instant_in_utc(store: StateStore) -> None:
    local_now = T0.astimezone(KOLKATA)

    claim = begin(store, "k", "replica-a", local_now)
    stored = store.get_effect("k")

    assert stored is not None
    for moment in (stored.created_at, stored.updated_at, stored.claimed_until):
        assert moment is not None
        assert moment.tzinfo is UTC
    assert stored.created_at == T0
    assert stored.created_at.microsecond == 123456
    assert stored.claimed_until == T0 + CLAIM
    assert claim.record == stored


def test_lease_expiry_comes_back_in_utc_across_dst(store: StateStore) -> None:
    before_dst_change = datetime(2026, 3, 29, 1, 59, 30, tzinfo=BERLIN)  # 00:59:30Z

    store.acquire_lease("sync", "replica-a", timedelta(minutes=1), before_dst_change)
    holder = store.lease_holder("sync", datetime(2026, 3, 29, 3, 0, 29, tzinfo=BERLIN))

    assert holder is not None
    assert holder.expires_at == datetime(2026, 3, 29, 1, 0, 30, tzinfo=UTC)
    assert holder.expires_at.tzinfo is UTC
    assert store.lease_holder("sync", datetime(2026, 3, 29, 3, 0, 30, tzinfo=BERLIN)) is None


def test_ordering_follows_instants_not_wall_clock_text(store: StateStore) -> None:
    # 10:00+02:00 is 08:00Z, earlier than 09:00Z although "10" > "09" as text.
    begin(store, "a-later", "r", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    begin(store, "b-earlier", "r", datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=2))))

    assert [e.key for e in store.effects_for_issue("INC-1")] == ["b-earlier", "a-later"]
    lease_until = datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)  # 08:30Z
    store.acquire_lease("l", "r", timedelta(minutes=30), lease_until - timedelta(minutes=30))
    assert store.lease_holder("l", datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=2))))
    assert store.lease_holder("l", datetime(2026, 3, 2, 8, 30, tzinfo=UTC)) is None


@pytest.mark.parametrize("method", ["begin", "cursor", "lease", "holder"])
def test_naive_datetimes_are_refused(store: StateStore, method: str) -> None:
    naive = datetime(2026, 3, 2, 9, 30)
    calls: dict[str, Callable[[], object]] = {
        "begin": lambda: begin(store, "k", "r", naive),
        "cursor": lambda: store.set_cursor("c", "v", naive),
        "lease": lambda: store.acquire_lease("l", "r", timedelta(minutes=1), naive),
        "holder": lambda: store.lease_holder("l", naive),
    }

    with pytest.raises(ValueError, match="must be timezone-aware"):
        calls[method]()

    assert store.get_effect("k") is None
    assert store.get_cursor("c") is None
    assert store.lease_holder("l", T0) is None
