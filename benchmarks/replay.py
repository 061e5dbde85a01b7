"""``escalation-agent replay`` over a busy quarter: 5,000 tickets in 90 days, all five packs.

Seeds a sandbox (in this process, through the seeding API, with its clock moved
to each event) with a quarter of history: tickets raised at random moments over
90 days across the packs' projects, each acknowledged by its assignee 3 to 30
minutes later, then updated at the pace its procedure asks (one update in ten
comes three times later), moved to In Progress and resolved after 30 minutes to
3 days; about 5% are never resolved (worked for a while, then forgotten). Then
runs the real command as a child process, ``escalation-agent replay --from ...
--to ... --every 60s`` over HTTP, and reports its wall time (reading, replaying),
the planner calls it made, and its peak RSS (the child's own, ``ru_maxrss``).

Run: ``.venv/bin/python benchmarks/replay.py [--tickets 5000] [--days 90] [--every 60s]
[--keep DIR] [--profile FILE]`` (``--keep`` keeps the report, to open ``DIR/replay.html``;
``--profile`` runs the command under cProfile and writes its stats to ``FILE``).

Measured with the defaults on a 2-core machine: 224 s wall (replay 169 s,
the rest reading over HTTP and writing) with the load average at 0.9 when the
command started and 1.3 when it ended; 270 s (replay 213 s) at 5.1 and 3.3,
shared with other work. Peak RSS 472 MB, replay.html 2.2 MB, replay.json
311 MB, 660,458 actions (635,000 messages), 108,563 planner calls and 432,753
ticket plans. Before the digest stopped rebuilding a page already carried out
and counted its chart weeks in one pass: 378 s (replay 311 s) at a load of
6.2 and 2.2, the same actions and calls. Before the actions were spooled and
the idle wake-ups dropped (and before the support pack moved to threads,
which changed its actions): 1,763.6 s (replay 1,627.7 s), 2,888 MB,
replay.html 101.7 MB, 669,868 actions, 120,772 planner calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import seeding as jira
from benchmarks.cycle import TOKEN, agent_env
from benchmarks.scale_seed import DEVELOPERS, _fields, email_of, seed_organisation

START = datetime.fromisoformat("2026-08-03T00:00:00+00:00")  # a Monday
# Share of tickets per pack's project: SUP and CLI are the busy ones; DS allows only
# three new escalations a day, so it gets about that many.
SHARES = (("SUP", 0.40), ("CLI", 0.25), ("INC", 0.20), ("PS", 0.10), ("DS", 0.05))
WORDS = ("Next update at 16:00.", "Still investigating.", "Fix deployed to staging.")


def _pack(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for pack, share in SHARES:
        total += share
        if roll < total:
            return pack
    return SHARES[0][0]


# Per pack: (minutes between updates while open, hours to resolve): INC and SUP ask for
# updates every 30 minutes and are worked until solved, the others move more slowly.
PACE = {
    "INC": ((10, 40), (0.5, 8)),
    "SUP": ((10, 40), (0.5, 12)),
    "PS": ((60, 300), (4, 72)),
    "DS": ((60, 300), (2, 48)),
    "CLI": ((60, 300), (4, 72)),
}


def seed_quarter(
    ctx: SandboxContext, tickets: int, days: float, seed: int = 19, start: datetime = START
) -> int:
    """The quarter's history; returns how many events (creations, comments, changes) it has.

    Most updates come on time, some late (one in ten waits three times as long), and
    about 5% of the tickets are never resolved."""
    rng = random.Random(seed)
    end = start + timedelta(days=days)
    numbers: dict[str, int] = {}
    events = 0
    raised = sorted(
        start + timedelta(seconds=rng.randrange(int(days * 86_400))) for _ in range(tickets)
    )
    for created in raised:
        pack = _pack(rng)
        numbers[pack] = numbers.get(pack, 0) + 1
        handle = rng.choice(DEVELOPERS)
        who = email_of(handle)
        ctx.clock.set(created, frozen=True)
        doc = jira.create_issue(ctx, _fields(ctx, pack, numbers[pack], handle), email_of("jack"))
        key = str(doc["key"])
        (low, high), (fastest, slowest) = PACE[pack]
        lifetime = timedelta(hours=rng.uniform(fastest, slowest))
        # about 5% are never resolved: worked for their lifetime, then forgotten
        resolved = created + lifetime if rng.random() > 0.05 else None
        moment = created + timedelta(minutes=rng.randrange(3, 30))
        last = created + lifetime
        first = True
        while moment < last and moment < end:
            ctx.clock.set(moment, frozen=True)
            jira.add_comment(ctx, key, "On it." if first else rng.choice(WORDS), who)
            events += 1
            if first:
                jira.transition(ctx, key, "In Progress", who)
                events += 1
                first = False
            late = 3 if rng.random() < 0.1 else 1
            moment += timedelta(minutes=rng.randrange(low, high) * late)
        if resolved is not None and resolved < end:
            ctx.clock.set(resolved, frozen=True)
            jira.transition(ctx, key, "Done", who)
            events += 1
        events += 1
    ctx.clock.set(end + timedelta(days=1), frozen=True)
    return events


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--every", default="60s")
    parser.add_argument("--exact", action="store_true", help="plan every ticket every step")
    parser.add_argument("--keep", metavar="DIR", help="keep replay.json and replay.html in DIR")
    parser.add_argument(
        "--profile", metavar="FILE", help="run the command under cProfile, its stats to FILE"
    )
    args = parser.parse_args()

    from agent.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token=TOKEN)
    seed_organisation(server.ctx)
    began = time.monotonic()
    events = seed_quarter(server.ctx, args.tickets, args.days)
    print(f"seeded {args.tickets} tickets, {events} events in {time.monotonic() - began:.0f} s")
    server.start()
    try:
        with tempfile.TemporaryDirectory() as work:
            env = {**os.environ, **agent_env(server.urls.base, Path(work) / "unused.db")}
            env["NO_COLOR"] = "1"
            end = START + timedelta(days=args.days)
            command = [
                sys.executable,
                *(["-m", "cProfile", "-o", args.profile] if args.profile else []),
                "-m",
                "agent.cli",
                "replay",
                "--from",
                START.isoformat(),
                "--to",
                end.isoformat(),
                "--every",
                args.every,
                "--out",
                args.keep or str(Path(work) / "out"),
                *(["--exact"] if args.exact else []),
            ]
            load_before = os.getloadavg()[0]
            began = time.monotonic()
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            wall = time.monotonic() - began
            load_after = os.getloadavg()[0]
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if result.returncode != 0:
                print(result.stdout, result.stderr)
                return 1
            out = Path(args.keep or Path(work) / "out")
            data = json.loads((out / "replay.json").read_text())
            page = (out / "replay.html").stat().st_size
    finally:
        server.stop()
    replayed = [float(s) for s in re.findall(r"replayed in ([\d.]+) s", result.stdout)]
    totals = data["totals"]
    steps = int(timedelta(days=args.days) / timedelta(seconds=int(args.every.rstrip("s"))))
    print(result.stdout.strip())
    print()
    print(
        f"tickets read: {totals['tickets']}  actions: {totals['actions']}  messages: "
        f"{totals['messages']}"
    )
    print(
        f"wall time of the command: {wall:.1f} s (replay itself {sum(replayed):.1f} s, the rest "
        "reading Jira over HTTP and writing the report)"
    )
    print(
        f"planner calls: {totals['plans']:,}, ticket plans: {totals['ticket_plans']:,} "
        f"(planning every ticket at every one of {steps:,} steps would be "
        f"{steps:,} calls)"
    )
    print(f"peak RSS of the command: {peak_mb:.0f} MB; replay.html {page / 1e6:.1f} MB")
    print(
        f"load average (1 min) before and after the command: {load_before:.1f}, "
        f"{load_after:.1f} on {os.cpu_count()} core(s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
