"""The stores shared by the executor's lanes: claims from many threads at once stay exclusive.

Each key is raced for by several threads of one process (as the lanes of one
agent would if two lanes ever met the same key); exactly one may claim it, and
once it is finished every later claim sees it done.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.store import ClaimOutcome, MemoryStateStore, StateStore, open_store

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
THREADS = 12
KEYS = [f"r:DS-{n}:nudge" for n in range(8)]


@pytest.fixture(params=["sqlite", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened: StateStore = (
        open_store(f"sqlite:///{tmp_path / 'state.db'}")
        if request.param == "sqlite"
        else MemoryStateStore()
    )
    yield opened
    opened.close()


def test_each_key_is_claimed_by_exactly_one_of_many_threads(store: StateStore) -> None:
    start = threading.Barrier(THREADS, timeout=30)
    outcomes: Counter[tuple[str, ClaimOutcome]] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            start.wait()
            for key in KEYS:
                claim = store.begin_effect(
                    key,
                    policy="p",
                    rule="r",
                    issue=key.split(":")[1],
                    kind="slack.post",
                    owner=f"host:{number}",
                    now=NOW,
                    claim_for=timedelta(minutes=5),
                )
                if claim.outcome is ClaimOutcome.CLAIMED:
                    store.finish_effect(key, f"host:{number}", {"ts": str(number)}, NOW)
                with lock:
                    outcomes[(key, claim.outcome)] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below: it must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    for key in KEYS:
        assert outcomes[(key, ClaimOutcome.CLAIMED)] == 1, key
        others = outcomes[(key, ClaimOutcome.BUSY)] + outcomes[(key, ClaimOutcome.ALREADY_DONE)]
        assert others == THREADS - 1
        record = store.get_effect(key)
        assert record is not None and record.external_ref is not None
