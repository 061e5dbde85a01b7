"""First contact under Slack's rate limits: 200 new escalations needing channels at once.

The sandbox is seeded with N new escalations (default 200) in one project, each
needing what ``clerical_channel`` does: a channel with topic and purpose, an
intro post pinned in it, one invite of the assignee, the reporter and an on-call
user group, and a comment plus a remote link on the ticket. The agent starts
with an empty state store (as on a first run: every action checks first whether
it was done) and runs full cycles, in process, until nothing is left to do.
Slack's limits are on, per method (tiers) and per channel, with every window
divided by ``--scale`` (the sandbox's ``slack_time_scale``; the agent is told
the same factor through ``AGENT_SLACK_TIME_SCALE``).

Printed: Slack calls per escalation by method (from the sandbox's request log),
the time to finish against the tier-limited minimum (the slowest method's
calls divided by its rate, the issue's definition; and the same less the first
window, which Slack lets through at once), 429s met, and actions failed.
Times are as measured at ``--scale``; multiplied by the scale they are what a
real workspace would take (Slack's minute is ``60 / scale`` seconds here).

Run: ``.venv/bin/python benchmarks/first_contact.py [--escalations 200] [--scale 10]``.
"""

from __future__ import annotations

import argparse
import math
import secrets
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.config import load_settings
from agent.policy import load_policies
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import build_deps
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from agent.sandbox.slack.tiers import METHOD_LIMITS, WINDOW_SECONDS
from agent.secrets import Redactor

TOKEN = secrets.token_urlsafe(16)  # valid only against this throwaway sandbox
AGENT_EMAIL = "agent@sandbox.example"
AT = datetime.fromisoformat("2026-11-24T14:00:00+00:00")
DEVELOPERS = [f"dev{n}@bench.example" for n in range(12)]
REPORTERS = [f"support{n}@bench.example" for n in range(4)]
ONCALL = ["oncall-a@bench.example", "oncall-b@bench.example"]
MAX_CYCLES = 6
POLICY = """
name: first-contact
description: a channel for every new escalation
select: {projects: [FC]}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
channels: {escalation: "fc-{number}-{summary}"}
rules:
  - rule: clerical_channel
    invite: [assignee, reporter]
    always_include: ['group:@fc-oncall']
"""


def seed(ctx: SandboxContext, count: int) -> list[str]:
    """People (all in Slack), the on-call group, the FC project and ``count`` new tickets."""
    ctx.clock.set(AT - timedelta(minutes=5), frozen=True)
    ctx.users.create("Agent", AGENT_EMAIL)
    for email in [*DEVELOPERS, *REPORTERS, *ONCALL]:
        ctx.users.create(email.split("@", 1)[0].title(), email)
    slack.create_usergroup(
        ctx, "@fc-oncall", "FC on call", [ctx.users.by_email(e)["slackId"] for e in ONCALL]
    )
    jira.create_project(ctx, "FC", "First contact", REPORTERS[0])
    keys: list[str] = []
    for reporter_index, reporter in enumerate(REPORTERS):
        batch = [
            {
                "project": {"key": "FC"},
                "summary": f"Checkout degraded for customer {number}",
                "issuetype": {"name": "Task"},
                "assignee": {"accountId": ctx.users.by_email(DEVELOPERS[number % 12])["accountId"]},
            }
            for number in range(count)
            if number % len(REPORTERS) == reporter_index
        ]
        keys += [str(doc["key"]) for doc in jira.bulk_create(ctx, batch, reporter)]
    ctx.clock.set(AT, frozen=True)
    return keys


def agent_env(base: str, rules: Path, state_db: Path, scale: float) -> dict[str, str]:
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
        "AGENT_RULES": str(rules),
        "AGENT_STATE_URL": f"sqlite:///{state_db}",
        "AGENT_LOG_LEVEL": "ERROR",
        "AGENT_SLACK_TIME_SCALE": str(scale),
    }


def minimum_seconds(calls: Counter[str], scale: float) -> tuple[str, float, float]:
    """The slowest method, its calls over its rate, and that less Slack's first window."""
    window = WINDOW_SECONDS / scale
    slowest, by_rate, by_window = "", 0.0, 0.0
    for method, count in calls.items():
        limit = METHOD_LIMITS.get(method)
        if limit is None:
            continue
        per_minute = limit.tier.per_minute
        seconds = count / per_minute * window
        if seconds > by_rate:
            slowest, by_rate = method, seconds
            by_window = max(0, math.ceil(count / per_minute) - 1) * window
    return slowest, by_rate, by_window


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--escalations", type=int, default=200)
    parser.add_argument("--scale", type=float, default=10.0, help="slack_time_scale")
    args = parser.parse_args()
    from agent.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token=TOKEN)
    keys = seed(server.ctx, args.escalations)
    server.ctx.realism.update({"slack_time_scale": args.scale})
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="first-contact-") as tmp:
            rules = Path(tmp) / "rules"
            rules.mkdir()
            (rules / "first-contact.yaml").write_text(POLICY, encoding="utf-8")
            values = agent_env(server.urls.base, rules, Path(tmp) / "state.db", args.scale)
            settings = load_settings(values)
            policies = load_policies(settings.rules_path)
            deps = build_deps(settings, policies, Redactor(settings.secrets()))
            server.ctx.requests.clear()
            started = time.perf_counter()
            started_wall = time.time()
            try:
                reports = []
                for cycle in range(MAX_CYCLES):
                    report = run_cycle(deps, AT + timedelta(minutes=cycle))
                    reports.append(report)
                    if report.total_planned == 0 or (
                        report.total_failed == 0 and report.total_done == report.total_planned
                    ):
                        break
            finally:
                deps.close()
            wall = time.perf_counter() - started
        log = server.ctx.requests.entries()
    finally:
        server.stop()
    slack_calls = [e["wall"] for e in log if e["service"] == "slack"]
    before = min(slack_calls) - started_wall if slack_calls else 0.0
    print_results(args, keys, reports, log, wall=wall, before=before)


def print_results(
    args: argparse.Namespace,
    keys: list[str],
    reports: list[Any],
    log: list[dict[str, Any]],
    *,
    wall: float,
    before: float,
) -> None:
    """``before``: seconds of reading and planning before the first Slack call (local work
    that the time scale does not shrink)."""
    slack_log = [e for e in log if e["service"] == "slack"]
    calls = Counter(str(e["path"]).removeprefix("/api/") for e in slack_log)
    limited = Counter(str(e["path"]).removeprefix("/api/") for e in slack_log if e["status"] == 429)
    n = len(keys)
    print(f"{n} new escalations, Slack windows divided by {args.scale:g}", flush=True)
    print(f"cycles: {len(reports)}; last: {reports[-1].summary()}")
    print("Slack calls per escalation (429s included):")
    for method, count in sorted(calls.items(), key=lambda item: (-item[1], item[0])):
        tier = METHOD_LIMITS[method].tier.label if method in METHOD_LIMITS else "?"
        print(f"  {method:28} {count / n:6.2f}   ({count} calls, {tier}, 429s: {limited[method]})")
    slowest, by_rate, by_window = minimum_seconds(calls - limited, args.scale)
    real = before + (wall - before) * args.scale
    print(
        f"time to finish: {wall:.1f} s, of which {before:.1f} s reading and planning before "
        f"the first Slack call (about {real / 60:.1f} min on a real workspace: the rest x"
        f"{args.scale:g})"
    )
    print(
        f"tier-limited minimum: {by_rate:.1f} s ({slowest}: calls / rate); "
        f"{by_window:.1f} s less the first window Slack lets through at once"
    )
    print(f"ratio: {wall / by_rate:.2f} x the minimum ({real / (by_rate * args.scale):.2f} x real)")
    failed_at_end = reports[-1].total_failed
    failed_total = sum(r.total_failed for r in reports)
    print(f"actions failed: {failed_at_end} at the end ({failed_total} over all cycles)")
    jira_calls = sum(1 for e in log if e["service"] == "jira")
    print(f"Jira calls: {jira_calls}; Slack 429s met: {sum(limited.values())}")


if __name__ == "__main__":
    main()
