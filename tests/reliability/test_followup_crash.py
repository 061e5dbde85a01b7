"""A follow-up survives the agent process being killed between its create and its page write.

The real CLI (``run --once``, forked by the zygote) is SIGKILLed just after Jira
answered the follow-up's create, before the key is written into the task on the
page. The next run finds the issue by its property and shows it: one issue, ever.
"""

from __future__ import annotations

import signal
import tempfile
from datetime import timedelta
from pathlib import Path

from agent.adapters.confluence_tasks import read_tasks
from agent.core.followups import FOLLOWUP_PROPERTY
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.jira.documents import ISSUE as ISSUE_DOCS
from agent.sandbox.server import SandboxServer
from tests.reliability.drill import (
    ASSIGNEE,
    ISSUE,
    START,
    Drill,
    Outcome,
    Zygote,
    fresh_sandbox,
    seed,
    zygote,
)
from tests.reliability.kill_hook import CALL_LOG, KILL_AT

POLICY = """
name: followups-crash
description: a summary page whose Actions become follow-ups
select: {projects: [CR]}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
rules:
  - rule: incident_summary
    space: CR
    title: "Incident summary {key}"
  - rule: followups
"""
TITLE = f"Incident summary {ISSUE}"
TASK = (
    "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
    "</ac:task-status><ac:task-body>Rotate the provider keys on a schedule</ac:task-body>"
    "</ac:task></ac:task-list>"
)


def _ready(server: SandboxServer, tmp: Path, launcher: Zygote) -> Drill:
    """CR-1 resolved, its summary page written by the agent, a task added to its Actions."""
    seed(server)
    rules = tmp / "rules"
    rules.mkdir(parents=True)
    (rules / "followups.yaml").write_text(POLICY, encoding="utf-8")
    drill = Drill(server, tmp / "state", launcher, rules=rules)
    first = drill.run_at(START + timedelta(minutes=1))  # the agent knows CR-1 while open
    assert first.code == 0, first.text[-2000:]
    server.ctx.clock.set(START + timedelta(minutes=5), frozen=True)
    jira.transition(server.ctx, ISSUE, "Done", ASSIGNEE)
    paperwork = drill.run_at(START + timedelta(minutes=10))
    page = confluence.find_page(server.ctx, "CR", TITLE)
    assert paperwork.code == 0 and page is not None, paperwork.text[-2000:]
    body = confluence.page_body(server.ctx, page["id"]) + TASK
    confluence.update_page(
        server.ctx, page["id"], int(page["version"]["number"]) + 1, storage_body=body
    )
    return drill


def _followups(server: SandboxServer) -> list[str]:
    return [
        str(doc["key"])
        for doc in server.ctx.store.all(ISSUE_DOCS)
        if FOLLOWUP_PROPERTY in (doc.get("properties") or {})
    ]


def _shown(server: SandboxServer) -> list[str | None]:
    page = confluence.find_page(server.ctx, "CR", TITLE)
    assert page is not None
    return [t.issue for t in read_tasks(confluence.page_body(server.ctx, page["id"]))]


def _create_call(tmp: Path, launcher: Zygote) -> int:
    """Which call of the follow-up cycle creates the issue (a learning run on its own site)."""
    log = tmp / "calls.log"
    with fresh_sandbox() as server:
        drill = _ready(server, tmp, launcher)
        assert drill.run_at(START + timedelta(minutes=20), **{CALL_LOG: str(log)}).code == 0
        assert len(_followups(server)) == 1
    calls = log.read_text().splitlines()
    return calls.index("jira create_issue") + 1


def test_killed_after_the_create_before_the_page_write_the_next_run_makes_no_second_issue(
    tmp_path: Path,
) -> None:
    with zygote() as launcher:
        create = _create_call(tmp_path / "learn", launcher)
        with tempfile.TemporaryDirectory() as tmp, fresh_sandbox() as server:
            drill = _ready(server, Path(tmp), launcher)
            killed: Outcome = drill.run_at(
                START + timedelta(minutes=20), **{KILL_AT: f"{create}:after"}
            )
            assert killed.signal == signal.SIGKILL, killed.text[-2000:]
            (made,) = _followups(server)  # Jira made it; the page does not show it yet
            assert _shown(server) == [None]

            again = drill.run_at(START + timedelta(minutes=35))
            assert again.code == 0, again.text[-2000:]
            assert _followups(server) == [made]
            assert _shown(server) == [made]
