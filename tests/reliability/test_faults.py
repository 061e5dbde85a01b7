"""Exactly once when the services misbehave: random faults, an outage, bad credentials.

- A day of the drill with 20% of requests failing (429, 500, 503, dropped
  connections, with latency): every effect exists exactly once at the end, and
  no retry after a ``Retry-After`` came sooner than it asked (sandbox request log).
- Slack down for a whole cycle: it exits 1 and says why; the next cycle, a
  quarter of an hour later, catches up: the overdue nudge is sent once (with at
  most the one repeat that fell due meanwhile), and a further cycle adds nothing.
- Rejected credentials (401) and missing permissions (403) are not retried; the
  service's actions stop with a message naming the credential or the permission.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.drill import (
    CYCLES,
    Drill,
    compare,
    cycle_time,
    fresh_sandbox,
    inventory,
    seed,
    zygote,
)

FAULTS: dict[str, Any] = {
    "rate": 0.2,
    "statuses": [429, 500, 503, "drop"],
    "retry_after": 1,
    "latency_ms": 50,
}
# After the drill's timeline, the rest of the day: cycles that should change nothing.
LATER_IN_THE_DAY = [timedelta(hours=h) for h in (2, 6, 12, 24)]


def plain_inventory(tmp_path: Path) -> Counter[str]:
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        return Drill(server, tmp_path, launcher).play()


def retries_too_soon(log: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """(faults with Retry-After, retries of them that came sooner than asked)."""
    asked = 0
    early: list[str] = []
    for index, entry in enumerate(log):
        if entry["status"] not in (429, 503) or entry["service"] == "dropped":
            continue
        asked += 1
        same = (entry["method"], entry["path"])
        retry = next((e for e in log[index + 1 :] if (e["method"], e["path"]) == same), None)
        if retry is None or not retry["wall"]:
            continue  # gave up, or the retry was dropped (no time recorded)
        waited = retry["wall"] - entry["wall"]
        if waited < FAULTS["retry_after"]:
            early.append(f"{entry['method']} {entry['path']} retried after {waited:.3f} s")
    return asked, early


@pytest.mark.slow
@pytest.mark.parametrize("seed_number", [7])
def test_a_day_with_20_percent_faults_ends_with_every_effect_once(
    tmp_path: Path, seed_number: int
) -> None:
    expected = plain_inventory(tmp_path / "plain")
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        server.ctx.faults.configure({**FAULTS, "seed": seed_number})
        drill = Drill(server, tmp_path / "faulty", launcher)
        drill.play()
        for later in LATER_IN_THE_DAY:
            drill.outcomes.append((-1, drill.run_at(cycle_time(len(CYCLES) - 1) + later)))
        injected = server.ctx.faults.injected
        server.ctx.faults.clear()
        settle = drill.run_at(cycle_time(len(CYCLES) - 1) + timedelta(hours=25))
        log = server.ctx.requests.entries()
        end = inventory(server)

    duplicates, losses = compare(expected, end)
    asked, early = retries_too_soon(log)
    failing = [o for _, o in drill.outcomes if o.code != 0]
    print(f"\nseed {seed_number}: {len(log)} requests, {injected} faults injected")
    print(f"{len(drill.outcomes)} cycles, {len(failing)} of them with a failure left for later")
    print(f"effects: {sum(end.values())} (expected {sum(expected.values())})")
    print(f"duplicates: {duplicates or 'none'}; losses: {losses or 'none'}")
    print(f"{asked} answers with Retry-After; retried too soon: {early or 'none'}")
    assert injected >= 10, "too few faults to mean anything"
    assert settle.code == 0, settle.text
    assert not duplicates and not losses
    assert not early


def nudges(server: Any) -> list[str]:
    found = inventory(server)
    return [name for name, count in found.items() for _ in range(count) if "ack_overdue" in name]


@pytest.mark.slow
def test_slack_down_for_a_cycle_then_the_nudge_is_sent_once(tmp_path: Path) -> None:
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, tmp_path, launcher)
        first = drill.run_cycle(0)
        assert first.code == 0, first.text
        server.ctx.faults.configure({"rate": 1.0, "statuses": [500], "path": "^/api/"})
        down = drill.run_cycle(1)  # the nudge is due: Slack answers 500 to everything
        missed = nudges(server)
        server.ctx.faults.clear()
        back = drill.run_at(cycle_time(2) + timedelta(minutes=5))
        again = drill.run_at(cycle_time(2) + timedelta(minutes=6))
        sent = nudges(server)

    print(down.stdout)
    assert down.code == 1, down.text
    assert "failed: ack_overdue:CR-1" in down.stdout
    assert "Slack had a server error" in down.stdout
    assert missed == []
    assert back.code == 0, back.text
    assert again.code == 0, again.text
    print(f"after the outage: {sent}")
    top_level = [n for n in sent if "in thread of" not in n]
    assert len(top_level) == 1, sent  # the nudge, once
    assert len(sent) - len(top_level) <= 1, sent  # at most one repeat, not one per missed cycle


@pytest.mark.slow
def test_a_rejected_slack_token_is_not_retried_and_named(tmp_path: Path) -> None:
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, tmp_path, launcher)
        result = drill.run_at(cycle_time(0), SLACK_BOT_TOKEN="xoxb-revoked-token-000")
        slack_calls = [e for e in server.ctx.requests.entries() if e["service"] == "slack"]
        jira_writes = [
            e for e in server.ctx.requests.entries() if e["service"] == "jira" and e["write"]
        ]

    print(result.stdout)
    assert result.code == 1, result.text
    assert "SLACK_BOT_TOKEN" in result.stdout
    assert "xoxb-revoked-token-000" not in result.stdout + result.stderr
    assert len(slack_calls) == 1, slack_calls  # refused once, then no Slack call this cycle
    assert jira_writes, "the Jira actions still ran"


@pytest.mark.slow
def test_a_forbidden_confluence_is_not_retried_and_names_the_permission(tmp_path: Path) -> None:
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, tmp_path, launcher)
        for index in range(3):
            drill.before_cycle(index)
            assert drill.run_cycle(index).code == 0
        drill.before_cycle(3)
        server.ctx.faults.configure({"rate": 1.0, "statuses": [403], "path": "^/wiki/"})
        server.ctx.requests.clear()
        result = drill.run_cycle(3)
        wiki = [e for e in server.ctx.requests.entries() if e["service"] == "confluence"]
        slack_posts = [
            e for e in server.ctx.requests.entries() if e["path"].endswith("postMessage")
        ]

    print(result.stdout)
    assert result.code == 1, result.text
    assert "permission" in result.stdout
    per_request = Counter((e["method"], e["path"], e["query"]) for e in wiki)
    assert all(count == 1 for count in per_request.values()), per_request  # never retried
    assert slack_posts, "the Slack actions still ran"
