"""Slack calls a first contact spends, counted from the sandbox's request log (issue #13, item 4).

Slack limits every method per minute (Tier 2: 20 channel creations a minute), so
calls the agent can do without are time it does not wait. Full cycles of the
in-process agent against the sandbox over HTTP (real slack-sdk and jira
clients), starting from an empty store as on a first run, where every action
first checks whether it was already done:

- one ``conversations.invite`` per channel, everyone in it (``force``);
- no ``conversations.history`` of a channel made in the same cycle: nothing of
  the agent's can be in it; another channel is read once a cycle, not per post;
- ``#name`` resolved once and kept in the store: a new process does not list
  every channel again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.policy import load_policies
from agent.runtime.deps import build_deps
from agent.sandbox.slack import workspace as slack
from agent.secrets import Redactor
from tests.foundation.test_check_command import sandbox_env
from tests.runtime.paperwork_site import PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

POLICY = """
name: war-rooms
description: a channel per incident, announced in #ops-escalations
select: {projects: [PAP]}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
channels: {escalation: "pap-{number}-{summary}"}
rules:
  - rule: clerical_channel
    invite: [assignee, reporter]
    announce_in: ["#ops-escalations"]
"""


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    for name in ("ops-escalations", "general", "random", "team-payments"):
        slack.create_channel(sandbox.ctx, name)
    yield from open_site(sandbox, tmp_path, POLICY)


def slack_calls(site: PaperSite) -> Counter[str]:
    return Counter(
        str(entry["path"]).removeprefix("/api/")
        for entry in site.sandbox.requests_log()
        if entry["service"] == "slack"
    )


def test_a_first_contact_spends_one_invite_per_channel_and_no_needless_reads(
    site: PaperSite,
) -> None:
    keys = [site.incident(f"Checkout fails in region {n}") for n in range(3)]
    site.sandbox.clear_requests()

    report = site.cycle(later(minutes=1))  # an empty store: every action checks first

    assert report.total_failed == 0, report.failures
    calls = slack_calls(site)
    assert calls["conversations.create"] == 3
    assert calls["conversations.invite"] == 3  # not one per person: two people each
    for n, key in enumerate(keys):
        channel = slack.find_channel(
            site.ctx, f"pap-{key.split('-')[1]}-checkout-fails-in-region-{n}"
        )
        assert channel is not None
        emails = {"dev@sandbox.example", "lead@sandbox.example"}
        ids = {site.ctx.users.by_email(email)["slackId"] for email in emails}
        assert ids <= set(channel["members"])
    # the new channels are not read back; #ops-escalations is read once, not per post
    assert calls["conversations.history"] == 1
    assert calls["conversations.list"] == 1  # to find #ops-escalations by name
    ops = slack.find_channel(site.ctx, "ops-escalations")
    assert ops is not None
    announced = [m for m in slack.channel_messages(site.ctx, ops["id"]) if m.get("metadata")]
    assert len(announced) == 3


def test_a_channel_found_by_name_is_not_looked_up_again_by_the_next_process(
    site: PaperSite,
) -> None:
    site.incident("Login is slow")
    assert site.cycle(later(minutes=1)).total_failed == 0
    site.deps.close()
    # the next process: the same store, everything else new
    values = sandbox_env(site.sandbox)
    values["AGENT_RULES"] = str(site.deps.settings.rules_path)
    values["AGENT_STATE_URL"] = site.deps.settings.state_url
    settings = load_settings(values)
    site.deps = build_deps(
        settings, load_policies(settings.rules_path), Redactor(settings.secrets())
    )
    site.incident("Search returns nothing")
    site.sandbox.clear_requests()

    try:
        report = site.cycle(later(minutes=5))
    finally:
        site.deps.close()

    assert report.total_failed == 0, report.failures
    calls = slack_calls(site)
    assert calls["chat.postMessage"] == 2  # the new channel's intro, and #ops-escalations
    assert calls["conversations.list"] == 0
    assert calls["conversations.history"] == 0
