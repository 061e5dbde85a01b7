"""Bad environment values: each variable with a wrong value is named, with the fix.

Every case changes one variable of a good configuration; the agent must name
that variable, say what is wrong with the value and show an example of a good
one. One CLI run with every bad value at once must list them all and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.config import ConfigError, load_settings
from tests.foundation.test_check_command import OFFLINE_ENV, run_cli

GOOD = dict(OFFLINE_ENV)
HERE = Path(__file__)

# (variable, bad value, fragments of the message)
CASES: list[tuple[str, str, list[str]]] = [
    ("JIRA_URL", "acme.atlassian.net", ["is not an http(s) URL"]),
    ("JIRA_URL", "ftp://acme.atlassian.net", ["is not an http(s) URL"]),
    ("JIRA_URL", "https://acme.atlassian.net/rest/api/2", ["not the site's base URL"]),
    ("JIRA_URL", "https://acme.atlassian.net/browse/OPS-1", ["not the site's base URL"]),
    ("JIRA_EMAIL", "bot-at-acme.io", ["is not an email address"]),
    ("JIRA_EMAIL", "   ", ["is not set", "JIRA_PAT"]),
    ("JIRA_API_TOKEN", "", ["is not set", "id.atlassian.com"]),
    ("JIRA_PAT", "pat-token-abcdef", ["not both"]),
    ("CONFLUENCE_URL", "https://acme.atlassian.net", ["served under /wiki"]),
    ("CONFLUENCE_URL", "https://acme.atlassian.net/wiki/spaces/OPS", ["site's base URL"]),
    ("CONFLUENCE_URL", "wiki", ["is not an http(s) URL"]),
    ("CONFLUENCE_EMAIL", "bot", ["is not an email address"]),
    ("CONFLUENCE_API_TOKEN", " ", ["is not set"]),
    ("CONFLUENCE_PAT", "pat-token-abcdef", ["not both"]),
    ("CONFLUENCE_SPACE", "Operations Team", ["is not a space key", "not its name"]),
    ("CONFLUENCE_SPACE", "", ["is not set"]),
    ("SLACK_BOT_TOKEN", "slack-token-abcdef", ["starts with 'xoxb-'"]),
    ("SLACK_BOT_TOKEN", "", ["is not set"]),
    ("SLACK_API_URL", "slack.com/api", ["is not an http(s) URL"]),
    ("AGENT_RULES", "/nonexistent/rules", ["does not exist"]),
    ("AGENT_TEMPLATES", str(HERE), ["is not a folder"]),
    ("AGENT_STATE_URL", "mysql://agent@db/state", ["backend is not supported", "sqlite"]),
    ("AGENT_STATE_URL", "state.db", ["is not a database URL"]),
    ("AGENT_TIMEZONE", "Kyiv", ["is not an IANA time zone name"]),
    ("AGENT_TIMEZONE", "UTC+2", ["is not an IANA time zone name"]),
    ("AGENT_POLL_SECONDS", "1m", ["is not a whole number"]),
    ("AGENT_POLL_SECONDS", "0", ["outside 5..86400"]),
    ("AGENT_POLL_SECONDS", "-60", ["outside 5..86400"]),
    ("AGENT_FULL_SYNC_MINUTES", "0", ["outside 1..10080"]),
    ("AGENT_FULL_SYNC_MINUTES", "half an hour", ["is not a whole number"]),
    ("AGENT_DRY_RUN", "perhaps", ["not a yes/no value", "1 or 0"]),
    ("AGENT_LOG_LEVEL", "VERBOSE", ["not one of DEBUG, INFO, WARNING, ERROR"]),
    ("AGENT_LOG_FORMAT", "logfmt", ["not one of text, json"]),
    ("AGENT_METRICS_PORT", "http", ["is not a whole number"]),
    ("AGENT_METRICS_PORT", "0", ["outside 1..65535"]),
    ("AGENT_USER_MAP", "/nonexistent/users.yaml", ["is not a file"]),
]


def _problem_text(env: dict[str, str], variable: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    named = [str(p) for p in caught.value.problems if p.variable == variable]
    assert named, f"{variable} not named in: {caught.value}"
    return named[0]


@pytest.mark.parametrize(
    ("variable", "value", "fragments"),
    CASES,
    ids=[f"{variable}={value.strip() or 'blank'}" for variable, value, _ in CASES],
)
def test_bad_value_names_the_variable_the_fault_and_an_example(
    variable: str, value: str, fragments: list[str], clear_error: Callable[[str, str], None]
) -> None:
    env = {**GOOD, variable: value}
    text = _problem_text(env, variable)
    clear_error(f"env {variable}={value.strip() or '(blank)'}", text)
    assert text.startswith(f"{variable}: "), text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    assert "(example: " in text and "=" in text.split("(example: ")[1], text


def test_a_good_configuration_has_no_problem() -> None:
    assert load_settings(GOOD).confluence_space == "OPS"


def test_cli_lists_every_bad_value_at_once_and_exits_2(tmp_path: Path) -> None:
    # one bad value per variable; left out: the PATs (they conflict with the tokens) and
    # SLACK_API_URL (the bot token's prefix is only checked against the real Slack)
    chosen: dict[str, str] = {}
    for variable, value, _ in CASES:
        left_out = variable.endswith("_PAT") or variable == "SLACK_API_URL"
        if value.strip() and variable not in chosen and not left_out:
            chosen[variable] = value
    env = {**GOOD, **chosen}
    result = run_cli(["check", "--no-color"], env, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    for variable in chosen:
        assert f"  - {variable}: " in result.stdout, variable
    assert f"{len(chosen)} problem(s)" in result.stdout
    assert "See config.example.env" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    for secret in ("jira-token-abcdef", "wiki-token-abcdef", "slack-token-abcdef"):
        assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--now", "yesterday", "plan"], "--now 'yesterday' is not ISO-8601"),
        (["--env-file", "missing.env", "check"], "missing.env does not exist"),
    ],
)
def test_bad_command_line_values_exit_2(
    args: list[str], fragment: str, tmp_path: Path, clear_error: Callable[[str, str], None]
) -> None:
    result = run_cli(args, GOOD, tmp_path)
    clear_error(f"cli {' '.join(args[:2])}", result.stdout)
    assert result.returncode == 2, result.stdout + result.stderr
    assert fragment in result.stdout
