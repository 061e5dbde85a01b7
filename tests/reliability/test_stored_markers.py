"""Markers an earlier version wrote are recognised: a site it left is not written to twice.

``tests/data/markers`` holds the crash drill's sandbox as the agent left it after each
cycle, in each flavour (see :mod:`tests.reliability.stored_site`), with the markers it
wrote: Jira comment properties and remote-link global ids, Slack message metadata in
channels, threads and DMs, Confluence content properties. The current agent, started
on each stored site at that cycle's time with its state database lost, must find every
effect by its marker and write nothing: the site is the same after its cycle as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.drill import Drill, cycle_time, inventory, zygote
from tests.reliability.stored_site import FLAVOURS, Flavour, marker_key, markers_in, stored_sandbox


@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
def test_the_stored_sites_hold_every_kind_of_marker(flavour: Flavour) -> None:
    """The examples are there, as the earlier version wrote them (nothing to regenerate)."""
    assert flavour.stored(), f"no stored sites of {flavour.name} in tests/data/markers"
    stored = json.loads(flavour.markers_file.read_text())
    sites = [json.loads(flavour.site_file(i).read_text()) for i in flavour.stored()]
    found = [m for site in sites for m in markers_in(site)]
    assert {m["service"] for m in stored} >= {"jira", "slack"}
    assert all(m in stored for m in found) and all(m in found for m in stored)
    assert all(marker_key(m).split(":", 2)[1] == "CR-1" for m in stored)


@pytest.mark.slow
@pytest.mark.parametrize("flavour", FLAVOURS, ids=lambda f: f.name)
def test_a_site_left_by_the_earlier_version_is_not_written_to_twice(
    flavour: Flavour, tmp_path: Path
) -> None:
    with zygote() as launcher:
        for index in flavour.stored():
            site = json.loads(flavour.site_file(index).read_text())
            with stored_sandbox(tmp_path / f"site-{index}", site) as server:
                before = inventory(server)
                # no state: lost
                drill = Drill(server, tmp_path / f"state-{index}", launcher, rules=flavour.rules)
                outcome = drill.run_at(cycle_time(index))
                assert outcome.code == 0, outcome.text
                after = inventory(server)
            assert after == before, (
                f"after cycle {index}: written again: {sorted((after - before).elements())}, "
                f"gone: {sorted((before - after).elements())}"
            )
