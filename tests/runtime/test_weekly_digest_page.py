"""The weekly digest page end to end: real cycles, real clients, the sandbox over HTTP.

Three CLI escalations in one week (one acknowledged and resolved, two still
open, one of them overdue for its daily update) are planned cycle by cycle
through the client-communication pack. At Friday 15:00 London the digest page
is written in the CLI space with the week's counts and announced once in
#cli-status; later cycles, and a cycle after the state database was lost
(the page is found by its marker, the message by its metadata), add nothing.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from agent.resources import bundled_rules_dir
from agent.runtime.cycle import load_state, run_cycle
from agent.runtime.deps import Deps
from agent.sandbox.confluence import content as wiki
from agent.sandbox.demo.organisation import email_of
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from agent.store import StateStore
from benchmarks.scale_seed import seed_organisation
from tests.scale.agent_site import agent_deps
from tests.support.sandbox import SandboxHandle
from tests.unit.factories import utc

PACK = "client-communication.yaml"
TITLE = "Weekly incident digest 2026-W48: client communication"
SLOT = utc(2026, 11, 27, 15, 0)  # Friday 15:00 in London (GMT)


def _account(sandbox: SandboxHandle, handle: str) -> dict[str, str]:
    user = sandbox.ctx.users.by_email(email_of(handle))
    assert user is not None, handle
    return {"accountId": str(user["accountId"])}


def _create(sandbox: SandboxHandle, at: datetime, summary: str, priority: str) -> str:
    sandbox.ctx.clock.set(at, frozen=True)
    fields: dict[str, Any] = {
        "project": {"key": "CLI"},
        "summary": summary,
        "issuetype": {"name": "Task"},
        "assignee": _account(sandbox, "taras"),
        "priority": {"name": priority},
        "Project Manager": _account(sandbox, "maria"),
        "Impact": "One client report is late",
    }
    return str(jira.create_issue(sandbox.ctx, fields, email_of("jack"))["key"])


def _deps(sandbox: SandboxHandle, tmp_path: Path) -> Deps:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    shutil.copy(bundled_rules_dir() / PACK, rules / PACK)
    return agent_deps(sandbox, tmp_path, AGENT_RULES=str(rules), CONFLUENCE_SPACE="CLI")


def _cycle(sandbox: SandboxHandle, deps: Deps, now: datetime) -> None:
    sandbox.ctx.clock.set(now, frozen=True)
    report = run_cycle(deps, now)
    assert not report.failures, report.failures


def _digest_pages(sandbox: SandboxHandle) -> list[dict[str, Any]]:
    return [p for p in wiki.pages(sandbox.ctx) if p["title"].startswith("Weekly incident digest")]


def _announcements(sandbox: SandboxHandle) -> list[str]:
    channel = slack.find_channel(sandbox.ctx, "cli-status")
    assert channel is not None
    texts = [str(m.get("text", "")) for m in slack.stored_messages(sandbox.ctx, channel["id"])]
    return [t for t in texts if "Weekly escalation digest" in t]


def _cell_after(body: str, label: str) -> str:
    found = re.search(rf"<th><p>{re.escape(label)}</p></th><td><p>([^<]*)</p></td>", body)
    assert found, label
    return found.group(1)


@dataclass(frozen=True)
class Week:
    done: str
    quiet: str
    late: str
    store: StateStore  # the store of the last cycle (after the loss)


def play_week(sandbox: SandboxHandle, tmp_path: Path) -> Week:
    """Three CLI escalations over a week, cycles until an hour after the Friday slot.

    Before the last cycle the state database is deleted: the page and the post
    must be found by their markers, not written again.
    """
    seed_organisation(sandbox.ctx)
    wiki.create_space(sandbox.ctx, "CLI", "Client Communication", author=sandbox.ctx.users.admin())
    done = _create(sandbox, utc(2026, 11, 23, 10, 0), "Invoices show wrong totals", "Low")
    sandbox.ctx.clock.set(utc(2026, 11, 23, 10, 45), frozen=True)
    jira.add_comment(sandbox.ctx, done, "Looking at it. Next update at 15:00.", email_of("taras"))
    quiet = _create(sandbox, utc(2026, 11, 24, 10, 0), "Report export is slow", "Low")
    late = _create(sandbox, utc(2026, 11, 26, 9, 0), "Portal login fails for one client", "Medium")
    deps = _deps(sandbox, tmp_path)
    _cycle(sandbox, deps, utc(2026, 11, 23, 11, 0))
    sandbox.ctx.clock.set(utc(2026, 11, 25, 12, 0), frozen=True)
    jira.transition(sandbox.ctx, done, "Done", email_of("taras"))
    for now in (utc(2026, 11, 25, 12, 30), utc(2026, 11, 26, 17, 0), utc(2026, 11, 27, 14, 0)):
        _cycle(sandbox, deps, now)
    assert _digest_pages(sandbox) == [] and _announcements(sandbox) == []
    _cycle(sandbox, deps, SLOT + timedelta(minutes=5))
    _cycle(sandbox, deps, SLOT + timedelta(minutes=35))
    deps.store.close()
    for path in tmp_path.glob("state.db*"):
        path.unlink()
    fresh = _deps(sandbox, tmp_path)
    _cycle(sandbox, fresh, SLOT + timedelta(hours=1))
    return Week(done=done, quiet=quiet, late=late, store=fresh.store)


def test_the_digest_page_is_written_once_a_week_with_the_weeks_counts(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    week = play_week(sandbox, tmp_path)
    (page,) = _digest_pages(sandbox)
    assert page["title"] == TITLE and page["spaceKey"] == "CLI"
    body = wiki.page_body(sandbox.ctx, page["id"])
    assert _cell_after(body, "Escalations opened") == "3"
    assert _cell_after(body, "Escalations closed") == "1"
    assert _cell_after(body, "Open at the end of the week") == "2"
    # overdue slots, each counted once: the resolved ticket lacked its closure fields; the
    # two open ones missed Thursday's end-of-day update (and one also Tuesday's), and the
    # medium one its 16:30 daily update
    breaches = re.findall(r"<tr><td><p>([a-z_]+)</p></td><td><p>(\d+)</p></td></tr>", body)
    assert breaches == [
        ("closure_missing_fields", "1"),
        ("eod_update_overdue", "3"),
        ("medium_daily", "1"),
    ]
    assert _cell_after(body, "SLA breaches") == "5"
    # the resolved ticket: acknowledged 45 minutes and resolved 50 hours after it was opened
    assert (
        "<td><p>low</p></td><td><p>1</p></td><td><p>45m</p></td><td><p>1</p></td><td><p>2d2h</p></td>"
        in body
    )
    assert (
        'ac:name="chart"' in body
        and "<td><p>2026-W48</p></td><td><p>3</p></td><td><p>1</p></td><td><p>5</p></td>" in body
    )
    for key in (week.quiet, week.late):
        assert f'<ac:parameter ac:name="key">{key}</ac:parameter>' in body
    (announcement,) = _announcements(sandbox)
    assert "3 opened, 1 closed, 2 open at the end of the week" in announcement
    assert TITLE in announcement and "space CLI" in announcement
    # the announcement links the page it announces (the page's web address, as a link)
    assert f"viewpage.action?pageId={page['id']}|" in announcement

    rebuilt = load_state(week.store).incidents  # the ledger starts again from Jira
    assert {week.quiet, week.late} <= set(rebuilt) and rebuilt[week.late].severity == "medium"
    week.store.close()
