"""JQL date literals are read in the searching user's profile time zone, as Jira does."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from agent.sandbox.jira import seeding as jira
from tests.support.sandbox import SandboxHandle

KIWI = "kiri@sandbox.example"


def updated_at(sandbox: SandboxHandle, when: datetime, summary: str) -> str:
    sandbox.set_clock(when)
    issue = jira.create_issue(
        sandbox.ctx,
        {"project": {"key": "OPS"}, "summary": summary, "issuetype": {"name": "Task"}},
        "lead@sandbox.example",
    )
    return str(issue["key"])


def search(sandbox: SandboxHandle, email: str, jql: str) -> list[str]:
    answer = requests.get(
        f"{sandbox.base}/rest/api/3/search/jql",
        params={"jql": jql, "fields": "summary"},
        auth=(email, sandbox.token),
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return sorted(issue["key"] for issue in answer.json()["issues"])


def test_dates_are_read_in_the_user_zone_and_myself_says_which(sandbox: SandboxHandle) -> None:
    sandbox.control(
        "POST", "users", {"name": "Kiri", "email": KIWI, "timezone": "Pacific/Auckland"}
    )
    jira.create_project(sandbox.ctx, "OPS", "Operations", "lead@sandbox.example")
    # New Zealand's clocks go back from 03:00 NZDT to 02:00 NZST on 4 April 2027 (14:00 UTC)
    early = updated_at(sandbox, datetime(2027, 4, 3, 13, 20, tzinfo=UTC), "02:20 NZDT")
    first = updated_at(sandbox, datetime(2027, 4, 3, 13, 40, tzinfo=UTC), "02:40 NZDT")
    second = updated_at(sandbox, datetime(2027, 4, 3, 14, 40, tzinfo=UTC), "02:40 NZST")

    me = sandbox.jira(KIWI).myself()
    assert me["timeZone"] == "Pacific/Auckland"
    # an unambiguous local time: 03:00 NZST is 15:00 UTC, after all three
    assert search(sandbox, KIWI, 'updated >= "2027/04/04 03:00"') == []
    assert search(sandbox, KIWI, 'updated >= "2027/04/04 01:30"') == [early, first, second]
    # 02:30 happens twice that night: Jira takes the earlier one (13:30 UTC)
    assert search(sandbox, KIWI, 'updated >= "2027-04-04 02:30"') == [first, second]
    assert search(sandbox, KIWI, 'updated < "2027-04-04 02:30"') == [early]
    # the same literal, searched by someone in UTC, is 02:30 UTC: later than all three
    assert search(sandbox, "lead@sandbox.example", 'updated >= "2027-04-04 02:30"') == []
    assert search(sandbox, "lead@sandbox.example", 'updated >= "2027-04-03 13:30"') == [
        first,
        second,
    ]
    # the start of Kiri's day is midnight in Auckland (11:00 UTC the day before)
    assert search(sandbox, KIWI, "updated >= startOfDay()") == [early, first, second]
