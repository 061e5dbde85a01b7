"""Three ``run`` replicas on one PostgreSQL: one works, the others stand by, one takes over.

The lease holder does the DS pack's first cycle alone. Then a fifth escalation
arrives, and the holder is killed with SIGKILL in the middle of its next cycle
(held by injected latency in the read of the new ticket's changelog). Another
replica takes over when the lease lapses and finishes the work; at the end every
effect exists exactly once: no duplicate channel, comment, message or effect row.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.runtime.cycle import ENGINE_NAMESPACE, STATE_KEY
from agent.runtime.leader import LEASE_NAME
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.replicas.processes import AgentProcess, wait_for
from tests.scenarios.support import Site, agent_comments
from tests.scenarios.test_ds_pack import REPORTER, RULES, START, seed
from tests.store.support import count_effects
from tests.support.sandbox import SandboxHandle

REPLICAS = 3
NOW = START + timedelta(minutes=10)
ISSUES = ["DS-1", "DS-2", "DS-3", "DS-4", "DS-5"]


def holder_pid(store: SqlStateStore) -> int | None:
    """The pid in the live lease's owner (``host-pid-random``), if the lease is held."""
    lease = store.lease_holder(LEASE_NAME, datetime.now(UTC))
    return int(lease.owner.rsplit("-", 2)[1]) if lease is not None else None


def cycles_run(agent: AgentProcess) -> int:
    return agent.output().count(" tickets read (")


def add_fifth_escalation(site: Site) -> dict[str, Any]:
    def account(email: str) -> dict[str, str]:
        user = site.ctx.users.by_email(email)
        assert user is not None
        return {"accountId": str(user["accountId"])}

    return jira.create_issue(
        site.ctx,
        {
            "project": {"key": "DS"},
            "summary": "Payments stuck for client 5",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": account("alice@sandbox.example"),
            "labels": ["ESCALATION"],
            "Escalation Reason": "Key client cannot settle invoices",
            "Escalation Contact": account("connie@sandbox.example"),
            "Initiator": account("ivan@sandbox.example"),
            "Crew Lead": account("carl@sandbox.example"),
            "Impact Level": {"value": "High"},
        },
        REPORTER,
    )


def effect_rows(store: SqlStateStore) -> list[Any]:
    return [record for issue in ISSUES for record in store.effects_for_issue(issue)]


def duplicates(site: Site) -> list[str]:
    """Everything the agent made more than once in the sandbox or the store."""
    found: list[str] = []
    names = Counter(str(c["name"]) for c in site.channels("ds-"))
    found += [f"channel #{n} x{k}" for n, k in names.items() if k > 1]
    for issue in ISSUES:
        keys = Counter(str(c["properties"]) for c in agent_comments(site, issue))
        found += [f"{issue} comment {p} x{k}" for p, k in keys.items() if k > 1]
    posted: Counter[str] = Counter()
    for channel in slack.all_channels(site.ctx):
        for message in site.messages(str(channel["id"])):
            metadata = message.get("metadata")
            if metadata:
                posted[str(metadata["event_payload"].get("key"))] += 1
    found += [f"message {k} x{n}" for k, n in posted.items() if n > 1]
    return found


@pytest.mark.slow
@pytest.mark.postgres
def test_a_killed_lease_holder_is_replaced_and_nothing_is_done_twice(
    sandbox: SandboxHandle, tmp_path: Path, replica_db: str
) -> None:
    site = seed(sandbox, tmp_path)
    site.at(NOW)
    store = open_store(replica_db)  # creates the tables before the replicas race to
    env = site.env(RULES)
    env.update(AGENT_STATE_URL=replica_db, AGENT_POLL_SECONDS="5", AGENT_LOG_LEVEL="DEBUG")
    agents = [
        AgentProcess.start(f"replica-{n}", ["run", "--now", NOW.isoformat()], env, tmp_path)
        for n in range(1, REPLICAS + 1)
    ]
    by_pid = {a.pid: a for a in agents}
    try:
        # 1. one replica takes the lease and does the first cycle alone
        first_pid = wait_for("a lease holder", lambda: holder_pid(store), timeout=20)
        first = by_pid[first_pid]
        wait_for(
            "the first cycle",
            lambda: store.kv_get(ENGINE_NAMESPACE, STATE_KEY) is not None and cycles_run(first),
            timeout=20,
        )
        before = {r.key: r for r in effect_rows(store)}
        assert before and all(r.status is EffectStatus.DONE for r in before.values())
        assert {r.claimed_by.split(":")[1] for r in before.values() if r.claimed_by} == {
            str(first_pid)
        }

        # 2. a fifth escalation arrives; the holder is killed while reading its details
        # (only DS-5's changelog is read from now on: the others are planned from snapshots)
        sandbox.control("POST", "faults", {"latency_ms": 10_000, "path": "/changelog$"})
        sandbox.clear_requests()
        fifth = add_fifth_escalation(site)
        created = time.time()

        def in_the_cycle_that_saw_ds5() -> bool:
            log = sandbox.requests_log()
            searched = any("/search" in e["path"] and e["wall"] > created for e in log)
            # its changelog read is held by the latency: the holder is mid-cycle
            return searched and not any("/changelog" in e["path"] for e in log)

        wait_for("the holder's search that finds DS-5", in_the_cycle_that_saw_ds5, timeout=15)
        first.kill()
        killed_at = time.monotonic()
        sandbox.control("DELETE", "faults")
        assert holder_pid(store) == first_pid  # its lease lives on until it lapses

        # 3. another replica takes over when the lease lapses and finishes the work
        second_pid = wait_for(
            "a new lease holder",
            lambda: (pid := holder_pid(store)) not in (None, first_pid) and pid,
            timeout=30,
        )
        takeover = time.monotonic() - killed_at
        second = by_pid[second_pid]
        wait_for(
            "DS-5's effects",
            lambda: (
                (done := store.effects_for_issue("DS-5"))
                and all(r.status is EffectStatus.DONE for r in done)
            ),
            timeout=20,
        )
        wait_for("the new holder's cycle to end", lambda: cycles_run(second), timeout=10)

        # 4. exactly once: the first holder's effects untouched, DS-5's done by the new one
        after = {r.key: r for r in effect_rows(store)}
        assert {k: after[k] for k in before} == before
        new = {k: r for k, r in after.items() if k not in before}
        assert {r.issue for r in new.values()} == {"DS-5"}
        assert {r.claimed_by.split(":")[1] for r in new.values() if r.claimed_by} == {
            str(second_pid)
        }
        assert count_effects(store, EffectStatus.PENDING) == 0
        assert count_effects(store, EffectStatus.FAILED) == 0
        assert "escalation-held" in site.issue("DS-5")["fields"]["labels"]
        writes = [e["path"] for e in site.writes()]
        assert writes and all(("DS-5" in p or fifth["id"] in p) for p in writes), writes
        found = duplicates(site)
        assert found == []
        assert len(site.channels("ds-")) == 3

        # the third replica only ever stood by
        (third,) = [a for a in agents if a.pid not in (first_pid, second_pid)]
        assert cycles_run(third) == 0
        assert "skipping the cycle" in third.output()
        print(f"replicas {REPLICAS} / takeover {takeover:.1f} s / duplicates {len(found)}")
    finally:
        codes = [a.stop() for a in agents if a.alive()]
        store.close()
    assert codes and all(code == 0 for code in codes), [a.output()[-2000:] for a in agents]
