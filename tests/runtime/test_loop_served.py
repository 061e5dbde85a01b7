"""A real ``escalation-agent run`` loop serves /healthz and /metrics, and SIGTERM exits 0."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.replicas.processes import AgentProcess, free_port, get, healthz, wait_for
from tests.scenarios.test_ds_pack import RULES, START, seed
from tests.support.sandbox import SandboxHandle


def metric(text: str, name: str, **labels: str) -> float | None:
    """One sample's value from the Prometheus text format (labels matched in any order)."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    return None


@pytest.mark.slow
def test_the_loop_serves_health_and_metrics_and_stops_on_sigterm(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    now = START + timedelta(minutes=10)
    site.at(now)
    port = free_port()
    env = site.env(RULES)
    env.update(AGENT_METRICS_PORT=str(port), AGENT_POLL_SECONDS="5")
    agent = AgentProcess.start("agent", ["run", "--now", now.isoformat()], env, tmp_path)
    try:
        first = wait_for("/healthz to answer", lambda: healthz(port), timeout=20)
        assert first["http_status"] == 200, first
        served = wait_for(
            "a finished cycle on /healthz",
            lambda: (h := healthz(port)) and h.get("last_cycle") and h,
            timeout=30,
        )
        assert served == {"status": "ok", "last_cycle": served["last_cycle"], "http_status": 200}

        status, body = get(f"http://127.0.0.1:{port}/metrics")
        text = body.decode()
        assert status == 200
        assert metric(text, "escalation_agent_cycles_total", result="ok") == 1
        assert metric(text, "escalation_agent_cycle_duration_seconds_count") == 1
        # four DS escalations: three get Highest priority, the fourth is held by the day limit
        assert (
            metric(
                text,
                "escalation_agent_actions_total",
                rule="clerical_priority",
                kind="jira.set_priority",
                result="done",
            )
            == 3
        ), text
        assert metric(text, "escalation_agent_held_escalations", policy="ds-ticket-escalation") == 1
        assert (metric(text, "escalation_agent_api_requests_total", service="jira") or 0) > 0
        assert (metric(text, "escalation_agent_api_requests_total", service="slack") or 0) > 0
        assert metric(text, "escalation_agent_cycle_lease_held") == 1
        missing = get(f"http://127.0.0.1:{port}/nothing")
        assert missing[0] == 404
    finally:
        code = agent.stop()
    output = agent.output()
    assert code == 0, output
    assert "SIGTERM received" in output and "stopped" in output
