"""Where rule evaluation spends its CPU: ``plan(...)`` over N seeded escalations, profiled.

Seeds the sandbox as ``benchmarks/cycle.py`` does, primes a store (one full read
and plan whose actions count as done), then times ``plan`` on the primed
tickets and state a minute later (the steady cycle's rule evaluation) and
prints cProfile's top functions. The primed tickets and state are saved as JSON
under ``--cache`` so repeated runs (while optimising) skip the seeding and reading.

Run: ``.venv/bin/python benchmarks/profile_plan.py [--n 10000] [--top 30]``.

``--inputs FILE`` replays the exact ``plan(...)`` call of a benchmark cycle
instead (tickets, state, channel messages and page statuses), saved by
``BENCH_DUMP_DIR=DIR .venv/bin/python benchmarks/cycle.py --sizes 10000`` as
``DIR/incremental-steady-1.json`` (``BENCH_PROFILE_DIR=DIR`` saves each plan's
cProfile there).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import load_settings
from agent.core.model import ChatMessage
from agent.core.planner import plan
from agent.core.state_codec import state_from_dict, state_to_dict
from agent.policy import load_policies
from agent.runtime.deps import build_deps
from agent.runtime.gc_pause import collector_paused
from agent.runtime.read.snapshots import ticket_from_json, ticket_to_json
from agent.secrets import Redactor
from benchmarks.cycle import SLACK_TIME_SCALE, TOKEN, agent_env
from benchmarks.scale_seed import DEFAULT_AT, seed_escalations, seed_organisation
from benchmarks.strategies import Primed, create_channels, prime_store


def primed_state(count: int) -> Primed:
    """Seed a sandbox with ``count`` escalations and prime a store from it."""
    from agent.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token=TOKEN)
    server.ctx.realism.update({"slack_time_scale": SLACK_TIME_SCALE})
    seed_organisation(server.ctx)
    seeded = seed_escalations(server.ctx, count)
    server.start()
    try:
        channels = create_channels(server.ctx, seeded.keys)
        with tempfile.TemporaryDirectory() as workdir:
            env = agent_env(server.urls.base, Path(workdir) / "primed.db")
            settings = load_settings({**os.environ, **env})
            policies = load_policies(settings.rules_path)
            deps = build_deps(settings, policies, Redactor(settings.secrets()))
            try:
                return prime_store(deps, DEFAULT_AT, channels)
            finally:
                deps.close()
    finally:
        server.stop()


def load_or_prime(count: int, folder: Path) -> Primed:
    cache = folder / f"primed-{count}.json"
    if cache.exists():
        saved = json.loads(cache.read_text())
        return Primed(
            [ticket_from_json(raw) for raw in saved["tickets"]], state_from_dict(saved["state"])
        )
    primed = primed_state(count)
    folder.mkdir(parents=True, exist_ok=True)
    saved = {
        "tickets": [ticket_to_json(t) for t in primed.tickets],
        "state": state_to_dict(primed.state),
    }
    cache.write_text(json.dumps(saved))
    return primed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--n", type=int, default=10_000, help="escalations to seed")
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    parser.add_argument("--repeat", type=int, default=3, help="timed plans (best is shown)")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "agent-profile-plan"
    )
    parser.add_argument(
        "--inputs",
        type=Path,
        help="replay a plan() call dumped by benchmarks/cycle.py "
        "(BENCH_DUMP_DIR=dir) instead of the primed state",
    )
    args = parser.parse_args()
    if args.inputs:
        saved = json.loads(args.inputs.read_text())
        tickets = [ticket_from_json(raw) for raw in saved["tickets"]]
        state = state_from_dict(saved["state"])
        at = datetime.fromisoformat(saved["now"])
        messages = {
            key: [ChatMessage(**{**m, "at": datetime.fromisoformat(m["at"])}) for m in found]
            for key, found in saved["messages"].items()
        }
        settings = load_settings({**os.environ, **agent_env("http://localhost:1", Path("x.db"))})
        policies = load_policies(settings.rules_path)

        def once() -> Any:
            return plan(tickets, state, at, policies, messages, pages=saved["pages"])

    else:
        primed = load_or_prime(args.n, args.cache)
        settings = load_settings({**os.environ, **agent_env("http://localhost:1", Path("x.db"))})
        policies = load_policies(settings.rules_path)
        now = DEFAULT_AT + timedelta(minutes=1)

        def once() -> Any:
            return plan(primed.tickets, primed.state, now, policies)

    once()  # warm caches (zoneinfo, calendars) as a running agent has
    for label, paused in (("collector on", False), ("collector paused, as in a cycle", True)):
        timings = []
        for _ in range(args.repeat):
            started = time.process_time()
            if paused:
                with collector_paused():
                    result = once()
            else:
                result = once()
            timings.append(time.process_time() - started)
        print(
            f"N={len(result.state.tickets)} in state, {label}: plan CPU best {min(timings):.3f} s "
            f"(runs: {', '.join(f'{t:.3f}' for t in timings)}); {len(result.actions)} actions"
        )
    profiler = cProfile.Profile()
    profiler.runcall(once)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
