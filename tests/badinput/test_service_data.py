"""Bad data and refusals from the services, end to end: the real CLI against the sandbox.

Each case breaks one thing (a ticket deleted between search and details, a
deleted user, a person without Slack, an archived channel, a missing space, a
403 on one project, a JQL Jira rejects, a ticket with empty fields). The run
must name what is wrong and what to do, exit as documented (1 when a read or an
action failed, 0 when only ticket problems were found), and carry on with
everything else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from agent.resources import bundled_rules_dir
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.scenarios import test_incident_paperwork as incident
from tests.scenarios.support import LEAD, Site, build_site
from tests.scenarios.test_ds_pack import RULES, START, priority, seed
from tests.support.sandbox import SandboxHandle

pytestmark = pytest.mark.slow  # each case seeds a site and runs the CLI (~5 s)

NOW = START + timedelta(minutes=10)
Recorder = Callable[[str, str], None]


def ds_site(sandbox: SandboxHandle, tmp_path: Path) -> Site:
    site = seed(sandbox, tmp_path)
    site.at(NOW)
    return site


def lines_with(text: str, fragment: str) -> list[str]:
    return [line for line in text.splitlines() if fragment in line]


def assert_handled(site: Site, keys: list[str]) -> None:
    """The other tickets got their clerical steps: Highest priority and a channel each."""
    for key in keys:
        assert priority(site, key) == "Highest", key
        number = key.split("-")[1]
        assert site.channels(f"ds-{number}-"), key


def faults(sandbox: SandboxHandle, path: str, status: int) -> None:
    sandbox.control("POST", "faults", {"rate": 1.0, "statuses": [status], "path": path})


def test_ticket_deleted_between_search_and_details(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = ds_site(sandbox, tmp_path)
    faults(sandbox, r"/rest/api/\d+/issue/DS-2(/|$)", 404)

    result = site.run_once(NOW, RULES)

    (line,) = lines_with(result.stdout, "DS-2")
    clear_error("jira ticket gone after search", line)
    assert result.returncode == 0, result.stdout + result.stderr
    assert line.startswith("problem: DS-2: gone since the search"), line
    # DS-2 gone, and Carl Crew (no Slack account) named once for each of the 3 channels
    assert "4 ticket problems" in result.stdout
    assert len(lines_with(result.stdout, "Carl Crew (crew lead) has no Slack account")) == 3
    assert_handled(site, ["DS-1", "DS-3", "DS-4"])
    assert not site.channels("ds-2-")


def test_deleted_user_and_person_without_slack(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = ds_site(sandbox, tmp_path)
    ivan = site.ctx.users.by_email("ivan@sandbox.example")
    sandbox.control("DELETE", f"users/{ivan['accountId']}")  # the initiator leaves

    result = site.run_once(NOW, RULES)

    assert result.returncode == 0, result.stdout + result.stderr
    deleted = lines_with(result.stdout, "deactivated or deleted user")
    clear_error("jira deleted user in a role", deleted[0])
    assert len(deleted) == 3  # one per admitted ticket's channel
    assert "problem: DS-1 [clerical_channel]: cannot invite initiator" in deleted[0]
    assert "Ivan Initiator ('Initiator')" in deleted[0]
    no_slack = lines_with(result.stderr, "has no Slack account under carl@sandbox.example")
    clear_error("slack person without an account (invite)", no_slack[0].split(": ", 1)[1])
    assert len(no_slack) == 3 and "add them to AGENT_USER_MAP or invite them by hand" in no_slack[0]
    assert_handled(site, ["DS-1", "DS-2", "DS-3"])
    members = site.channel(site.channels("ds-1-")[0]["name"]).get("members", [])
    assert site.slack_id("connie@sandbox.example") in members


def test_ticket_with_empty_fields_is_asked_for_them(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = ds_site(sandbox, tmp_path)
    jira.create_issue(
        site.ctx,
        {
            "project": {"key": "DS"},
            "summary": "Only a label, nothing else",
            "issuetype": {"name": "Task"},
            "labels": ["ESCALATION"],
        },
        "rita@sandbox.example",
    )

    result = site.run_once(NOW, RULES)

    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = lines_with(result.stdout, "DS-5")
    clear_error("jira ticket with empty fields", line)
    assert "role initiator comes from 'Initiator', which is empty" in line
    assert "Traceback" not in result.stderr
    assert_handled(site, ["DS-1", "DS-2", "DS-3"])


def test_archived_channel_fails_only_those_posts(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = ds_site(sandbox, tmp_path)
    announcements = slack.find_channel(site.ctx, "sre-escalations")
    assert announcements is not None
    slack.set_archived(site.ctx, announcements, True, site.slack_id("rita@sandbox.example"))

    result = site.run_once(NOW, RULES)

    assert result.returncode == 1, result.stdout + result.stderr
    failed = lines_with(result.stdout, "failed: ")
    clear_error("slack archived channel", failed[0])
    assert len(failed) == 3
    for line in failed:
        assert "announce##sre-escalations: ChannelArchived" in line
        assert "unarchive it or point the procedure at another channel" in line
    assert "3 failed" in result.stdout
    assert_handled(site, ["DS-1", "DS-2", "DS-3"])


def test_missing_confluence_space_names_the_policy_setting(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = build_site(sandbox, tmp_path, incident.START, ["INC"])
    site.running_since(incident.START, incident.RULES)  # INC-1 resolves on the agent's watch
    dev = site.person("Dana Developer", incident.DEV)
    site.person("Pat PMO", "pmo@sandbox.example", slack_account=False)
    confluence.create_space(site.ctx, "OPS", "Operations")  # CONFLUENCE_SPACE exists, INC not
    slack.create_channel(site.ctx, "inc-project")
    fields = {
        "project": {"key": "INC"},
        "summary": "Checkout returns 500",
        "issuetype": {"name": "Incident"},
        "priority": {"name": "Highest"},
        "assignee": {"accountId": dev},
    }
    jira.create_issue(site.ctx, fields, incident.DEV)
    jira.edit_issue(site.ctx, "INC-1", {"Root Cause": "A bad release"}, incident.DEV)
    jira.transition(site.ctx, "INC-1", "Done", incident.DEV)
    now = incident.START + timedelta(minutes=5)
    site.at(now)

    result = site.run_once(now, incident.RULES)

    assert result.returncode == 1, result.stdout + result.stderr
    pages = lines_with(result.stdout, "there is no Confluence space with key 'INC'")
    clear_error("confluence missing space (run)", pages[0])
    assert len(pages) == 3  # two log rows and the summary page
    assert "check the space: key of the policy rule that names it" in pages[0]
    (dm,) = lines_with(result.stdout, "pmo@sandbox.example has no Slack account to DM")
    clear_error("slack person without an account (DM)", dm)
    assert "add them to Slack with the email Jira shows" in dm

    check = site.cli(["check", "--no-color"], incident.RULES)
    assert check.returncode == 1, check.stdout + check.stderr
    assert lines_with(check.stdout, "PASS  confluence.space ")[0].split()[2] == "space"
    (missing,) = lines_with(check.stdout, "FAIL  confluence.space INC")
    clear_error("confluence missing space (check)", missing)
    assert "space 'INC' does not exist" in missing
    assert "the space: key of the policy rules that name it" in missing


def test_403_on_one_project_leaves_the_others_running(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    """The agent may not edit issues in DX (Jira documents 403 for edits; reads hide as 404)."""
    site = ds_site(sandbox, tmp_path)
    jira.create_project(site.ctx, "DX", "Data exchange", LEAD)
    fields = {
        "project": {"key": "DX"},
        "summary": "Feed is late",
        "issuetype": {"name": "Task"},
        "priority": {"name": "Medium"},
        "Escalation Reason": "Partner cannot reconcile",
    }
    jira.create_issue(site.ctx, fields, "rita@sandbox.example")
    rules = tmp_path / "rules"
    rules.mkdir()
    ds_pack = (bundled_rules_dir() / RULES).read_text()
    (rules / RULES).write_text(ds_pack)
    dx_pack = (
        ds_pack.replace("name: ds-ticket-escalation", "name: dx-escalation")
        .replace("projects: [DS]", "projects: [DX]")
        .replace('"ds-{number}-{summary}"', '"dx-{number}-{summary}"')
    )
    (rules / "dx.yaml").write_text(dx_pack)
    faults(sandbox, r"^/rest/api/\d+/issue/DX-\d+$", 403)

    result = site.cli(["run", "--once", "--now", NOW.isoformat()], RULES, AGENT_RULES=str(rules))

    assert result.returncode == 1, result.stdout + result.stderr
    failed = lines_with(result.stdout, "failed: ")
    clear_error("jira 403 on one project", failed[0])
    assert {line.split(":")[1].strip() for line in failed} == {
        "clerical_label",
        "clerical_priority",
    }
    for line in failed:
        assert ":DX-1:" in line and "PermissionDenied" in line, line
        assert "not allowed to do this (HTTP 403)" in line
        assert "Grant it the needed Jira permission" in line
    assert_handled(site, ["DS-1", "DS-2", "DS-3"])
    assert site.channels("dx-1-")  # what needs no edit in DX still happened


def test_rejected_jql_stops_only_its_policy(
    sandbox: SandboxHandle, tmp_path: Path, clear_error: Recorder
) -> None:
    site = ds_site(sandbox, tmp_path)
    rules = tmp_path / "rules"
    rules.mkdir()
    good = (bundled_rules_dir() / RULES).read_text()
    (rules / RULES).write_text(good)
    bad = good.replace("name: ds-ticket-escalation", "name: ds-bad-jql").replace(
        "select:\n", "select:\n  jql: 'Team = Payments'\n"
    )
    (rules / "bad-jql.yaml").write_text(bad)

    result = site.cli(["run", "--once", "--now", NOW.isoformat()], RULES, AGENT_RULES=str(rules))

    assert result.returncode == 1, result.stdout + result.stderr
    (line,) = lines_with(result.stdout, "read error: policy ds-bad-jql")
    clear_error("jira JQL rejected", line)
    assert "Field 'Team' does not exist" in line
    assert "The JQL was: project in (" in line and "Team = Payments" in line
    assert "fix the policy's select: section" in line
    assert_handled(site, ["DS-1", "DS-2", "DS-3"])

    check = site.cli(["check", "--no-color"], RULES, AGENT_RULES=str(rules))
    assert check.returncode == 1, check.stdout + check.stderr
    (failed,) = lines_with(check.stdout, "FAIL  jira.jql")
    clear_error("jira JQL rejected (check)", failed)
    assert failed.startswith("FAIL  jira.jql ds-bad-jql") and "Field 'Team'" in failed
    assert "fix the policy's select: section" in failed
    assert lines_with(check.stdout, "PASS  jira.jql ds-ticket-escalation")
