"""``plan`` and ``AGENT_DRY_RUN=1``: the same reading and planning as ``run``, no write anywhere."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.foundation.test_check_command import ENV_NAMES, run_cli, sandbox_env
from tests.scenarios.test_ds_pack import RULES, START, seed
from tests.support.sandbox import SandboxHandle


@pytest.mark.slow
def test_plan_prints_the_actions_and_writes_nothing(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = seed(sandbox, tmp_path)
    now = START + timedelta(minutes=10)
    site.at(now)
    sandbox.clear_requests()

    planned = site.cli(["plan", "--no-color", "--now", now.isoformat()], RULES)

    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert site.writes() == []
    assert not (tmp_path / "state.db").exists()  # the store was not even created
    out = planned.stdout
    for expected in (
        "ticket",
        "DS-1",
        "DS-4",
        "clerical_priority",
        "jira.set_priority",
        "slack.create_channel",
        "limit_daily",
        "nothing was written",
    ):
        assert expected in out, expected
    assert "2026-11-23 09:10 EST" in out or "2026-11-23 14:10 UTC" in out

    dry = site.cli(["run", "--once", "--now", now.isoformat()], RULES, AGENT_DRY_RUN="1")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "AGENT_DRY_RUN" in dry.stdout and "slack.create_channel" in dry.stdout
    assert site.writes() == []

    # after a real cycle, planning the same moment finds nothing left to do
    ran = site.run_once(now, RULES)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    sandbox.clear_requests()
    after = site.cli(["plan", "--now", now.isoformat()], RULES)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "0 action(s) planned" in after.stdout
    assert site.writes() == []


def test_an_invalid_policy_exits_2_before_any_call(sandbox: SandboxHandle, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad Name\ndescription: x\nselect: {projects: []}\nrules: []\n")
    env_rules = str(bad)
    sandbox.clear_requests()
    env = {
        **sandbox_env(sandbox),
        "AGENT_RULES": env_rules,
        "AGENT_STATE_URL": f"sqlite:///{tmp_path / 's.db'}",
    }
    for command in (["run", "--once"], ["plan"]):
        result = run_cli(command, env, tmp_path)
        assert result.returncode == 2, result.stdout + result.stderr
        assert "bad.yaml" in result.stdout
    assert sandbox.requests_log() == []


@pytest.mark.slow
def test_the_loop_runs_a_cycle_and_sigterm_stops_it_with_exit_0(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    now = START + timedelta(minutes=10)
    site.at(now)
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(site.env(RULES), AGENT_POLL_SECONDS="5", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "run", "--now", now.isoformat()],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # blocks until the first cycle's summary
        assert "actions planned" in first and "0 failed" in first, first
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert site.channels("ds-1-")
