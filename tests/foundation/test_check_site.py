"""``check`` verifies everything a policy names on the sites, through the sandbox and the CLI.

Channels exist (the bot in them, or public), user groups exist, people named by
email are in Jira and Slack, parent pages exist; each failure is a FAIL line
that names it (exit 1). Traps are WARN lines (exit 0).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from agent.sandbox.confluence.content import create_page
from agent.sandbox.jira.seeding import create_project
from agent.sandbox.slack import workspace as slack
from tests.foundation.test_check_command import _make_space, run_cli, sandbox_env
from tests.support.sandbox import SandboxHandle

LEAD = "lead@sandbox.example"
POLICY = """\
name: ops
description: Ops outages
select: {projects: [OPS]}
roles:
  lead: email:lead@sandbox.example
  duty: group:@ops-duty
channels: {project: "#ops-outages"}
updates: {sources: [jira_comment, channel_message], by: [assignee]}
after_hours: {contacts: [lead], notify: [dm]}
rules:
  - rule: ack_overdue
    within: 15m
    to: [lead, duty]
    notify: [project_channel, "#ops-leads"]
  - rule: incident_summary
    space: OPS
    title: "Summary {key}: {summary}"
    parent: Incident summaries
"""


def check(sandbox: SandboxHandle, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    rules = tmp_path / "ops.yaml"
    rules.write_text(POLICY)
    env = {**sandbox_env(sandbox), "AGENT_RULES": str(rules)}
    return run_cli(["check", "--no-color"], env, tmp_path)


def line(result: subprocess.CompletedProcess[str], start: str) -> str:
    found = [text for text in result.stdout.splitlines() if start in text]
    assert len(found) == 1, (start, result.stdout)
    return found[0]


def basics(sandbox: SandboxHandle) -> None:
    _make_space(sandbox)
    create_project(sandbox.ctx, "OPS", "Operations", "agent@sandbox.example")


def lead_everywhere(sandbox: SandboxHandle) -> str:
    """The lead in Jira and Slack, the @ops-duty group, #ops-leads and the parent page."""
    lead = str(sandbox.add_user("Lee Lead", LEAD)["slackId"])
    slack.create_usergroup(sandbox.ctx, "ops-duty", "Ops duty", [lead])
    slack.add_members(sandbox.ctx, slack.create_channel(sandbox.ctx, "ops-leads"), [lead])
    create_page(sandbox.ctx, "OPS", "Incident summaries", "<p>Index</p>")
    return lead


def test_a_missing_channel_fails_check_by_name(sandbox: SandboxHandle, tmp_path: Path) -> None:
    basics(sandbox)
    lead_everywhere(sandbox)  # everything but #ops-outages
    result = check(sandbox, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    failing = [text for text in result.stdout.splitlines() if text.startswith("FAIL")]
    assert len(failing) == 1, result.stdout
    assert failing[0].startswith("FAIL  slack.channel #ops-outages")
    assert "ops: channels.project" in failing[0] and "create it" in failing[0]
    assert line(result, "slack.channel #ops-leads").startswith("PASS")
    assert "the bot is a member" in line(result, "slack.channel #ops-leads")
    assert line(result, "slack.group @ops-duty").startswith("PASS")
    assert line(result, f"people {LEAD}").startswith("PASS")
    assert line(result, "confluence.parent OPS").startswith("PASS")


def test_each_thing_a_policy_names_is_checked(sandbox: SandboxHandle, tmp_path: Path) -> None:
    basics(sandbox)
    sandbox.add_user("Lee Lead", LEAD, slack=False)  # in Jira, not in Slack
    result = check(sandbox, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert line(result, "slack.channel #ops-leads").startswith("FAIL")
    assert line(result, "slack.channel #ops-outages").startswith("FAIL")
    group = line(result, "slack.group @ops-duty")
    assert group.startswith("FAIL") and "no Slack user group @ops-duty" in group
    person = line(result, f"people {LEAD}")
    assert person.startswith("FAIL") and "no Slack user has this email" in person
    assert "no active Jira user" not in person  # Jira has them
    parent = line(result, "confluence.parent OPS")
    assert parent.startswith("FAIL") and "'Incident summaries'" in parent
    assert "ops: incident_summary parent" in parent


def test_channel_states_members_and_traps(sandbox: SandboxHandle, tmp_path: Path) -> None:
    basics(sandbox)
    lead_everywhere(sandbox)
    someone = str(sandbox.add_user("Sam Someone", "sam@sandbox.example")["slackId"])
    slack.create_channel(sandbox.ctx, "ops-outages", someone)  # public, the bot is not in it
    leads = slack.find_channel(sandbox.ctx, "ops-leads")
    assert leads is not None
    slack.set_archived(sandbox.ctx, leads, True, someone)
    result = check(sandbox, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr  # the archived channel
    outages = line(result, "slack.channel #ops-outages")
    assert outages.startswith("PASS") and "joins it when it first posts" in outages
    archived = line(result, "slack.channel #ops-leads")
    assert archived.startswith("FAIL") and "is archived" in archived
    members = line(result, "slack.members #ops-outages")
    assert members.startswith("WARN")
    assert LEAD in members and "1 member(s) of @ops-duty" in members
    assert "notifies nobody" in members
    traps = [text for text in result.stdout.splitlines() if text.startswith("WARN  policy ops")]
    assert any("no channels.escalation" in text for text in traps), result.stdout
    assert any("ack_overdue is not urgent" in text for text in traps), result.stdout


def test_warnings_alone_exit_0(sandbox: SandboxHandle, tmp_path: Path) -> None:
    basics(sandbox)
    lead_everywhere(sandbox)
    slack.create_channel(sandbox.ctx, "ops-outages")  # the bot's; the lead is not in it
    result = check(sandbox, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [text for text in result.stdout.splitlines() if text.startswith("FAIL")]
    assert line(result, "slack.members #ops-outages").startswith("WARN")


def test_a_named_person_whose_email_jira_hides_is_a_warning(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    basics(sandbox)
    lead = sandbox.control(
        "POST", "users", {"name": "Lee Lead", "email": LEAD, "email_visible": False}
    )
    slack.create_usergroup(sandbox.ctx, "ops-duty", "Ops duty", [str(lead["slackId"])])
    for name in ("ops-leads", "ops-outages"):
        slack.add_members(sandbox.ctx, slack.create_channel(sandbox.ctx, name), [lead["slackId"]])
    create_page(sandbox.ctx, "OPS", "Incident summaries", "<p>Index</p>")
    result = check(sandbox, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    person = line(result, f"people {LEAD}")
    assert person.startswith("WARN") and "Jira hides the email" in person
    assert "user-picker field" in person


INTAKE = """\
name: support
description: Support in one shared channel
select: {projects: [OPS]}
roles:
  lead: email:lead@sandbox.example
  duty: group:@ops-duty
updates: {sources: [jira_comment, channel_message], by: [lead]}
rules:
  - rule: slack_intake
    channel: "#operator-support"
    project: OPS
  - rule: ack_overdue
    within: 15m
    urgent: true
    to: [lead, duty]
    notify: [incident_thread]
"""


def check_intake(sandbox: SandboxHandle, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    rules = tmp_path / "support.yaml"
    rules.write_text(INTAKE)
    env = {**sandbox_env(sandbox), "AGENT_RULES": str(rules)}
    return run_cli(["check", "--no-color"], env, tmp_path)


def test_the_intake_channel_must_exist_with_the_bot_and_support_in_it(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    basics(sandbox)
    lead = lead_everywhere(sandbox)
    missing = check_intake(sandbox, tmp_path)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    failing = line(missing, "slack.channel #operator-support")
    assert failing.startswith("FAIL") and "support: slack_intake channel" in failing

    someone = str(sandbox.add_user("Sam Someone", "sam@sandbox.example")["slackId"])
    shared = slack.create_channel(sandbox.ctx, "operator-support", someone)  # without the bot
    without_bot = check_intake(sandbox, tmp_path)
    said = line(without_bot, "slack.channel #operator-support")
    assert said.startswith("WARN") and "the bot is not in #operator-support" in said
    assert "reads operators' reports" in said
    # the thread's nudges mention the lead and @ops-duty: they must be in the channel
    members = line(without_bot, "slack.members #operator-support")
    assert members.startswith("WARN") and LEAD in members and "@ops-duty" in members

    bot = slack.bot_slack_id(sandbox.ctx)
    slack.add_members(sandbox.ctx, shared, [bot, lead])
    ready = check_intake(sandbox, tmp_path)
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert line(ready, "slack.channel #operator-support").startswith("PASS")
    assert "slack.members #operator-support" not in ready.stdout
