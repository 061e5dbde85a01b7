"""``escalation-agent check``: exit codes and one line per check, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.sandbox import SLACK_TIME_SCALE, TOKEN, SandboxHandle

ENV_NAMES = [
    "JIRA_URL",
    "JIRA_EMAIL",
    "JIRA_API_TOKEN",
    "JIRA_PAT",
    "CONFLUENCE_URL",
    "CONFLUENCE_EMAIL",
    "CONFLUENCE_API_TOKEN",
    "CONFLUENCE_PAT",
    "CONFLUENCE_SPACE",
    "SLACK_BOT_TOKEN",
    "SLACK_API_URL",
    "AGENT_RULES",
    "AGENT_TEMPLATES",
    "AGENT_STATE_URL",
    "AGENT_TIMEZONE",
    "AGENT_POLL_SECONDS",
    "AGENT_DRY_RUN",
    "AGENT_LOG_LEVEL",
    "AGENT_LOG_FORMAT",
    "AGENT_METRICS_PORT",
    "AGENT_USER_MAP",
]


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args],
        env=clean,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def sandbox_env(sandbox: SandboxHandle, token: str = TOKEN) -> dict[str, str]:
    return {
        "JIRA_URL": sandbox.base,
        "JIRA_EMAIL": "agent@sandbox.example",
        "JIRA_API_TOKEN": token,
        "CONFLUENCE_URL": sandbox.confluence_url,
        "CONFLUENCE_EMAIL": "agent@sandbox.example",
        "CONFLUENCE_API_TOKEN": token,
        "CONFLUENCE_SPACE": "OPS",
        "SLACK_BOT_TOKEN": token,
        "SLACK_API_URL": f"{sandbox.base}/api/",
        "AGENT_SLACK_TIME_SCALE": str(SLACK_TIME_SCALE),
    }


def test_no_configuration_exits_2_listing_every_missing_variable(tmp_path: Path) -> None:
    result = run_cli(["check"], {}, tmp_path)
    assert result.returncode == 2
    for name in ("JIRA_URL", "JIRA_EMAIL", "JIRA_API_TOKEN", "CONFLUENCE_URL", "SLACK_BOT_TOKEN"):
        assert f"{name}: is not set" in result.stdout
    assert "8 problem(s)" in result.stdout


def test_bad_timezone_is_named(tmp_path: Path) -> None:
    result = run_cli(["check"], {"AGENT_TIMEZONE": "Europe/Atlantis"}, tmp_path)
    assert result.returncode == 2
    assert "AGENT_TIMEZONE: 'Europe/Atlantis' is not an IANA time zone name" in result.stdout


def test_env_file_option_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text("AGENT_LOG_FORMAT=yaml\n")
    result = run_cli(["--env-file", str(env_file), "check"], {}, tmp_path)
    assert result.returncode == 2
    assert "AGENT_LOG_FORMAT: 'yaml' is not one of text, json" in result.stdout
    missing = run_cli(["check", "--env-file", str(tmp_path / "nope.env")], {}, tmp_path)
    assert missing.returncode == 2
    assert "nope.env does not exist" in missing.stdout


def test_unreachable_services_fail_with_exit_1(tmp_path: Path) -> None:
    env = {
        "JIRA_URL": "http://127.0.0.1:9",
        "JIRA_EMAIL": "a@b.io",
        "JIRA_API_TOKEN": "jira-token-abcdef",
        "CONFLUENCE_URL": "http://127.0.0.1:9/wiki",
        "CONFLUENCE_EMAIL": "a@b.io",
        "CONFLUENCE_API_TOKEN": "wiki-token-abcdef",
        "CONFLUENCE_SPACE": "OPS",
        "SLACK_BOT_TOKEN": "slack-token-abcdef",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }
    result = run_cli(["check", "--no-color"], env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PASS  config" in result.stdout
    assert "FAIL  jira.serverInfo" in result.stdout
    assert "cannot reach Jira" in result.stdout
    assert "FAIL  confluence.space" in result.stdout
    assert "FAIL  slack.auth.test" in result.stdout
    for token in ("jira-token-abcdef", "wiki-token-abcdef", "slack-token-abcdef"):
        assert token not in result.stdout + result.stderr


def _make_space(sandbox: SandboxHandle) -> None:
    response = requests.post(
        f"{sandbox.base}/wiki/rest/api/space",
        json={"key": "OPS", "name": "Operations"},
        auth=("agent@sandbox.example", TOKEN),
        timeout=10,
    )
    if response.status_code == 404:
        pytest.fail("the sandbox cannot create Confluence spaces yet")
    response.raise_for_status()


def _make_policy_fields(sandbox: SandboxHandle, skip: str | None = None) -> list[str]:
    """Create in the sandbox's Jira every custom field the bundled packs read."""
    from agent.policy import load_policies
    from agent.resources import bundled_rules_dir
    from agent.sandbox.jira.seeding import create_custom_field

    names = sorted(
        {name for policy in load_policies(bundled_rules_dir()) for name in policy.required_fields()}
    )
    for name in names:
        if name != skip:
            create_custom_field(sandbox.ctx, name, "textfield")
    return names


def _make_policy_spaces(sandbox: SandboxHandle) -> None:
    """The spaces the bundled packs' rules write to (``space:``) and the projects they
    search, which check also reaches (an unknown project makes Jira reject the JQL)."""
    from agent.policy import load_policies
    from agent.resources import bundled_rules_dir
    from agent.sandbox.confluence.content import create_space, get_space
    from agent.sandbox.jira.seeding import create_project
    from agent.setup_checks import policy_spaces

    policies = load_policies(bundled_rules_dir())
    for key in policy_spaces(policies):
        if get_space(sandbox.ctx, key) is None:
            create_space(sandbox.ctx, key, f"{key} space")
    for project in sorted({p for policy in policies for p in policy.select.projects}):
        create_project(sandbox.ctx, project, f"{project} project", "agent@sandbox.example")


def _make_named_things(sandbox: SandboxHandle) -> None:
    """What the bundled packs name on the sites: people, channels (the bot in them), user
    groups with members, parent pages."""
    from agent.policy import load_policies
    from agent.policy.named import named_in
    from agent.resources import bundled_rules_dir
    from agent.sandbox.confluence.content import create_page
    from agent.sandbox.slack.workspace import add_members, create_channel, create_usergroup

    named = named_in(load_policies(bundled_rules_dir()))
    slack_ids = [
        str(sandbox.add_user(email.split("@")[0].title(), email)["slackId"])
        for email in named.emails
    ]
    for channel in named.channels:
        add_members(sandbox.ctx, create_channel(sandbox.ctx, channel.removeprefix("#")), slack_ids)
    for handle in named.groups:
        create_usergroup(sandbox.ctx, handle, handle.title(), slack_ids[:2])
    for parent in named.parents:
        create_page(sandbox.ctx, parent.space or "OPS", parent.title, "<p>Index</p>")


def test_check_passes_against_the_sandbox(sandbox: SandboxHandle, tmp_path: Path) -> None:
    _make_space(sandbox)
    _make_policy_spaces(sandbox)
    _make_policy_fields(sandbox)
    _make_named_things(sandbox)
    result = run_cli(["check", "--no-color"], sandbox_env(sandbox), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for name in (
        "config",
        "policies",
        "templates",
        "jira.serverInfo",
        "jira.myself",
        "jira.fields",
        "confluence.space",
        "slack.auth.test",
        "confluence.parent INC",
        "slack.channel #inc-project",
        "slack.group @gamnify-support",
        "people oleh@sandbox.example",
        "people ",
    ):
        assert any(line.startswith(f"PASS  {name}") for line in lines), (name, result.stdout)
    assert not [line for line in lines if line.startswith("FAIL")], result.stdout
    # the bundled packs' traps are warnings: exit 0 all the same
    warnings = [line for line in lines if line.startswith("WARN")]
    assert any("ps-customer-escalation" in w and "channels.escalation" in w for w in warnings)
    assert any("support-p1-p4" in w and "update_overdue is not urgent" in w for w in warnings)
    assert TOKEN not in result.stdout + result.stderr


def test_a_field_jira_lacks_is_reported(sandbox: SandboxHandle, tmp_path: Path) -> None:
    _make_space(sandbox)
    names = _make_policy_fields(sandbox, skip="Escalation Contact")
    assert "Escalation Contact" in names
    result = run_cli(["check", "--no-color"], sandbox_env(sandbox), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    failure = next(line for line in result.stdout.splitlines() if "jira.fields" in line)
    assert failure.startswith("FAIL  jira.fields")
    assert "'Escalation Contact'" in failure
    assert "create the field in Jira or fix the policy" in failure


def test_wrong_token_names_the_credentials(sandbox: SandboxHandle, tmp_path: Path) -> None:
    _make_space(sandbox)
    wrong = "wrong-token-for-check-777"
    result = run_cli(["check", "--no-color"], sandbox_env(sandbox, wrong), tmp_path)
    assert result.returncode == 1
    assert "check JIRA_EMAIL / JIRA_API_TOKEN" in result.stdout
    assert "check CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN" in result.stdout
    assert "Slack rejected SLACK_BOT_TOKEN (invalid_auth)" in result.stdout
    assert wrong not in result.stdout + result.stderr


def test_missing_space_is_explained(sandbox: SandboxHandle, tmp_path: Path) -> None:
    env = {**sandbox_env(sandbox), "CONFLUENCE_SPACE": "NOPE"}
    result = run_cli(["check", "--no-color"], env, tmp_path)
    assert result.returncode == 1
    assert "space 'NOPE' does not exist" in result.stdout


OFFLINE_ENV = {
    "JIRA_URL": "https://acme.atlassian.net",
    "JIRA_EMAIL": "bot@acme.io",
    "JIRA_API_TOKEN": "jira-token-abcdef",
    "CONFLUENCE_URL": "https://acme.atlassian.net/wiki",
    "CONFLUENCE_EMAIL": "bot@acme.io",
    "CONFLUENCE_API_TOKEN": "wiki-token-abcdef",
    "CONFLUENCE_SPACE": "OPS",
    "SLACK_BOT_TOKEN": "xoxb-slack-token-abcdef",
}


def test_offline_check_validates_the_bundled_packs(tmp_path: Path) -> None:
    result = run_cli(["check", "--offline", "--no-color"], OFFLINE_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    policies = next(line for line in result.stdout.splitlines() if "policies" in line)
    assert policies.startswith("PASS  policies")
    for pack in (
        "incident-critical",
        "ps-customer-escalation",
        "support-p1-p4",
        "ds-ticket-escalation",
        "client-communication",
    ):
        assert pack in policies


def test_a_bad_policy_exits_2_naming_file_line_and_key(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "team.yaml").write_text(
        "name: team\n"
        "select: {projects: [OPS]}\n"
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: 15m\n"
        "  - rule: remind_everyone_hourly\n"
    )
    env = {**OFFLINE_ENV, "AGENT_RULES": str(rules)}
    result = run_cli(["check", "--offline", "--no-color"], env, tmp_path)
    assert result.returncode == 2, result.stdout
    failure = next(line for line in result.stdout.splitlines() if "remind_everyone_hourly" in line)
    assert failure.startswith("FAIL  policies")
    assert "team.yaml:6" in failure
    assert "rules[1]" in failure
    assert "ack_overdue" in failure  # the known rule names are listed
