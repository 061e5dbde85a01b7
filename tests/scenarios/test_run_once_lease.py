"""``run --once`` takes the cycle lease: an overlapping cron run, or a loop replica that
holds the lease, makes it skip the cycle (exit 0) without writing anything anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.runtime.leader import LEASE_NAME, owner_is_dead
from agent.store.sql import open_store
from tests.scenarios.test_ds_pack import RULES, START, labels, seed
from tests.support.sandbox import SandboxHandle


def test_run_once_skips_while_another_process_holds_the_lease(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        assert store.acquire_lease(LEASE_NAME, "other-host-1-abcd", timedelta(minutes=5), _now())
        sandbox.clear_requests()
        held = site.run_once(START, RULES)
        assert held.returncode == 0, held.stderr
        assert "skipped: another agent process is running a cycle" in held.stdout
        assert "other-host-1-abcd" in held.stdout
        assert site.writes() == []
        assert "ESCALATION" not in labels(site, "DS-1")

        assert store.release_lease(LEASE_NAME, "other-host-1-abcd")
        ran = site.run_once(START, RULES)
        assert ran.returncode in (0, 1), ran.stderr
        assert "another agent process" not in ran.stdout
        assert site.writes(), "with the lease free the cycle writes"
        # the one-off run gives the lease back, so a loop replica can take it at once
        assert store.lease_holder(LEASE_NAME, _now()) is None
    finally:
        store.close()


def _now() -> datetime:
    return datetime.now(UTC)


def test_a_lease_left_by_a_killed_process_on_this_host_is_taken_over_at_once(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    owner = f"{socket.gethostname()}-{dead.stdout.strip()}-dead0001"
    assert owner_is_dead(owner)
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        assert store.acquire_lease(LEASE_NAME, owner, timedelta(minutes=5), _now())
        ran = site.run_once(START, RULES)
        assert ran.returncode in (0, 1), ran.stderr
        assert "another agent process" not in ran.stdout
        assert "ESCALATION" in labels(site, "DS-2")
    finally:
        store.close()


def test_only_ended_processes_of_this_host_count_as_dead() -> None:
    here = socket.gethostname()
    assert not owner_is_dead(f"{here}-{os.getpid()}-abcd1234")  # this very process
    assert not owner_is_dead(f"elsewhere-{os.getppid()}-abcd1234")  # another host
    assert not owner_is_dead("not an owner")
    assert not owner_is_dead(f"{here}-{os.getppid()}-abcd1234")  # our parent is alive
