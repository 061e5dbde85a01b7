"""Markers an earlier version wrote are recognised: a site it left is not written to twice.

``tests/data/markers`` holds the crash drill's sandbox as the agent left it after each
cycle (see :mod:`tests.reliability.stored_site`), with the markers it wrote: Jira
comment properties and remote-link global ids, Slack message metadata, Confluence
content properties. The current agent, started on each stored site at that cycle's
time with its state database lost, must find every effect by its marker and write
nothing: the site is the same after its cycle as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.drill import CYCLES, Drill, cycle_time, inventory, zygote
from tests.reliability.stored_site import MARKERS, marker_key, markers_in, site_file, stored_sandbox

STORED = [i for i in range(len(CYCLES)) if site_file(i).exists()]


def test_the_stored_sites_hold_every_kind_of_marker() -> None:
    """The examples are there, as the earlier version wrote them (nothing to regenerate)."""
    stored = json.loads((MARKERS / "markers.json").read_text())
    found = [m for i in STORED for m in markers_in(json.loads(site_file(i).read_text()))]
    assert {m["service"] for m in stored} == {"jira", "slack", "confluence"}
    assert all(m in stored for m in found) and all(m in found for m in stored)
    assert all(marker_key(m).split(":", 2)[1] == "CR-1" for m in stored)


@pytest.mark.slow
def test_a_site_left_by_the_earlier_version_is_not_written_to_twice(tmp_path: Path) -> None:
    assert STORED, "no stored sites in tests/data/markers"
    with zygote() as launcher:
        for index in STORED:
            site = json.loads(site_file(index).read_text())
            with stored_sandbox(tmp_path / f"site-{index}", site) as server:
                before = inventory(server)
                drill = Drill(server, tmp_path / f"state-{index}", launcher)  # no state: lost
                outcome = drill.run_at(cycle_time(index))
                assert outcome.code == 0, outcome.text
                after = inventory(server)
            assert after == before, (
                f"after cycle {index}: written again: {sorted((after - before).elements())}, "
                f"gone: {sorted((before - after).elements())}"
            )
