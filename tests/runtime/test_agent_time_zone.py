"""The agent's Jira account lives in Pacific/Auckland; its incremental searches cross a DST change.

Jira reads the ``updated >= "..."`` literal of each incremental search in the
agent account's profile zone (the sandbox does too). Across New Zealand's clock
changes (back at 03:00 NZDT on 4 April 2027, forward at 02:00 NZST on 26
September 2027), every ticket updated between two cycles is read in the next
one (none missed), and only those (none read twice).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from agent.sandbox.jira import seeding as jira
from tests.runtime.paperwork_site import DEV, open_site
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

POLICY = """
name: watch
description: reads every ticket; its only rule never comes due in the test
select: {projects: [PAP]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: Pacific/Auckland
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
rules:
  - rule: ack_overdue
    within: 30d
    notify: [jira]
"""
TICKETS = 5
STEP = timedelta(minutes=10)
AUCKLAND = ZoneInfo("Pacific/Auckland")
OVERLAP = timedelta(minutes=2)  # the reader's default overlap


def searched_since(sandbox: SandboxHandle) -> str:
    """The ``updated >= "..."`` literal of the last incremental search."""
    (search,) = [e for e in sandbox.requests_log() if e["path"].endswith("/search/jql")]
    jql = parse_qs(search["query"])["jql"][0]
    return jql.split('updated >= "', 1)[1].split('"', 1)[0]


def detail_reads(sandbox: SandboxHandle) -> list[str]:
    """The issues whose comments were read since the log was last cleared."""
    return sorted(
        e["path"].split("/")[-2]
        for e in sandbox.requests_log()
        if e["method"] == "GET" and e["path"].endswith("/comment")
    )


@pytest.mark.parametrize(
    "change",
    [
        datetime(2027, 4, 3, 14, 0, tzinfo=UTC),  # clocks go back: 02:00-03:00 happens twice
        datetime(2027, 9, 25, 14, 0, tzinfo=UTC),  # clocks go forward: 02:00-03:00 never is
    ],
)
def test_no_ticket_missed_and_none_read_twice_across_a_dst_change(
    sandbox: SandboxHandle, tmp_path: Path, change: datetime
) -> None:
    sandbox.control(
        "POST", "users", {"name": "Agent", "email": AGENT_EMAIL, "timezone": "Pacific/Auckland"}
    )
    start = change - timedelta(hours=2)
    env = {"AGENT_FULL_SYNC_MINUTES": "1440"}  # incremental reads only, after the first
    for site in open_site(sandbox, tmp_path, POLICY, env=env):
        sandbox.set_clock(start - timedelta(hours=1))
        keys = [site.incident(f"Ticket {n}") for n in range(TICKETS)]
        assert site.deps.jira.myself().display_name == "Agent"
        first = site.cycle(start)
        assert first.total_failed == 0 and first.details_read == TICKETS
        now = start
        for step in range(1, 25):  # four hours, one cycle every ten minutes
            since = (now - OVERLAP).astimezone(AUCKLAND).strftime("%Y/%m/%d %H:%M")
            touched = keys[step % TICKETS]
            sandbox.set_clock(now + timedelta(minutes=3), frozen=True)
            jira.add_comment(site.ctx, touched, f"update {step}", DEV)
            sandbox.clear_requests()
            now += STEP
            report = site.cycle(now)
            assert report.total_failed == 0, report.failures
            assert detail_reads(sandbox) == [touched], f"cycle at {now.isoformat()}"
            assert searched_since(sandbox) == since  # local time in the account's zone
