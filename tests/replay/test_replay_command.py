"""``escalation-agent replay`` through the sandbox: a hand-made history with known answers.

Four support tickets on a Monday morning, acknowledged by their assignee 5, 10
and 14 minutes after they were raised (on time: 15 minutes are allowed) and
35 minutes after (20 minutes late). The replay writes nothing anywhere (the
sandbox's request log has no write), and its JSON and page say 3 of 4 on time,
one 20 minutes late. ``--compare`` with updates every hour instead of every two
shows the nudges the tighter cadence adds and the tickets where it differs.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.cli import main
from agent.sandbox.jira import seeding as jira
from tests.foundation.test_check_command import run_cli, sandbox_env
from tests.scenarios.support import build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
ALICE = "alice@sandbox.example"
REPORTER = "rita@sandbox.example"
HOSTILE = "Login <script>alert('x')</script> & fails"
POLICY = """\
name: support-replay
description: Acknowledge within 15 minutes, update every {every}.
select: {{projects: [SUP]}}
timezone: UTC
business_hours: {{start: "08:00", end: "18:00"}}
updates: {{sources: [jira_comment], by: [assignee]}}
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [jira]
  - rule: update_overdue
    every: {every}
    to: [assignee]
    notify: [jira]
"""
# (raised, acknowledged) in minutes after 08:00; the last one 20 minutes late
TICKETS = [(60, 65), (70, 80), (90, 104), (120, 155)]


def rules(tmp_path: Path, every: str) -> Path:
    folder = tmp_path / f"rules-{every}"
    folder.mkdir()
    (folder / "support.yaml").write_text(POLICY.format(every=every))
    return folder


def seed(sandbox: SandboxHandle, tmp_path: Path) -> None:
    site = build_site(sandbox, tmp_path, START, ["SUP"])
    alice = site.person("Alice Assignee", ALICE)
    site.person("Rita Reporter", REPORTER)
    events: list[tuple[int, Any]] = []
    for number, (raised, acked) in enumerate(TICKETS, start=1):
        summary = HOSTILE if number == 4 else f"Ticket {number}"
        fields = {
            "project": {"key": "SUP"},
            "summary": summary,
            "issuetype": {"name": "Incident"},
            "assignee": {"accountId": alice},
        }
        events.append((raised, lambda f=fields: jira.create_issue(site.ctx, f, REPORTER)))
        key = f"SUP-{number}"
        events.append((acked, lambda k=key: jira.add_comment(site.ctx, k, "On it", ALICE)))
    for key in ("SUP-1", "SUP-2", "SUP-3"):
        events.append((180, lambda k=key: jira.transition(site.ctx, k, "Done", ALICE)))
    for minutes, event in sorted(events, key=lambda e: e[0]):
        sandbox.set_clock(START + timedelta(minutes=minutes), frozen=True)
        event()
    sandbox.set_clock(START + timedelta(days=2), frozen=True)
    sandbox.clear_requests()


def replay_cli(
    sandbox: SandboxHandle, tmp_path: Path, *args: str
) -> tuple[dict[str, Any], str, str]:
    env = sandbox_env(sandbox)
    env["AGENT_RULES"] = str(rules(tmp_path, "2h"))
    out = tmp_path / "out"
    result = run_cli(
        [
            "replay",
            "--from",
            "2026-11-23T08:00:00Z",
            "--to",
            "2026-11-23T14:00:00Z",
            "--every",
            "60s",
            "--out",
            str(out),
            *args,
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((out / "replay.json").read_text())
    return data, (out / "replay.html").read_text(), result.stdout


def test_adherence_of_a_hand_made_history_and_no_write(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seed(sandbox, tmp_path)
    data, page, stdout = replay_cli(sandbox, tmp_path)

    assert [e for e in sandbox.requests_log() if e.get("write")] == []
    ack = data["adherence"]["by_kind"]["acknowledgement"]
    assert ack == {
        "obligations": 4,
        "on_time": 3,
        "late": 1,
        "missed": 0,
        "missed_open_at_end": 0,
        "late_median_seconds": 20 * 60,
        "late_p90_seconds": 20 * 60,
    }
    (late,) = [
        o
        for o in data["adherence"]["obligations"]
        if o["rule"] == "ack_overdue" and o["late_seconds"]
    ]
    assert (late["issue"], late["due"], late["met_at"]) == (
        "SUP-4",
        "2026-11-23T10:15:00Z",
        "2026-11-23T10:35:00Z",
    )
    # SUP-4's acknowledgement nudge, once, a minute-step after it fell due, with the live key
    nudge, done = [a for a in data["actions"] if a["rule"] == "ack_overdue"]
    assert done["key"] == "ack_overdue:SUP-4:ack@2026-11-23T10:15Z:done"
    assert done["fired_at"] == "2026-11-23T10:35:00Z"
    assert nudge["key"] == "ack_overdue:SUP-4:ack@2026-11-23T10:15Z#jira"
    assert (nudge["fired_at"], nudge["due"]) == ("2026-11-23T10:15:00Z", "2026-11-23T10:15:00Z")
    # SUP-4 stays open after its 10:35 comment: its update is due 12:35 and missed
    updates = data["adherence"]["by_kind"]["update cadence"]
    assert updates["missed"] == 1 and updates["missed_open_at_end"] == 1
    assert "3" in stdout and "acknowledgement" in stdout

    assert "<script" not in page and "src=" not in page and "<link" not in page
    assert "Login &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; fails" in page
    assert "<svg" in page and "How well the procedure was followed" in page
    assert re.search(r"<td>acknowledgement</td><td class=\"n\">4</td><td class=\"n\">3</td>", page)


def test_compare_shows_what_updates_every_hour_would_add(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seed(sandbox, tmp_path)
    hourly = rules(tmp_path, "1h")
    data, page, stdout = replay_cli(sandbox, tmp_path, "--compare", str(hourly / "support.yaml"))

    assert [e for e in sandbox.requests_log() if e.get("write")] == []
    first, second = (r["label"] for r in data["replays"])
    comparison = data["comparison"]
    (row,) = [
        r for r in comparison["messages_per_rule"] if r["name"] == "support-replay/update_overdue"
    ]
    # every 2h: only SUP-4 (open, silent since 10:35) is nudged, at 12:35; every 1h: SUP-1..3
    # are nudged before they are resolved at 11:00, and SUP-4 an hour earlier
    assert (row[first], row[second]) == (1, 4)
    differ = {t["issue"]: t for t in comparison["tickets_that_differ"]}
    assert sorted(differ) == ["SUP-1", "SUP-2", "SUP-3", "SUP-4"]
    assert differ["SUP-4"]["only_in"] == {
        first: ["update_overdue:SUP-4:update@2026-11-23T12:35Z#jira"],
        second: ["update_overdue:SUP-4:update@2026-11-23T11:35Z#jira"],
    }
    assert "Messages per rule" in stdout and "+3" in stdout
    assert "Tickets where they differ (4)" in page


def test_arguments_are_checked_before_anything_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "JIRA_URL": "http://127.0.0.1:9",
        "JIRA_EMAIL": "agent@example.com",
        "JIRA_API_TOKEN": "x",
        "CONFLUENCE_URL": "http://127.0.0.1:9/wiki",
        "CONFLUENCE_EMAIL": "agent@example.com",
        "CONFLUENCE_API_TOKEN": "x",
        "CONFLUENCE_SPACE": "OPS",
        "SLACK_BOT_TOKEN": "xoxb-x",
        "AGENT_RULES": str(rules(tmp_path, "2h")),
    }
    window = ["--from", "2026-11-23", "--to", "2026-11-24"]
    cases = [
        ([*window, "--every", "soon"], "--every 'soon' is not a duration; use e.g. 60s"),
        (["--from", "2026-11-24", "--to", "2026-11-23"], "the replay window ends before it starts"),
        (["--from", "yesterday", "--to", "2026-11-23"], "--from 'yesterday' is not a date"),
        ([*window, "--policy", "nope"], "--policy nope: no such policy"),
        ([*window, "--compare", str(tmp_path / "missing.yaml")], "missing.yaml"),
    ]
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args, said in cases:
        code = main(["replay", *args])
        out = capsys.readouterr().out
        assert code == 2, (args, out)
        assert said in out, (args, out)
