"""Settings: parsing, every problem reported at once, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import ConfigError, load_settings, read_environment

GOOD = {
    "JIRA_URL": "https://acme.atlassian.net",
    "JIRA_EMAIL": "bot@acme.io",
    "JIRA_API_TOKEN": "jira-secret-token-111",
    "CONFLUENCE_URL": "https://acme.atlassian.net/wiki",
    "CONFLUENCE_EMAIL": "bot@acme.io",
    "CONFLUENCE_API_TOKEN": "wiki-secret-token-222",
    "CONFLUENCE_SPACE": "OPS",
    "SLACK_BOT_TOKEN": "xoxb-slack-secret-333",
}


def problems_of(env: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    return {problem.variable: problem.message for problem in caught.value.problems}


def test_good_settings_parse_with_defaults() -> None:
    settings = load_settings(GOOD)
    assert settings.jira_url == "https://acme.atlassian.net"
    assert settings.jira_auth.kind == "basic"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.state_url == "sqlite:///agent-state.db"
    assert settings.timezone == "UTC"
    assert settings.poll_seconds == 60
    assert settings.dry_run is False
    assert settings.log_format == "text"


def test_every_missing_variable_is_listed_at_once() -> None:
    problems = problems_of({})
    assert set(problems) == {
        "JIRA_URL",
        "JIRA_EMAIL",
        "JIRA_API_TOKEN",
        "CONFLUENCE_URL",
        "CONFLUENCE_EMAIL",
        "CONFLUENCE_API_TOKEN",
        "CONFLUENCE_SPACE",
        "SLACK_BOT_TOKEN",
    }


def test_problems_carry_an_example_of_a_good_value() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "AGENT_TIMEZONE": "Mars/Olympus"})
    text = str(caught.value)
    assert "AGENT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone name" in text
    assert "example: AGENT_TIMEZONE=Europe/Kyiv" in text


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("JIRA_URL", "acme.atlassian.net", "is not an http(s) URL"),
        ("AGENT_POLL_SECONDS", "soon", "is not a whole number"),
        ("AGENT_POLL_SECONDS", "1", "outside 5..86400"),
        ("AGENT_DRY_RUN", "maybe", "not a yes/no value"),
        ("AGENT_LOG_LEVEL", "LOUD", "not one of DEBUG, INFO, WARNING, ERROR"),
        ("AGENT_LOG_FORMAT", "xml", "not one of text, json"),
        ("AGENT_STATE_URL", "mysql://x@y/z", "backend is not supported"),
        ("AGENT_STATE_URL", "::not a url::", "is not a database URL"),
        ("AGENT_RULES", "/nonexistent/rules", "does not exist"),
        ("AGENT_TEMPLATES", "/nonexistent/templates", "is not a folder"),
        ("AGENT_METRICS_PORT", "70000", "outside 1..65535"),
        ("JIRA_EMAIL", "not-an-email", "is not an email address"),
    ],
)
def test_bad_values_are_named(variable: str, value: str, fragment: str) -> None:
    problems = problems_of({**GOOD, variable: value})
    assert fragment in problems[variable]


def test_pat_is_the_data_center_alternative() -> None:
    env = {k: v for k, v in GOOD.items() if not k.startswith("JIRA_") or k == "JIRA_URL"}
    settings = load_settings({**env, "JIRA_PAT": "dc-personal-token-444"})
    assert settings.jira_auth.kind == "pat"
    assert "dc-personal-token-444" in settings.secrets()


def test_pat_and_email_token_together_is_a_problem() -> None:
    problems = problems_of({**GOOD, "JIRA_PAT": "dc-personal-token-444"})
    assert "not both" in problems["JIRA_PAT"]


def test_real_slack_needs_a_bot_token() -> None:
    problems = problems_of({**GOOD, "SLACK_BOT_TOKEN": "abc123456"})
    assert "xoxb-" in problems["SLACK_BOT_TOKEN"]
    # a sandbox or proxy URL accepts any token
    settings = load_settings(
        {**GOOD, "SLACK_BOT_TOKEN": "abc123456", "SLACK_API_URL": "http://127.0.0.1:8765/api/"}
    )
    assert settings.slack_api_url == "http://127.0.0.1:8765/api/"


def test_repr_never_shows_secrets() -> None:
    settings = load_settings(
        {**GOOD, "AGENT_STATE_URL": "postgresql://agent:pg-pass-555@db:5432/agent"}
    )
    text = repr(settings) + str(settings)
    for secret in ("jira-secret-token-111", "wiki-secret-token-222", "xoxb-slack-secret-333"):
        assert secret not in text
    assert "pg-pass-555" not in settings.state_url_for_display
    assert "pg-pass-555" in settings.secrets()


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / "agent.env"
    env_file.write_text("JIRA_URL=https://from-file.atlassian.net\nAGENT_TIMEZONE=Europe/Kyiv\n")
    values = read_environment(env_file, {"AGENT_TIMEZONE": "America/New_York"})
    assert values["JIRA_URL"] == "https://from-file.atlassian.net"
    assert values["AGENT_TIMEZONE"] == "America/New_York"


def test_missing_env_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_environment(tmp_path / "missing.env", {})


def test_example_file_lists_every_variable() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.env"
    text = example.read_text()
    for name in [
        *GOOD,
        "JIRA_PAT",
        "CONFLUENCE_PAT",
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
        "AGENT_FULL_SYNC_MINUTES",
        "AGENT_USER_MAP",
    ]:
        assert f"{name}=" in text, name
