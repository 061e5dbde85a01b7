"""Secrets never leave the agent: not in output, logs, tracebacks, plans, or what it writes.

The real CLI runs ``check``, ``plan`` and ``run --once`` against the sandbox
with tokens configured and ``AGENT_LOG_LEVEL=DEBUG`` (text and JSON logs), then
with a wrong token and with a database password it cannot use. Every byte the
processes printed, the agent's state file, and everything the sandbox holds
afterwards (Slack messages, Jira comments, Confluence pages...) is searched for
the secret values, for their Basic-auth encoding, and for any long piece of
them (a clipped error message must not keep half a token either).
"""

from __future__ import annotations

import base64
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from agent.resources import bundled_rules_dir
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.foundation.test_check_command import run_cli
from tests.scenarios.support import Site, agent_comments
from tests.scenarios.test_ds_pack import RULES as DS_RULES
from tests.scenarios.test_ds_pack import START, seed
from tests.support.sandbox import AGENT_EMAIL, TOKEN, SandboxHandle

pytestmark = pytest.mark.slow  # several CLI runs against a seeded sandbox

WRONG_TOKEN = "wrong-token-9c1d7e55aa31"
DB_PASSWORD = "db-pass-5f0e1b2c77d9"
PIECE = 10  # no run of this many characters of a secret may appear anywhere
NOW = START + timedelta(minutes=10)


def forms(secret: str) -> list[str]:
    """The secret, its Basic-auth header value, and every PIECE-long slice of it."""
    basic = base64.b64encode(f"{AGENT_EMAIL}:{secret}".encode()).decode()
    pieces = [secret[i : i + PIECE] for i in range(len(secret) - PIECE + 1)]
    return [secret, basic, f"Bearer {secret}", *pieces]


def leaks(text: str, secrets: list[str]) -> list[str]:
    return sorted({form for secret in secrets for form in forms(secret) if form in text})


def sandbox_contents(sandbox: SandboxHandle) -> str:
    """Every document the sandbox holds (all kinds: issues, comments, messages, pages...)."""
    store = sandbox.ctx.store
    with store.lock:
        kinds = list(store._docs)  # the test reads everything, kind by kind
    return json.dumps({kind: store.all(kind) for kind in kinds}, default=str)


def add_incident(site: Site) -> None:
    """A resolved critical incident, so the run also writes Confluence pages and DMs."""
    jira.create_project(site.ctx, "INC", "Incidents", "rita@sandbox.example")
    dev = site.person("Dana Developer", "dev@sandbox.example")
    manager = site.person("Mia Manager", "mia@sandbox.example")
    for name, email in [
        ("Oleh CTO", "oleh@sandbox.example"),
        ("Pat PMO", "pmo@sandbox.example"),
        ("Alex Lead", "alex@sandbox.example"),
        ("Sophia Lead", "sophia@sandbox.example"),
    ]:
        site.person(name, email)
    confluence.create_space(site.ctx, "INC", "Incidents")
    confluence.create_space(site.ctx, "OPS", "Operations")
    confluence.create_page(site.ctx, "INC", "Incident logs", "<p>Logs</p>")  # the digest's parent
    confluence.create_page(site.ctx, "INC", "Incident summaries", "<p>Summaries</p>")
    slack.create_channel(site.ctx, "inc-project")
    slack.create_usergroup(
        site.ctx, "dev-support", "Dev support", [site.slack_id("oleh@sandbox.example")]
    )
    fields = {
        "project": {"key": "INC"},
        "summary": "Checkout returns 500",
        "issuetype": {"name": "Incident"},
        "priority": {"name": "Highest"},
        "assignee": {"accountId": dev},
        "Account Manager": {"accountId": manager},
    }
    jira.create_issue(site.ctx, fields, "mia@sandbox.example")
    jira.edit_issue(
        site.ctx, "INC-1", {"Root Cause": "A bad release", "Resolution Details": "Rollback"}, dev
    )
    jira.transition(site.ctx, "INC-1", "Done", "dev@sandbox.example")


def rules_folder(tmp_path: Path) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for name in (DS_RULES, "incident-critical.yaml"):
        (rules / name).write_text((bundled_rules_dir() / name).read_text())
    return rules


def cli(
    site: Site, rules: Path, args: list[str], fmt: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    env = site.env(DS_RULES)
    env.update(AGENT_RULES=str(rules), AGENT_LOG_LEVEL="DEBUG", AGENT_LOG_FORMAT=fmt, **extra)
    return run_cli(args, env, site.state_dir)


def test_no_secret_in_output_logs_or_anything_written(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    for pack in (DS_RULES, "incident-critical.yaml"):  # INC-1 resolves on the agent's watch
        site.running_since(NOW - timedelta(days=365), pack)
    add_incident(site)
    site.at(NOW)
    rules = rules_folder(tmp_path)
    now = ["--now", NOW.isoformat()]
    runs = {
        "check text": cli(site, rules, ["check", "--no-color"], "text"),
        "plan json": cli(site, rules, ["plan", *now], "json"),
        "run text": cli(site, rules, ["run", "--once", *now], "text"),
        "run json": cli(
            site, rules, ["run", "--once", "--now", (NOW + timedelta(hours=1)).isoformat()], "json"
        ),
    }

    assert runs["check text"].returncode == 0, runs["check text"].stdout
    assert runs["run text"].returncode == 0, runs["run text"].stdout + runs["run text"].stderr
    assert "DEBUG" in runs["run text"].stderr  # the logs were really at DEBUG
    json_lines = [line for line in runs["run json"].stderr.splitlines() if line.startswith("{")]
    assert json_lines and all(json.loads(line)["level"] for line in json_lines)
    for name, result in runs.items():
        found = leaks(result.stdout + result.stderr, [TOKEN])
        assert not found, f"{name} printed {found}"

    # what the agent wrote: there is something to search, and no secret in it
    assert agent_comments(site, "DS-1"), "the run wrote no Jira comment"
    assert site.messages(site.channel("sre-escalations")["id"]), "no Slack message posted"
    assert confluence.find_page(site.ctx, "INC", "INC Incident Log") is not None
    assert not leaks(sandbox_contents(sandbox), [TOKEN])
    state = (tmp_path / "state.db").read_bytes().decode("utf-8", errors="replace")
    assert "DS-1" in state and not leaks(state, [TOKEN])


def test_no_secret_when_a_token_or_the_database_is_wrong(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = seed(sandbox, tmp_path)
    site.at(NOW)
    rules = rules_folder(tmp_path)
    wrong = {
        "JIRA_API_TOKEN": WRONG_TOKEN,
        "CONFLUENCE_API_TOKEN": WRONG_TOKEN,
        "SLACK_BOT_TOKEN": WRONG_TOKEN,
    }
    database = f"postgresql://agent:{DB_PASSWORD}@127.0.0.1:9/state"
    runs = {
        "run wrong token": cli(site, rules, ["run", "--once"], "text", **wrong),
        "check wrong token": cli(site, rules, ["check"], "json", **wrong),
        "plan unreachable database": cli(site, rules, ["plan"], "text", AGENT_STATE_URL=database),
    }

    assert runs["run wrong token"].returncode == 1
    assert (
        "rejected the credentials"
        in runs["run wrong token"].stdout + runs["run wrong token"].stderr
    )
    assert runs["check wrong token"].returncode == 1
    unreachable = runs["plan unreachable database"]
    assert unreachable.returncode == 1, unreachable.stdout + unreachable.stderr
    assert "postgresql+psycopg://agent:***@127.0.0.1:9/state" in unreachable.stdout
    for name, result in runs.items():
        found = leaks(result.stdout + result.stderr, [TOKEN, WRONG_TOKEN, DB_PASSWORD])
        assert not found, f"{name} printed {found}:\n{result.stdout}\n{result.stderr}"
    assert not leaks(sandbox_contents(sandbox), [WRONG_TOKEN, DB_PASSWORD])
