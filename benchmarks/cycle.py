"""What one agent cycle costs at 1,000 and 10,000 active escalations, incremental vs naive.

For each size the sandbox is seeded with N escalations spread over the five
packs (``benchmarks/scale_seed.py``), the agent's store is primed as if it had
already acted on all of them (one full read and plan; every planned action
recorded as done; an escalation channel per SUP/DS ticket), and then the agent
runs cycles in a subprocess (so its peak RSS is its own):

- steady: nothing changed since the last cycle;
- 1% changed: 1% of the tickets got a comment from their assignee;
both with 0 ms and with 50 ms injected latency per request (``/_sandbox/faults``).
Requests are counted from the sandbox request log; rule evaluation is the CPU
time of one ``plan(...)`` call. The naive strategy re-reads every ticket with
comments, changelog, watchers and channel messages every cycle.

Nudge lateness: a sample of the seeded tickets is planned every poll over a
simulated day with no human updates; lateness is the largest gap between an
action's due time and the start of the first cycle that plans it, plus the
cycle's wall time at 50 ms (cycles slower than the poll run back to back).

Run: ``.venv/bin/python benchmarks/cycle.py`` (N = 1,000 and 10,000) or
``--quick`` (N = 1,000 only).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import load_settings
from agent.policy import load_policies
from agent.runtime.deps import build_deps
from agent.secrets import Redactor
from benchmarks.lateness import simulate_day
from benchmarks.scale_seed import DEFAULT_AT, Seeded, seed_escalations, seed_organisation
from benchmarks.strategies import create_channels, prime_store

TOKEN = secrets.token_urlsafe(16)  # valid only against this throwaway sandbox
AGENT_EMAIL = "agent@sandbox.example"
POLL_SECONDS = 60
LATENCY_MS = 50
CHANGED = 0.01
# The naive strategy's cycles at 50 ms are measured up to this N and scaled beyond
# (its cost is linear in N; at 10,000 one cycle would take many minutes).
NAIVE_LATENCY_UP_TO = 1_000
RULES = Path(__file__).resolve().parent.parent / "rules"
# These benchmarks measure the agent's own work, not Slack's rate limits (that is
# benchmarks/first_contact.py): the sandbox's Slack windows and the agent's pacing are
# both divided by this factor, so the limits stay on but never set the pace.
SLACK_TIME_SCALE = 1000


def agent_env(base: str, state_db: Path) -> dict[str, str]:
    return {
        "JIRA_URL": base,
        "JIRA_EMAIL": AGENT_EMAIL,
        "JIRA_API_TOKEN": TOKEN,
        "CONFLUENCE_URL": f"{base}/wiki",
        "CONFLUENCE_EMAIL": AGENT_EMAIL,
        "CONFLUENCE_API_TOKEN": TOKEN,
        "CONFLUENCE_SPACE": "OPS",
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": f"{base}/api/",
        "AGENT_RULES": str(RULES),
        "AGENT_STATE_URL": f"sqlite:///{state_db}",
        "AGENT_LOG_LEVEL": "WARNING",
        "AGENT_POLL_SECONDS": str(POLL_SECONDS),
        "AGENT_SLACK_TIME_SCALE": str(SLACK_TIME_SCALE),
    }


# -- the child: one agent process running the measured cycles ----------------------------
class Control:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.session.request(method, f"{self.base}/_sandbox/{path}", json=body, timeout=60)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def comment(self, key: str, email: str, text: str) -> None:
        answer = self.session.post(
            f"{self.base}/rest/api/2/issue/{key}/comment",
            json={"body": text},
            auth=(email, os.environ["JIRA_API_TOKEN"]),
            timeout=60,
        )
        answer.raise_for_status()


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    Linux keeps ``ru_maxrss`` across exec, so a child forked by the benchmark (which
    holds the seeded sandbox) would start at the parent's size; ``VmHWM`` belongs to the
    process image alone. ``ru_maxrss`` where there is no /proc.
    """
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else []:
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dump_plan_inputs(path: Path, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Save one ``plan(...)`` call's inputs as JSON for ``profile_plan.py --inputs``."""
    from agent.core.state_codec import state_to_dict
    from agent.runtime.read.snapshots import ticket_to_json

    tickets, state, now, _policies, *rest = args
    messages = rest[0] if rest else kwargs.get("messages")
    saved = {
        "tickets": [ticket_to_json(t) for t in tickets],
        "state": state_to_dict(state),
        "now": now.isoformat(),
        "messages": {
            key: [{**asdict(m), "at": m.at.isoformat()} for m in found]
            for key, found in (messages or {}).items()
        },
        "pages": {k: dict(v) for k, v in (kwargs.get("pages") or {}).items()},
    }
    path.write_text(json.dumps(saved))


def child(config_path: Path) -> None:
    from agent.runtime import cycle as cycle_module
    from agent.runtime import fresh_plan
    from benchmarks.strategies import NaiveReader

    config = json.loads(config_path.read_text())
    settings = load_settings(os.environ)
    policies = load_policies(settings.rules_path)
    deps = build_deps(settings, policies, Redactor(settings.secrets()))
    at = datetime.fromisoformat(config["at"])
    if config["strategy"] == "prime":
        started = time.perf_counter()
        primed = prime_store(deps, at, config["channels"])
        priming_s = time.perf_counter() - started
        lateness = simulate_day(primed, deps.policies, at, POLL_SECONDS)
        deps.close()
        print(json.dumps({"priming_s": priming_s, "lateness": lateness}))
        return
    if config["strategy"] == "naive":
        cycle_module.TicketReader = NaiveReader  # type: ignore[misc]
    plan_cpu: list[float] = []
    original_plan = fresh_plan.plan

    # For finding where rule evaluation goes: BENCH_PROFILE_DIR saves each plan's cProfile
    # (and the CPU figure then includes the profiler), BENCH_DUMP_DIR each plan's inputs
    # for ``benchmarks/profile_plan.py --inputs``.
    profile_dir = os.environ.get("BENCH_PROFILE_DIR")
    dump_dir = os.environ.get("BENCH_DUMP_DIR")

    def timed_plan(*args: Any, **kwargs: Any) -> Any:
        profiler = cProfile.Profile() if profile_dir else None
        started = time.process_time()
        try:
            if profiler is not None:
                return profiler.runcall(original_plan, *args, **kwargs)
            return original_plan(*args, **kwargs)
        finally:
            plan_cpu.append(time.process_time() - started)
            name = f"{config['strategy']}-{phase_name[0]}-{len(plan_cpu)}"
            if dump_dir:
                dump_plan_inputs(Path(dump_dir) / f"{name}.json", args, kwargs)
            if profiler is not None and profile_dir:
                profiler.dump_stats(str(Path(profile_dir) / f"{name}.prof"))

    fresh_plan.plan = timed_plan  # type: ignore[assignment]
    control = Control(settings.jira_url)
    results: list[dict[str, Any]] = []
    rss_mb_start = peak_rss_mb()
    phase_name = [""]
    for step, phase in enumerate(config["phases"], start=1):
        phase_name[0] = phase["name"]
        now = at + timedelta(seconds=POLL_SECONDS * step)
        control("POST", "faults", {"rate": 0, "latency_ms": 0})
        control("POST", "clock", {"now": now.isoformat(), "frozen": True})
        for key, email in phase.get("changes", {}).items():
            control.comment(key, email, "Update: fix deployed to staging. Next update at 17:00.")
        control("POST", "faults", {"rate": 0, "latency_ms": phase["latency_ms"]})
        control("DELETE", "requests")
        plan_cpu.clear()
        started = time.perf_counter()
        report = cycle_module.run_cycle(deps, now)
        wall = time.perf_counter() - started
        log = control("GET", "requests")
        services = Counter(str(e["service"]) for e in log)
        results.append(
            {
                "name": phase["name"],
                "requests": len(log),
                "writes": sum(1 for e in log if e.get("write")),
                "by_service": dict(services),
                "wall_s": wall,
                "plan_cpu_s": max(plan_cpu, default=0.0),
                "plans": len(plan_cpu),
                "planned": report.total_planned,
                "done": report.total_done,
                "details_read": report.details_read,
                "errors": len(report.read_errors) + len(report.failures),
                "rss_mb_after": peak_rss_mb(),
            }
        )
    control("POST", "faults", {"rate": 0, "latency_ms": 0})
    deps.close()
    print(
        json.dumps({"phases": results, "peak_rss_mb": peak_rss_mb(), "rss_mb_start": rss_mb_start})
    )


def run_child(
    strategy: str,
    env: dict[str, str],
    at: datetime,
    phases: list[dict[str, Any]],
    workdir: Path,
    *,
    channels: dict[str, str] | None = None,
) -> dict[str, Any]:
    config = workdir / f"{strategy}.json"
    config.write_text(
        json.dumps(
            {"strategy": strategy, "at": at.isoformat(), "phases": phases, "channels": channels}
        )
    )
    full_env = {**os.environ, **env}
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(config)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the {strategy} agent failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the parent: seed, prime, run both strategies -------------------------------------------
def _changes(seeded: Seeded, fraction: float, offset: int) -> dict[str, str]:
    count = max(1, round(len(seeded.keys) * fraction))
    step = max(1, len(seeded.keys) // count)
    keys = seeded.keys[offset::step][:count]
    return {k: seeded.assignee_of[k] for k in keys}


def measure_size(
    count: int, *, with_naive_latency: bool, quick: bool, workdir: Path
) -> dict[str, Any]:
    from agent.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token=TOKEN)
    server.ctx.realism.update({"slack_time_scale": SLACK_TIME_SCALE})
    started = time.perf_counter()
    seed_organisation(server.ctx)
    seeded = seed_escalations(server.ctx, count)
    seeding_s = time.perf_counter() - started
    server.start()
    try:
        primed_db = workdir / f"primed-{count}.db"
        channels = create_channels(server.ctx, seeded.keys)
        env = agent_env(server.urls.base, primed_db)
        primed = run_child("prime", env, DEFAULT_AT, [], workdir, channels=channels)
        out: dict[str, Any] = {"n": count, "seeding_s": seeding_s, **primed}
        phases = [
            {"name": "warm", "latency_ms": 0},
            {"name": "steady", "latency_ms": 0},
            {"name": "changed", "latency_ms": 0, "changes": _changes(seeded, CHANGED, 0)},
            {"name": "steady@50", "latency_ms": LATENCY_MS},
            {
                "name": "changed@50",
                "latency_ms": LATENCY_MS,
                "changes": _changes(seeded, CHANGED, 1),
            },
        ]
        # The naive agent reads everything whatever changed: its 1%-changed cycle is
        # measured only in the full run at the smaller N (it costs as much as the
        # steady one; elsewhere the steady figures are shown, marked "=steady").
        naive_phases: list[dict[str, Any]] = [{"name": "steady", "latency_ms": 0}]
        if not quick and count <= NAIVE_LATENCY_UP_TO:
            naive_phases.append(
                {"name": "changed", "latency_ms": 0, "changes": _changes(seeded, CHANGED, 2)}
            )
        if with_naive_latency:
            naive_phases.append({"name": "steady@50", "latency_ms": LATENCY_MS})
        for strategy, wanted in (("incremental", phases), ("naive", naive_phases)):
            db = workdir / f"{strategy}-{count}.db"
            shutil.copyfile(primed_db, db)
            env = agent_env(server.urls.base, db)
            out[strategy] = run_child(strategy, env, DEFAULT_AT, wanted, workdir)
        naive = out["naive"]
        if _phase(naive, "changed") is None:
            copied = {**dict(_phase(naive, "steady") or {}), "name": "changed", "copied": True}
            naive["phases"].append(copied)
        return out
    finally:
        server.stop()


def _phase(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    for phase in result["phases"]:
        if phase["name"] == name:
            return dict(phase)
    return None


def _wall_at_latency(
    result: dict[str, Any], name: str, added_per_ticket: float | None = None, count: int = 0
) -> tuple[float, bool]:
    """Measured wall time at 50 ms, else an estimate from the 0 ms time.

    The estimate adds the latency cost per ticket measured at a smaller N (the
    naive strategy's cost is linear in N), or, without one, 50 ms per request.
    """
    measured = _phase(result, f"{name}@50")
    if measured is not None:
        return float(measured["wall_s"]), False
    base = _phase(result, name)
    if base is None:
        return math.nan, True
    if added_per_ticket is not None:
        return float(base["wall_s"]) + added_per_ticket * count, True
    return float(base["wall_s"]) + base["requests"] * LATENCY_MS / 1000, True


def latency_cost_per_ticket(out: dict[str, Any]) -> float | None:
    """Seconds the 50 ms latency added per ticket to a naive steady cycle, if measured."""
    slow, fast = _phase(out["naive"], "steady@50"), _phase(out["naive"], "steady")
    if slow is None or fast is None:
        return None
    return float(slow["wall_s"] - fast["wall_s"]) / out["n"]


def table(out: dict[str, Any], added_per_ticket: float | None = None) -> list[str]:
    count = out["n"]
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = []

    def requests_of(name: str) -> Callable[[dict[str, Any]], str]:
        def get(result: dict[str, Any]) -> str:
            phase = _phase(result, name)
            if phase is None:
                return "-"
            return str(phase["requests"]) + (" (=steady)" if phase.get("copied") else "")

        return get

    def writes_of(name: str) -> Callable[[dict[str, Any]], str]:
        def get(result: dict[str, Any]) -> str:
            phase = _phase(result, name)
            return "-" if phase is None or "writes" not in phase else str(phase["writes"])

        return get

    def wall_of(name: str, latency: bool) -> Callable[[dict[str, Any]], str]:
        def get(result: dict[str, Any]) -> str:
            if latency:
                per_ticket = added_per_ticket if result is out["naive"] else None
                seconds, estimated = _wall_at_latency(result, name, per_ticket, count)
                if not estimated:
                    return f"{seconds:.2f}"
                return f"{seconds:.2f}" + (" (est.)" if per_ticket else " (est.,serial)")
            phase = _phase(result, name)
            return "-" if phase is None else f"{phase['wall_s']:.2f}"

        return get

    def cpu(result: dict[str, Any]) -> str:
        phase = _phase(result, "steady")
        return "-" if phase is None else f"{phase['plan_cpu_s']:.3f}"

    def lateness(result: dict[str, Any]) -> str:
        per_ticket = added_per_ticket if result is out["naive"] else None
        wall, _estimated = _wall_at_latency(result, "changed", per_ticket, count)
        period = max(POLL_SECONDS, wall)
        gap = out["lateness"]["max_gap_s"] if period <= POLL_SECONDS else period
        return f"{gap + wall:.0f}"

    rows = [
        ("requests, steady cycle", requests_of("steady")),
        ("requests, 1% changed", requests_of("changed")),
        ("  of which writes, 1% changed, 50 ms", writes_of("changed@50")),
        ("wall s, steady, 0 ms", wall_of("steady", latency=False)),
        ("wall s, 1% changed, 0 ms", wall_of("changed", latency=False)),
        ("wall s, steady, 50 ms", wall_of("steady", latency=True)),
        ("wall s, 1% changed, 50 ms", wall_of("changed", latency=True)),
        ("CPU s, rule evaluation (one plan)", cpu),
        ("peak RSS MB (agent process)", lambda r: f"{r['peak_rss_mb']:.0f}"),
        ("worst nudge lateness s (60 s poll, 50 ms)", lateness),
    ]
    lines = [f"N = {count:,}  (goal: steady <= {math.ceil(count / 100) + 5} requests)"]
    lines.append(f"{'':44} {'incremental':>16} {'naive':>16} {'naive/incr.':>12}")
    for label, get in rows:
        incr, naive = get(out["incremental"]), get(out["naive"])
        ratio = ""
        try:
            a = float(incr.split()[0])
            b = float(naive.split()[0])
            ratio = f"{b / a:.1f}x" if a else ""
        except ValueError:
            ratio = ""
        lines.append(f"{label:44} {incr:>16} {naive:>16} {ratio:>12}")
    late = out["lateness"]
    lines.append(
        f"(seeding {out['seeding_s']:.1f} s, priming {out['priming_s']:.1f} s; day simulated on "
        f"{late['tickets']} tickets: {late['nudges']} actions, max gap due->planned "
        f"{late['max_gap_s']:.0f} s, {late['deferred']} deferred by business hours)"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only (under a minute)")
    parser.add_argument("--sizes", type=int, nargs="*", help="sizes to measure")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    sizes = args.sizes or ([1_000] if args.quick else [1_000, 10_000])
    started = time.perf_counter()
    outputs = []
    added: float | None = None
    with tempfile.TemporaryDirectory(prefix="cycle-bench-") as tmp:
        for count in sizes:
            naive_latency = count <= NAIVE_LATENCY_UP_TO and not args.quick
            out = measure_size(
                count, with_naive_latency=naive_latency, quick=args.quick, workdir=Path(tmp)
            )
            outputs.append(out)
            added = latency_cost_per_ticket(out) or added
            print("\n".join(table(out, added)), flush=True)
            print(flush=True)
    print(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(outputs, indent=2, default=str))


if __name__ == "__main__":
    main()
