"""Losing the state database between cycles: the markers alone prevent duplicates.

Before every cycle of the drill the SQLite state file is deleted, as if the
volume were lost. The agent must find its comment, messages, channel, pages and
rows by their markers and write nothing twice, and the pin must still be removed
at closure (the pinned message is found by its marker). What lives only in the
engine state (the open nudge and its repeat schedule) is forgotten with it: the
repeat in the thread and the "done" reply are printed as losses, not asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.drill import Drill, compare, fresh_sandbox, seed, zygote


def play(tmp_path: Path, lose_state: bool) -> Drill:
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, tmp_path, launcher)

        def hook(d: Drill, index: int) -> None:
            if lose_state:
                for path in d.state_dir.glob("state.db*"):
                    path.unlink()
            d.run_cycle(index)

        drill.play(hook)
        return drill


@pytest.mark.slow
def test_deleting_the_state_database_between_cycles_duplicates_nothing(tmp_path: Path) -> None:
    plain = play(tmp_path / "plain", lose_state=False)
    lost = play(tmp_path / "lost", lose_state=True)
    duplicates, losses = compare(plain.end, lost.end)
    mid_duplicates, mid_losses = compare(plain.mid, lost.mid)
    print(f"\nstate deleted before each of {len(lost.outcomes)} cycles")
    print(f"duplicates: {duplicates + mid_duplicates or 'none'}")
    print(f"losses: {losses + mid_losses or 'none'}")
    for index, outcome in lost.outcomes:
        print(f"  cycle {index}: exit {outcome.code}: {outcome.stdout.splitlines()[:1]}")
    assert not duplicates and not mid_duplicates
    schedule_only = ("repeat@", ":done#")
    assert [n for n in losses + mid_losses if not any(p in n for p in schedule_only)] == []
