"""Configuration names: the example file ships in the package, and misspelt variables are named
with the one probably meant (fatal in the agent's own .env file, a warning in the environment)."""

from __future__ import annotations

import re
from pathlib import Path

from agent.config import KNOWN_VARIABLES, unknown_variables
from agent.resources import bundled_config_example
from tests.foundation.test_check_command import OFFLINE_ENV, run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_file_documents_exactly_the_variables_the_agent_reads() -> None:
    text = (ROOT / "config.example.env").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert documented == KNOWN_VARIABLES


def test_config_example_prints_the_packaged_file(tmp_path: Path) -> None:
    assert bundled_config_example().read_text() == (ROOT / "config.example.env").read_text()
    shown = run_cli(["config", "example"], {}, tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == (ROOT / "config.example.env").read_text()


def test_a_close_name_is_suggested_and_a_stranger_pointed_at_the_list() -> None:
    found = {
        p.variable: p.message
        for p in unknown_variables(
            [
                "AGENT_DRY_RUNN",
                "JIRA_TOKEN",
                "SLACK_WEBHOOK_URL",
                "JIRA_URL",
                "HOME",
                "AGENT_TEST_POSTGRES_URL",
            ],
            "set in .env,",
        )
    }
    assert set(found) == {"AGENT_DRY_RUNN", "JIRA_TOKEN", "SLACK_WEBHOOK_URL"}
    assert found["AGENT_DRY_RUNN"].endswith("did you mean AGENT_DRY_RUN?")
    assert (
        found["JIRA_TOKEN"].endswith("did you mean JIRA_PAT?")
        or "JIRA_API_TOKEN" in found["JIRA_TOKEN"]
    )
    assert "'escalation-agent config example' lists every one" in found["SLACK_WEBHOOK_URL"]


def test_a_misspelt_variable_in_the_env_file_stops_the_agent(tmp_path: Path) -> None:
    lines = [f"{k}={v}" for k, v in OFFLINE_ENV.items()] + ["AGENT_DRY_RUNN=1"]
    (tmp_path / ".env").write_text("\n".join(lines) + "\n")
    result = run_cli(["check", "--offline", "--no-color"], {}, tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        "AGENT_DRY_RUNN: set in .env, is not a setting of escalation-agent; "
        "did you mean AGENT_DRY_RUN?"
    ) in result.stdout


def test_a_misspelt_variable_in_the_environment_is_a_warning(tmp_path: Path) -> None:
    env = {**OFFLINE_ENV, "AGENT_POLL_SECOND": "5"}
    result = run_cli(["check", "--offline", "--no-color"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AGENT_POLL_SECOND: set in the environment, is not a setting" in result.stderr
    assert "did you mean AGENT_POLL_SECONDS? (ignored)" in result.stderr
