"""Incremental cycles plan exactly what full reads plan, with far fewer requests.

Property-style: for a few seeded random scenarios (people commenting, posting in
escalation channels, resolving, editing fields, the clock moving past full
syncs), at every step the plan of an incremental read must equal the plan of a
full read (every ticket, comment, changelog, watcher and channel read again)
from the same state, actions and engine state alike. The agent then carries the
plan out (its own comments and posts change the tickets too) and time moves on.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from agent.runtime.cycle import load_state, run_cycle
from agent.runtime.read.reader import SNAPSHOT_NAMESPACE
from agent.runtime.read.sync_state import MEMBERS_NAMESPACE
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from benchmarks.scale_seed import DEFAULT_AT, Seeded, seed_escalations, seed_organisation
from tests.scale.agent_site import (
    agent_deps,
    counted,
    details_paths,
    full_plan,
    incremental_plan,
    summary,
)
from tests.support.sandbox import SandboxHandle

PER_PACK = 2


def searched_jql(sandbox: SandboxHandle) -> list[str]:
    return [
        parse_qs(str(e["query"]))["jql"][0]
        for e in sandbox.requests_log()
        if str(e["path"]).endswith("/search/jql")
    ]


def seeded_site(sandbox: SandboxHandle, count: int = 5 * PER_PACK) -> Seeded:
    seed_organisation(sandbox.ctx)
    return seed_escalations(sandbox.ctx, count)


def _mutate(
    sandbox: SandboxHandle, seeded: Seeded, rng: random.Random, channels: dict[str, str]
) -> str:
    """One random human change; returns what it did (for failure messages)."""
    ctx = sandbox.ctx
    key = rng.choice(seeded.keys)
    who = seeded.assignee_of[key]
    choice = rng.randrange(6)
    if choice == 0:
        jira.add_comment(ctx, key, "Still looking into it.", who)
        return f"{key}: comment without a next update"
    if choice == 1:
        jira.add_comment(ctx, key, "Fix rolling out. Next update at 18:00.", who)
        return f"{key}: comment with a next update"
    if choice == 2 and key in channels:
        user = ctx.users.by_email(who)
        slack.post_message(ctx, channels[key], "On it, checking the logs now", user["slackId"])
        return f"{key}: channel message"
    if choice == 3:
        jira.transition(ctx, key, rng.choice(["In Progress", "Done"]), who)
        return f"{key}: moved"
    if choice == 4 and key.startswith("PS-"):
        jira.edit_issue(ctx, key, {"Customer Impact": {"value": "Yes"}}, who)
        return f"{key}: customer impact"
    if choice == 4 and key.startswith("DS-"):
        jira.edit_issue(ctx, key, {"Root Cause": "A bad deploy"}, who)
        return f"{key}: root cause set"
    return "nothing"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_and_full_reads_plan_the_same(
    sandbox: SandboxHandle, tmp_path: Path, seed: int
) -> None:
    seeded = seeded_site(sandbox)
    rng = random.Random(seed)
    deps = agent_deps(sandbox, tmp_path)
    now = DEFAULT_AT
    history: list[str] = []
    try:
        for step in range(6):
            sandbox.set_clock(now)
            incremental, report = incremental_plan(deps, now)
            full = full_plan(deps, now)
            context = f"seed {seed}, step {step} at {now}, after {history}"
            assert not report.read_errors, context
            assert summary(incremental) == summary(full), context
            assert incremental.actions == full.actions, context
            assert incremental.state == full.state, context
            run_cycle(deps, now)
            state = load_state(deps.store)
            channels = {k: t.channel_id for k, t in state.tickets.items() if t.channel_id}
            now += timedelta(minutes=rng.choice([1, 7, 16, 31, 45]))
            sandbox.set_clock(now - timedelta(seconds=30))
            history = [_mutate(sandbox, seeded, rng, channels) for _ in range(rng.randrange(4))]
    finally:
        deps.close()


@pytest.mark.slow
def test_an_incremental_cycle_asks_one_search_per_policy_and_details_only_for_changes(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seeded = seeded_site(sandbox)
    deps = agent_deps(sandbox, tmp_path)
    try:
        first = run_cycle(deps, DEFAULT_AT)
        assert first.details_read == len(seeded.keys)
        resolved = seeded.keys[0]
        sandbox.set_clock(DEFAULT_AT + timedelta(minutes=1))
        jira.transition(sandbox.ctx, resolved, "Done", seeded.assignee_of[resolved])
        run_cycle(deps, DEFAULT_AT + timedelta(minutes=1))

        sandbox.clear_requests()
        steady = run_cycle(deps, DEFAULT_AT + timedelta(minutes=2))
        calls = counted(sandbox)
        assert steady.details_read == 0 and details_paths(sandbox) == []
        assert calls["jira"] == len(deps.policies)  # one search page per policy
        # no escalation channel read (kept copies, nothing owed); only the support pack's
        # shared intake channel is listed, as every cycle, for reports made since the last
        slack_reads = [str(e["path"]) for e in sandbox.requests_log() if e["service"] == "slack"]
        assert slack_reads == ["/api/conversations.history"]
        assert steady.tickets_read == len(seeded.keys)  # still planned, from snapshots

        changed = seeded.keys[1:4]
        sandbox.set_clock(DEFAULT_AT + timedelta(minutes=3))
        for key in changed:
            jira.add_comment(sandbox.ctx, key, "Next update at 17:00.", seeded.assignee_of[key])
        sandbox.clear_requests()
        later = run_cycle(deps, DEFAULT_AT + timedelta(minutes=3))
        assert later.details_read == len(changed)
        read = {path.split("/")[-2] for path in details_paths(sandbox)}
        assert read == set(changed)  # the resolved ticket is not read again
        assert counted(sandbox)["jira"] == len(deps.policies) + 3 * len(changed)
    finally:
        deps.close()


@pytest.mark.slow
def test_a_ticket_that_left_the_query_is_dropped_at_the_next_full_sync(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seeded = seeded_site(sandbox)
    deps = agent_deps(sandbox, tmp_path, AGENT_FULL_SYNC_MINUTES="30")
    try:
        run_cycle(deps, DEFAULT_AT)
        gone = next(k for k in seeded.keys if k.startswith("INC-"))
        sandbox.set_clock(DEFAULT_AT + timedelta(minutes=1))
        jira.edit_issue(sandbox.ctx, gone, {"priority": {"name": "Low"}}, seeded.assignee_of[gone])

        run_cycle(deps, DEFAULT_AT + timedelta(minutes=2))  # incremental: not seen
        assert deps.store.kv_get(SNAPSHOT_NAMESPACE, gone) is not None

        full_sync = DEFAULT_AT + timedelta(minutes=31)
        sandbox.set_clock(full_sync)
        sandbox.clear_requests()
        run_cycle(deps, full_sync)
        assert deps.store.kv_get(SNAPSHOT_NAMESPACE, gone) is None
        assert gone not in deps.store.kv_get(MEMBERS_NAMESPACE, "incident-critical")
        assert details_paths(sandbox) == []  # a full sync re-reads no unchanged details
        assert full_plan(deps, full_sync).actions == incremental_plan(deps, full_sync)[0].actions
    finally:
        deps.close()


def test_a_changed_policy_query_starts_with_a_full_read(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    seeded_site(sandbox, 5)
    deps = agent_deps(sandbox, tmp_path)
    try:
        run_cycle(deps, DEFAULT_AT)
        sandbox.clear_requests()
        run_cycle(deps, DEFAULT_AT + timedelta(minutes=1))
        narrowed = searched_jql(sandbox)
        assert len(narrowed) == len(deps.policies)
        assert all("updated >=" in jql for jql in narrowed)

        inc = next(p for p in deps.policies if p.name == "incident-critical")
        deps.policies[deps.policies.index(inc)] = inc.model_copy(
            update={"select": inc.select.model_copy(update={"priorities": ["Highest", "High"]})}
        )
        sandbox.clear_requests()
        run_cycle(deps, DEFAULT_AT + timedelta(minutes=2))
        full = [jql for jql in searched_jql(sandbox) if "updated >=" not in jql]
        assert len(full) == 1 and '"INC"' in full[0] and '"High"' in full[0]
    finally:
        deps.close()
