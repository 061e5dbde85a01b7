"""The fast replay (a ticket planned only when something can change for it) plans the same
actions at the same moments as planning every ticket at every step, on all five packs.

A day and a half of a busy history from ``benchmarks/replay.py`` (tickets raised at random
moments, acknowledged, updated at their procedure's pace with some late, resolved),
spread over the five packs' projects: nudges, repeats and chain steps, after-hours
urgency, end-of-day and daily slots, a call needed, held escalations, weekly
digests and paperwork all occur. If a new rule's timing were missed by the fast
replay's wake-ups, this would show which action and when.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.policy import load_policies
from agent.replay.driver import ReplaySettings, replay
from agent.replay.source import Window
from agent.resources import bundled_rules_dir
from agent.sandbox.jira import seeding as jira
from benchmarks.replay import seed_quarter
from benchmarks.scale_seed import _fields, email_of, seed_organisation
from tests.replay.support import agent_deps, read_back
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 8, 6, 12, tzinfo=UTC)  # a Thursday noon: Friday's weekly rules are in
DAYS = 1.5
EVERY = timedelta(minutes=15)


def test_fast_replay_equals_planning_every_ticket_at_every_step(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seed_organisation(sandbox.ctx)
    seed_quarter(sandbox.ctx, 20, DAYS, seed=11, start=START)
    for hour in (1, 2, 3):  # three DS escalations of one assignee: two are held in turn
        sandbox.ctx.clock.set(START + timedelta(hours=hour), frozen=True)
        jira.create_issue(
            sandbox.ctx, _fields(sandbox.ctx, "DS", 90 + hour, "dana"), email_of("jack")
        )
    rules = bundled_rules_dir()
    deps = agent_deps(sandbox, tmp_path, rules)
    policies = load_policies(rules)
    window = Window(START, START + timedelta(days=DAYS))
    history = read_back(deps, policies, window)
    deps.close()

    fast = replay(history, policies, ReplaySettings(window, EVERY))
    exact = replay(history, policies, ReplaySettings(window, EVERY, exact=True))

    def fired(outcome: object) -> list[tuple[str, object]]:
        return sorted((f.key, f.at) for f in outcome.fired)  # type: ignore[attr-defined]

    assert fired(fast) == fired(exact)
    assert sorted(map(repr, fast.settled)) == sorted(map(repr, exact.settled))
    rules_fired = {f.rule for f in fast.fired}
    assert {
        "ack_overdue",
        "after_hours_page",
        "call_needed",
        "limit_assignee",
        "progress_overdue",
        "update_overdue",
        "weekly_digest",
    } <= rules_fired, rules_fired
    assert any(":repeat@" in f.key for f in fast.fired)
    assert fast.ticket_plans * 3 < exact.ticket_plans
