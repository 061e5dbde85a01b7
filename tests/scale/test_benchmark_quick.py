"""``benchmarks/cycle.py --quick`` runs end to end; its request counts meet the goals.

Only counts are asserted (time depends on the machine): at N = 1,000 a steady
incremental cycle asks one search page per policy, a 1%-changed cycle adds three
detail reads per changed ticket, and the naive strategy reads everything.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
N = 1_000
POLICIES = 5
INTAKE_CHANNELS = 1  # the support pack's #operator-support, listed each cycle for new reports


def phase(result: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in result["phases"] if p["name"] == name]
    return dict(found)


@pytest.mark.slow
def test_quick_benchmark_meets_the_request_goals(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cycle.py"), "--quick", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "requests, steady cycle" in done.stdout
    (out,) = json.loads(figures.read_text())
    assert out["n"] == N
    incremental, naive = out["incremental"], out["naive"]
    for result in (incremental, naive):
        assert all(p["errors"] == 0 for p in result["phases"]), result

    steady = phase(incremental, "steady")
    assert steady["requests"] <= math.ceil(N / 100) + 5
    assert steady["requests"] < 10
    assert steady["by_service"] == {"jira": POLICIES, "slack": INTAKE_CHANNELS}
    assert steady["details_read"] == 0 and steady["planned"] == 0

    changed = phase(incremental, "changed")
    touched = round(N * 0.01)
    assert changed["details_read"] == touched
    assert changed["by_service"] == {"jira": POLICIES + 3 * touched, "slack": INTAKE_CHANNELS}

    naive_steady = phase(naive, "steady")
    assert naive_steady["details_read"] == N
    assert naive_steady["requests"] >= 3 * N  # comments, changelog, watchers per ticket
    assert naive_steady["by_service"]["slack"] > 0  # every escalation channel, every cycle
    assert out["lateness"]["max_gap_s"] <= 60
