"""The agent knows its own Jira comments by its account, whether Jira returns their property or not.

Jira documents ``expand=properties`` for some comment endpoints only. With the
sandbox's ``jira_comment_properties`` knob off, every comment answer lacks its
properties: the agent's nudges must still never count as a person's update,
and a crashed comment must still be found by its key before it is posted again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.sandbox.jira import seeding as jira
from tests.runtime.paperwork_site import PaperSite, later, open_site
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

POLICY = """
name: acks
description: acknowledge within 15 minutes, nudged on the ticket
select: {projects: [PAP]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
updates:
  sources: [jira_comment]
  by: [any]
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    notify: [jira]
    chain:
      - {after: 15m, to: [assignee], notify: [jira]}
"""


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    sandbox.control("POST", "realism", {"jira_comment_properties": False})
    yield from open_site(sandbox, tmp_path, POLICY)


def agent_comments(site: PaperSite, key: str) -> list[dict[str, object]]:
    me = site.ctx.users.by_email(AGENT_EMAIL)["accountId"]
    return [c for c in jira.get_issue(site.ctx, key)["comments"] if c["author"] == me]


def test_without_comment_properties_a_nudge_is_never_taken_for_an_update(
    site: PaperSite,
) -> None:
    key = site.incident()
    site.cycle(later(minutes=16))
    assert len(agent_comments(site, key)) == 1  # the nudge

    # Were the nudge read as an acknowledgement (anyone's comment counts here), the
    # ticket would be acknowledged and the chain's next step never taken.
    report = site.cycle(later(minutes=32))
    assert report.total_failed == 0
    assert len(agent_comments(site, key)) == 2

    # a person's comment is an update: no third nudge
    jira.add_comment(site.ctx, key, "Looking at it now.", "dev@sandbox.example")
    site.cycle(later(minutes=48))
    assert len(agent_comments(site, key)) == 2


def test_a_comment_is_found_by_its_key_when_answers_lack_properties(site: PaperSite) -> None:
    key = site.incident()
    comment_id = site.deps.jira.add_comment(key, "Nudge", rule="ack_overdue", key="k-1")
    site.deps.jira.add_comment(key, "Another", rule="ack_overdue", key="k-2")
    jira.add_comment(site.ctx, key, "A person's comment", "dev@sandbox.example")
    assert site.deps.jira.find_agent_comment(key, "k-1") == comment_id
    assert site.deps.jira.find_agent_comment(key, "k-3") is None
    listed = site.sandbox.jira().comments(key, expand="properties")
    assert listed and all("properties" not in c.raw for c in listed)
