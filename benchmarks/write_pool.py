"""What the write pool buys: a cycle's nudges carried out one after another vs in lanes.

The sandbox is seeded with escalations (``benchmarks/scale_seed.py``) and an
escalation channel per SUP/DS ticket; then, at 50 ms injected latency per
request, the executor carries out a Jira comment and a Slack post for each
channelled ticket, once with ``AGENT_WRITE_CONCURRENCY=1`` and once per other
pool size given, each time on a fresh state store (so every action is done
again). The real adapters, clients, store and claims are used; only the
templates are a one-line stand-in. Slack's per-channel pacing applies (each
ticket posts to its own channel, so it never waits).

Run: ``.venv/bin/python benchmarks/write_pool.py [--tickets 100] [--pools 1 4 8]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import load_settings
from agent.core.actions import ActionKind, PlannedAction
from agent.core.state import EngineState, TicketState
from agent.policy import load_policies
from agent.runtime.act.executor import Executor
from agent.runtime.deps import build_deps
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.secrets import Redactor
from benchmarks.cycle import LATENCY_MS, SLACK_TIME_SCALE, TOKEN, agent_env
from benchmarks.scale_seed import DEFAULT_AT, seed_escalations, seed_organisation
from benchmarks.strategies import create_channels


class OneLineRenderer:
    """Stands in for the templates: the benchmark is about requests, not rendering."""

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        return f"{name}: {context.get('issue', '')} {context.get('reason', '')}"


def nudges(channels: Mapping[str, str], run: int) -> list[PlannedAction]:
    plan = []
    for issue in channels:
        for kind, channel in ((ActionKind.JIRA_COMMENT, None), (ActionKind.SLACK_POST, "")):
            plan.append(
                PlannedAction(
                    key=f"bench{run}:{issue}:{kind.value}",
                    policy="bench",
                    rule="update_overdue",
                    issue=issue,
                    kind=kind,
                    reason=f"{issue} needs an update",
                    due=DEFAULT_AT,
                    template="nudge",
                    channel=f"escalation:{issue}" if channel is not None else None,
                    context={"issue": issue},
                )
            )
    return plan


def measure(base: str, channels: dict[str, str], pool: int, run: int, workdir: Path) -> float:
    env_vars = agent_env(base, workdir / f"state-{run}.db")
    settings = load_settings({**os.environ, **env_vars})
    deps = build_deps(settings, load_policies(settings.rules_path), Redactor(settings.secrets()))
    try:
        state = EngineState()
        for issue, channel_id in channels.items():
            state = state.with_ticket(issue, TicketState(first_seen=DEFAULT_AT))
            state = state.with_channel(issue, channel_id)
        env = ActionEnv(
            jira=deps.jira,
            slack=deps.slack,
            confluence=deps.confluence,
            renderer=OneLineRenderer(),
            store=deps.store,
            state=state,
            confluence_space=settings.confluence_space,
        )
        plan = nudges(channels, run)
        report = CycleReport()
        started = time.perf_counter()
        Executor(deps.store, deps.owner, concurrency=pool).run(
            plan, env, DEFAULT_AT + timedelta(minutes=1), report
        )
        wall = time.perf_counter() - started
        if report.total_done != len(plan):
            raise RuntimeError(f"pool {pool}: {report.summary()}; {report.failures[:3]}")
        return wall
    finally:
        deps.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--tickets", type=int, default=250, help="escalations to seed")
    parser.add_argument("--pools", type=int, nargs="*", default=[1, 4, 8])
    args = parser.parse_args()
    from agent.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token=TOKEN)
    server.ctx.realism.update({"slack_time_scale": SLACK_TIME_SCALE})
    seed_organisation(server.ctx)
    seeded = seed_escalations(server.ctx, args.tickets)
    server.start()
    try:
        channels = create_channels(server.ctx, seeded.keys)
        control = requests.Session()
        faults = f"{server.urls.base}/_sandbox/faults"
        with tempfile.TemporaryDirectory(prefix="write-pool-") as tmp:
            for run, pool in enumerate(args.pools, start=1):
                control.post(faults, json={"rate": 0, "latency_ms": LATENCY_MS}, timeout=30)
                wall = measure(server.urls.base, channels, pool, run, Path(tmp))
                control.post(faults, json={"rate": 0, "latency_ms": 0}, timeout=30)
                print(
                    f"AGENT_WRITE_CONCURRENCY={pool}: {2 * len(channels)} actions "
                    f"({len(channels)} comments, {len(channels)} posts) at {LATENCY_MS} ms "
                    f"latency in {wall:.2f} s",
                    flush=True,
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
