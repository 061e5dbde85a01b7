"""People whose email Jira hides: AGENT_USER_MAP first, else named once, never a failing cycle.

Against the sandbox over HTTP with the real clients: the assignee's Jira profile
hides their email. With their account id in ``AGENT_USER_MAP`` they are invited
and DM'd; without it the channel names them once with what to do, the DM is left
with a ticket problem, and no cycle fails because of them.
"""

from __future__ import annotations

from pathlib import Path

from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.runtime.paperwork_site import DEV, PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

POLICY = """
name: hidden
description: a channel per escalation, the assignee told by DM
select: {projects: [PAP]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: UTC
business_hours: {start: "00:00", end: "23:59", weekdays: [mon, tue, wed, thu, fri, sat, sun]}
channels:
  escalation: "pap-{number}-{summary}"
rules:
  - rule: clerical_channel
    invite: [assignee, reporter]
  - rule: escalation_alert
    notify: [dm]
"""


def hide_assignee(sandbox: SandboxHandle) -> dict[str, object]:
    """Dana (the assignee) hides her email in her Atlassian profile."""
    return dict(
        sandbox.control(
            "POST", "users", {"name": "Dana Developer", "email": DEV, "email_visible": False}
        )
    )


def channel_of(site: PaperSite) -> dict[str, object]:
    (channel,) = [c for c in slack.all_channels(site.ctx) if str(c["name"]).startswith("pap-1")]
    return dict(channel)


def texts(site: PaperSite, channel_id: str) -> list[str]:
    return [str(m.get("text", "")) for m in slack.channel_messages(site.ctx, channel_id)]


def test_the_user_map_reaches_a_person_whose_email_jira_hides(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    dana = hide_assignee(sandbox)
    users = tmp_path / "users.yaml"
    users.write_text(f'"{dana["accountId"]}": {dana["slackId"]}\n', encoding="utf-8")
    for site in open_site(sandbox, tmp_path, POLICY, env={"AGENT_USER_MAP": str(users)}):
        site.incident()
        report = site.cycle(later(minutes=1))
        assert report.total_failed == 0, report.failures
        channel = channel_of(site)
        assert dana["slackId"] in channel["members"]
        (dm,) = [
            c
            for c in slack.all_channels(site.ctx)
            if c.get("is_im") and dana["slackId"] in c.get("members", [])
        ]
        assert slack.channel_messages(site.ctx, str(dm["id"]))
        lookups = [e for e in sandbox.requests_log() if e["path"].endswith("lookupByEmail")]
        assert all(DEV not in e["query"] for e in lookups)


def test_without_the_map_they_are_named_once_and_no_cycle_fails(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    dana = hide_assignee(sandbox)
    for site in open_site(sandbox, tmp_path, POLICY):
        key = site.incident()
        first = site.cycle(later(minutes=1))
        assert first.total_failed == 0, first.failures
        channel = channel_of(site)
        assert dana["slackId"] not in channel["members"]  # the reporter was still invited
        notes = [t for t in texts(site, str(channel["id"])) if "Not invited" in t]
        assert len(notes) == 1
        assert "Dana Developer" in notes[0] and "AGENT_USER_MAP" in notes[0]
        assert str(dana["accountId"]) in notes[0]
        problems = " ".join(first.problems)
        assert "does not show this person's email" in problems
        assert f"{key} [escalation_alert]" in problems  # the DM, as a ticket problem

        jira.add_comment(site.ctx, key, "Any news?", "lead@sandbox.example")
        second = site.cycle(later(minutes=5))
        assert second.total_failed == 0, second.failures
        assert len([t for t in texts(site, str(channel["id"])) if "Not invited" in t]) == 1


ACK_POLICY = (
    POLICY.replace(
        "rules:\n",
        "updates:\n  sources: [channel_message]\n  by: [assignee]\nrules:\n",
    )
    + """  - rule: ack_overdue
    within: 15m
    notify: [escalation_channel]
"""
)


def test_their_channel_message_counts_as_their_update_through_the_map(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    dana = hide_assignee(sandbox)
    users = tmp_path / "users.yaml"
    users.write_text(f'"{dana["accountId"]}": {dana["slackId"]}\n', encoding="utf-8")
    for site in open_site(sandbox, tmp_path, ACK_POLICY, env={"AGENT_USER_MAP": str(users)}):
        site.incident()
        assert site.cycle(later(minutes=1)).total_failed == 0
        channel = channel_of(site)
        sandbox.set_clock(later(minutes=5))
        slack.post_message(site.ctx, str(channel["id"]), "On it.", str(dana["slackId"]))
        report = site.cycle(later(minutes=16))
        assert report.total_failed == 0, report.failures
        nudges = [t for t in texts(site, str(channel["id"])) if "acknowledged" in t]
        assert nudges == []  # Dana's message acknowledged it, though Jira hides her email
