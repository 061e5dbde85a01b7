"""The drill: one ticket taken through every kind of effect, and an inventory of them.

``Drill`` owns a sandbox, a state directory and an agent launcher; ``play`` runs
the timeline (setup, the ack nudge, its repeat in the thread, resolution, and a
settling cycle later) and calls a hook before each cycle so tests can kill,
delete state or inject faults. ``inventory`` counts what the sandbox holds: the
agent's marked comments, messages with metadata, channels, members, pins,
watchers, pages and log rows. Exactly once means every count is 1.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.server import SandboxServer
from agent.sandbox.slack import workspace as slack
from tests.foundation.test_check_command import ENV_NAMES
from tests.support.sandbox import AGENT_EMAIL, SLACK_TIME_SCALE, TOKEN

ROOT = Path(__file__).resolve().parents[2]
RULES = Path(__file__).with_name("crash-drill.yaml")
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
REPORTER = "rita@sandbox.example"
ASSIGNEE = "alice@sandbox.example"
ISSUE = "CR-1"

# (minutes after START, what happens in Jira just before the cycle)
CYCLES: list[tuple[int, str]] = [
    (1, "set-up: priority, label, channel, invites, announcements, watcher, alert + pin"),
    (16, "the acknowledgement is overdue: nudge in the escalation channel"),
    (31, "still no acknowledgement: repeat in the nudge's thread"),
    (40, "acknowledged and resolved: done reply, unpin, log row, summary page"),
    (55, "settling: a later cycle that finishes whatever a crash left"),
]
RESOLVE_BEFORE = 3  # index of the cycle before which the ticket is acknowledged and resolved
MID = 2  # the inventory is also taken after this cycle (pins are gone at the end)


@dataclass
class Outcome:
    code: int | None
    signal: int | None
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return f"exit {self.code} signal {self.signal}\n{self.stdout}\n{self.stderr}"


class Zygote:
    """A pre-loaded agent process that forks one child per run (see ``agent_zygote``)."""

    def __init__(self) -> None:
        clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.agent_zygote"],
            cwd=ROOT,
            env=clean,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_env = clean

    def run(self, args: list[str], env: dict[str, str], cwd: Path, name: str) -> Outcome:
        out = cwd / name
        job = {"args": args, "env": {**self.base_env, **env}, "cwd": str(cwd), "out": str(out)}
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(job) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return Outcome(
            answer["code"],
            answer["signal"],
            Path(f"{out}.stdout").read_text(),
            Path(f"{out}.stderr").read_text(),
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@contextmanager
def zygote() -> Iterator[Zygote]:
    launcher = Zygote()
    try:
        yield launcher
    finally:
        launcher.close()


@contextmanager
def fresh_sandbox() -> Iterator[SandboxServer]:
    server = SandboxServer(port=0, token=TOKEN).start()
    server.ctx.realism.update({"slack_time_scale": SLACK_TIME_SCALE})
    try:
        yield server
    finally:
        server.stop()


def seed(server: SandboxServer) -> None:
    """Four people, the CR project, its Confluence space and announcement channel, CR-1."""
    ctx = server.ctx
    ctx.clock.set(START, frozen=True)
    people = {}
    for name, email in [
        ("Agent", AGENT_EMAIL),
        ("Rita Reporter", REPORTER),
        ("Alice Assignee", ASSIGNEE),
        ("Pete PM", "pm@sandbox.example"),
    ]:
        people[email] = ctx.users.create(name, email)["accountId"]
    jira.create_project(ctx, "CR", "Crash drill", REPORTER)
    confluence.create_space(ctx, "CR", "Crash drill")
    slack.create_channel(ctx, "cr-announce")
    jira.create_issue(
        ctx,
        {
            "project": {"key": "CR"},
            "summary": "Checkout is down",
            "issuetype": {"name": "Incident"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": people[ASSIGNEE]},
        },
        REPORTER,
    )


def cycle_time(index: int) -> datetime:
    return START + timedelta(minutes=CYCLES[index][0])


@dataclass
class Drill:
    server: SandboxServer
    state_dir: Path
    launcher: Zygote
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)
    mid: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    end: Counter[str] = field(default_factory=Counter)
    rules: Path = RULES

    def __post_init__(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)

    @property
    def state_db(self) -> Path:
        return self.state_dir / "state.db"

    def env(self) -> dict[str, str]:
        base = self.server.urls.base
        return {
            "JIRA_URL": base,
            "JIRA_EMAIL": AGENT_EMAIL,
            "JIRA_API_TOKEN": TOKEN,
            "CONFLUENCE_URL": f"{base}/wiki",
            "CONFLUENCE_EMAIL": AGENT_EMAIL,
            "CONFLUENCE_API_TOKEN": TOKEN,
            "CONFLUENCE_SPACE": "CR",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": f"{base}/api/",
            "AGENT_SLACK_TIME_SCALE": str(SLACK_TIME_SCALE),
            "AGENT_RULES": str(self.rules),
            "AGENT_STATE_URL": f"sqlite:///{self.state_db}",
            "AGENT_LOG_LEVEL": "INFO",
        }

    def run_cycle(self, index: int, **extra: str) -> Outcome:
        outcome = self.run_at(cycle_time(index), **extra)
        self.outcomes.append((index, outcome))
        return outcome

    def run_at(self, now: datetime, **extra: str) -> Outcome:
        """One ``run --once`` at ``now`` (the sandbox clock is moved there first)."""
        self.server.ctx.clock.set(now, frozen=True)
        self.runs += 1
        return self.launcher.run(
            ["run", "--once", "--now", now.isoformat()],
            {**self.env(), **extra},
            self.state_dir,
            f"run-{self.runs}",
        )

    def before_cycle(self, index: int) -> None:
        if index == RESOLVE_BEFORE:
            ctx = self.server.ctx
            ctx.clock.set(cycle_time(index) - timedelta(minutes=2), frozen=True)
            jira.add_comment(ctx, ISSUE, "On it: the payment provider rotated its keys.", ASSIGNEE)
            jira.transition(ctx, ISSUE, "Done", ASSIGNEE)

    def play(self, hook: Callable[[Drill, int], None] | None = None) -> Counter[str]:
        """Run every cycle (``hook(drill, index)`` may replace the plain run); the inventory."""
        for index in range(len(CYCLES)):
            self.before_cycle(index)
            if hook is None:
                self.run_cycle(index)
            else:
                hook(self, index)
            if index == MID:
                self.mid = inventory(self.server)
        self.end = inventory(self.server)
        return self.end


def _payload_key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key else None


def _rows_with(body: str, key: str) -> int:
    return sum(1 for row in re.findall(r"<tr>.*?</tr>", body, flags=re.S) if key in row)


def inventory(server: SandboxServer) -> Counter[str]:
    """Every effect the agent left in the sandbox, counted."""
    ctx = server.ctx
    found: Counter[str] = Counter()
    issue = jira.get_issue(ctx, ISSUE)
    for comment in issue["comments"]:
        marker = comment["properties"].get("escalation-agent")
        if marker is not None:
            value = marker.get("value", marker) if isinstance(marker, dict) else marker
            key = value.get("key") if isinstance(value, dict) else value
            found[f"jira comment {key}"] += 1
    for label in issue["fields"].get("labels") or []:
        found[f"jira label {label}"] += 1
    found[f"jira priority {issue['fields']['priority']}"] += 1
    for watcher in issue.get("watchers") or []:
        found[f"jira watcher {watcher}"] += 1
    for link in issue.get("remotelinks") or []:
        found[f"jira remote link {link.get('globalId')}"] += 1
    bot = slack.bot_slack_id(ctx)
    for channel in slack.all_channels(ctx):
        name = channel["name"]
        found[f"slack channel #{name}"] += 1
        for member in channel["members"]:
            found[f"slack member #{name} {member}"] += 1
        messages = slack.stored_messages(ctx, channel["id"])
        keys = {m["ts"]: _payload_key(m) for m in messages}
        for pin in channel.get("pins") or []:
            found[f"slack pin #{name} {keys.get(pin['ts'])}"] += 1
        for message in messages:
            key = keys[message["ts"]]
            if key is None or message.get("user") != bot:
                continue
            parent = message.get("thread_ts")
            where = (
                f" in thread of {keys.get(parent)}" if parent and parent != message["ts"] else ""
            )
            found[f"slack message #{name} {key}{where}"] += 1
    for page in confluence.pages(ctx):
        title = page["title"]
        found[f"confluence page {title}"] += 1
        rows = _rows_with(confluence.page_body(ctx, page["id"]), ISSUE)
        if "Incident Log" in title:
            found[f"confluence log row {title} {ISSUE}"] += rows
    return found


def compare(expected: Counter[str], actual: Counter[str]) -> tuple[list[str], list[str]]:
    """(duplicates, losses) of ``actual`` against an ``expected`` where every count is 1."""
    duplicates = [f"{name} x{count}" for name, count in sorted(actual.items()) if count > 1]
    losses = [name for name in sorted(expected) if actual[name] < expected[name]]
    extras = [f"{name} (unexpected)" for name in sorted(actual) if name not in expected]
    return duplicates + extras, losses
