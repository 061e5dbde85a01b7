"""Replicas racing for the same work: exactly one wins, every time, on both backends.

Each worker opens its own store (its own engine and connections), as separate
replicas would, and a barrier releases them together to maximise overlap.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TypeVar

from agent.store import ClaimOutcome, EffectClaim, StateStore
from tests.store.support import CLAIM, T0, StoreTarget, begin

WORKERS = 12
R = TypeVar("R")


def _race(target: StoreTarget, work: Callable[[StateStore, str], R]) -> dict[str, R]:
    """Run ``work(store, owner)`` in WORKERS threads released together; results by owner."""
    target.open().close()  # migrate first, so the race is about the work itself
    stores = [target.open() for _ in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)

    def run(n: int) -> tuple[str, R]:
        owner = f"replica-{n}"
        barrier.wait()
        return owner, work(stores[n], owner)

    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(pool.map(run, range(WORKERS)))


def test_exactly_one_claimer_wins_a_new_key(target: StoreTarget) -> None:
    key = "incident:page-create:INC-7"

    claims = _race(target, lambda store, owner: begin(store, key, owner))

    winners = [owner for owner, claim in claims.items() if claim.claimed]
    assert len(winners) == 1
    assert Counter(c.outcome for c in claims.values()) == {
        ClaimOutcome.CLAIMED: 1,
        ClaimOutcome.BUSY: WORKERS - 1,
    }
    stored = target.open().get_effect(key)
    assert stored is not None
    assert stored.claimed_by == winners[0]


def test_exactly_one_claimer_takes_over_an_expired_claim(target: StoreTarget) -> None:
    key = "incident:ack-nudge:INC-8:1"
    begin(target.open(), key, "crashed-replica")
    later = T0 + CLAIM + timedelta(seconds=1)

    claims = _race(target, lambda store, owner: begin(store, key, owner, later))

    winners = [claim for claim in claims.values() if claim.claimed]
    assert len(winners) == 1
    assert winners[0].needs_reconcile is True
    busy = [claim for claim in claims.values() if not claim.claimed]
    assert all(claim.outcome is ClaimOutcome.BUSY for claim in busy)
    assert {claim.record.claimed_by for claim in busy} <= {winners[0].record.claimed_by}


def test_many_keys_are_each_claimed_exactly_once(target: StoreTarget) -> None:
    keys = [f"incident:ack-nudge:INC-{n}:1" for n in range(15)]

    def claim_all(store: StateStore, owner: str) -> list[EffectClaim]:
        order = list(keys)
        random.Random(owner).shuffle(order)
        return [begin(store, key, owner) for key in order]

    results = _race(target, claim_all)

    won = Counter(
        claim.record.key for claims in results.values() for claim in claims if claim.claimed
    )
    assert won == dict.fromkeys(keys, 1)


def test_exactly_one_replica_acquires_a_free_lease(target: StoreTarget) -> None:
    ttl = timedelta(seconds=90)

    acquired = _race(target, lambda store, owner: store.acquire_lease("sync", owner, ttl, T0))

    holders = [owner for owner, ok in acquired.items() if ok]
    assert len(holders) == 1
    holder = target.open().lease_holder("sync", T0)
    assert holder is not None
    assert holder.owner == holders[0]


def test_replicas_recording_a_fact_at_once_all_get_the_first_one(target: StoreTarget) -> None:
    """How replicas on one PostgreSQL agree on a policy's first contact."""
    answers = _race(
        target, lambda store, owner: store.kv_put_if_absent("first_contact", "inc", owner)
    )

    stored = target.open().kv_get("first_contact", "inc")
    assert stored in answers
    assert set(answers.values()) == {stored}
