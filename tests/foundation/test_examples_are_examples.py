"""Examples are examples: ``init`` makes a starter with placeholders, ``check`` names each one
left, and ``run`` writes with the bundled packs only to the sandbox."""

from __future__ import annotations

import json
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from agent.config import load_settings
from agent.policy import load_policies
from agent.policy.examples import example_files
from agent.policy.starter import starter_text
from agent.resources import bundled_rules_dir
from agent.runtime.site_identity import is_sandbox
from tests.foundation.test_check_command import OFFLINE_ENV, run_cli, sandbox_env
from tests.support.sandbox import SandboxHandle

PACKS = sorted(p.stem for p in bundled_rules_dir().glob("*.yaml"))
PLACEHOLDER = re.compile(r'"<CHANGE ME: [^>]*>"')


class _AnswersEverything(BaseHTTPRequestHandler):
    """A site that says 200 and some JSON to any path, as a catch-all proxy might."""

    def do_GET(self) -> None:
        body = json.dumps({"sandbox": "no", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def other_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AnswersEverything)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _site_env(base: str, rules: Path, tmp_path: Path) -> dict[str, str]:
    return {
        **OFFLINE_ENV,
        "JIRA_URL": base,
        "CONFLUENCE_URL": f"{base}/wiki",
        "SLACK_API_URL": f"{base}/api/",
        "AGENT_RULES": str(rules),
        "AGENT_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
    }


def _filled(text: str) -> str:
    """A starter with every placeholder given a plausible value of its kind."""

    def value(match: re.Match[str]) -> str:
        said = match.group(0)
        if "e.g. email:" in said:
            return "email:someone@acme.io"
        if "e.g. group:" in said:
            return "group:@acme-team"
        if "e.g. #" in said:
            return '"#acme-incidents"'
        if "space key" in said:
            return "ACME"
        if "project key" in said:
            return "ACME"
        return "Incident logs"

    return PLACEHOLDER.sub(value, text)


def test_the_sandbox_says_who_it_is_and_other_sites_do_not(
    sandbox: SandboxHandle, other_site: str
) -> None:
    assert is_sandbox(sandbox.base)
    assert is_sandbox(f"{sandbox.base}/wiki")
    assert not is_sandbox(other_site)
    assert not is_sandbox("http://127.0.0.1:9")  # nothing listens there


@pytest.mark.parametrize("pack", PACKS)
def test_a_starter_differs_from_its_pack_only_in_site_values(pack: str) -> None:
    original = (bundled_rules_dir() / f"{pack}.yaml").read_text()
    starter = starter_text(original, pack)

    assert "sandbox.example" not in starter
    body = starter.split("#\n", 1)[1]  # the init header ends with a lone "#"
    changed = [
        (old, new)
        for old, new in zip(original.splitlines(), body.splitlines(), strict=True)
        if old != new
    ]
    assert changed, "every pack names something of the example site"
    for old, new in changed:
        assert "<CHANGE ME: " in new
        assert re.search(r"email:|group:|#|space:|parent:|projects:|project:", old), old
    # filled in, the starter is the same procedure as the pack
    mine = _filled(starter)
    assert "<CHANGE ME" not in mine
    (policy,) = load_policies_from_text(mine, pack)
    (example,) = load_policies(bundled_rules_dir() / f"{pack}.yaml")
    assert [r.ident for r in policy.rules] == [r.ident for r in example.rules]


def load_policies_from_text(text: str, pack: str) -> list[object]:
    from agent.policy import load_policy_text

    return [load_policy_text(text, f"{pack}.yaml")]


def test_init_writes_starters_that_check_rejects_until_filled(tmp_path: Path) -> None:
    made = run_cli(
        ["init", "mine", "--from", "incident-critical", "support-p1-p4.yaml"], {}, tmp_path
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "wrote mine/incident-critical.yaml (12 placeholder(s) to fill)" in made.stdout
    rules = tmp_path / "mine"
    env = {**OFFLINE_ENV, "AGENT_RULES": str(rules)}

    check = run_cli(["check", "--offline", "--no-color"], env, tmp_path)
    assert check.returncode == 2, check.stdout
    failures = [line for line in check.stdout.splitlines() if "placeholder" in line]
    assert len(failures) == 12 + 6
    assert "wrote mine/support-p1-p4.yaml (6 placeholder(s) to fill)" in made.stdout
    assert any(
        re.search(r"incident-critical\.yaml:\d+: roles\.cto: <CHANGE ME: ", line)
        for line in failures
    )
    assert any(
        re.search(r"support-p1-p4\.yaml:\d+: rules\[4\]\.space: ", line) for line in failures
    )

    for file in rules.glob("*.yaml"):
        file.write_text(_filled(file.read_text()))
    assert run_cli(["check", "--offline", "--no-color"], env, tmp_path).returncode == 0


def test_init_never_overwrites_and_names_unknown_packs(tmp_path: Path) -> None:
    assert run_cli(["init", "mine", "--from", "ds-ticket-escalation"], {}, tmp_path).returncode == 0
    again = run_cli(["init", "mine", "--from", "ds-ticket-escalation"], {}, tmp_path)
    assert again.returncode == 2
    assert "already exist(s); nothing was written" in again.stdout
    unknown = run_cli(["init", "--from", "incidents"], {}, tmp_path)
    assert unknown.returncode == 2
    assert "--from incidents: no such pack; choose from client-communication" in unknown.stdout
    assert not (tmp_path / "rules").exists()


def test_copies_of_the_packs_are_examples_and_edited_ones_are_not(tmp_path: Path) -> None:
    copied = tmp_path / "copied"
    shutil.copytree(bundled_rules_dir(), copied)
    assert len(example_files(copied)) == len(PACKS)
    assert example_files(bundled_rules_dir() / "support-p1-p4.yaml")
    mine = copied / "support-p1-p4.yaml"
    mine.write_text(mine.read_text().replace("Europe/Malta", "Europe/Dublin"))
    assert mine not in example_files(copied)


def test_run_refuses_the_example_packs_against_another_site(
    other_site: str, tmp_path: Path
) -> None:
    env = _site_env(other_site, bundled_rules_dir(), tmp_path)
    refused = run_cli(["run", "--once"], env, tmp_path)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    said = " ".join(refused.stdout.split())
    assert "Refusing to write:" in said
    assert "'escalation-agent init my-rules --from PACK...'" in said
    assert not (tmp_path / "state.db").exists()  # nothing at all was written

    checked = run_cli(["check"], env, tmp_path)  # check says so before anyone runs it
    assert checked.returncode == 1, checked.stdout + checked.stderr  # this site is no Jira
    assert "FAIL  example packs" in checked.stdout
    assert "Refusing to write:" in " ".join(checked.stdout.split())

    planned = run_cli(["plan"], env, tmp_path)  # a dry run is allowed: it writes nothing
    assert "Refusing to write" not in planned.stdout
    backfill = run_cli(["backfill", "--since", "2026-01-01", "--yes"], env, tmp_path)
    assert backfill.returncode == 2
    assert "Refusing to write:" in backfill.stdout


def test_run_with_your_own_rules_is_not_refused_anywhere(other_site: str, tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.mkdir()
    pack = (bundled_rules_dir() / "support-p1-p4.yaml").read_text()
    (own / "support.yaml").write_text(_filled(starter_text(pack, "support-p1-p4")))
    result = run_cli(["run", "--once"], _site_env(other_site, own, tmp_path), tmp_path)
    assert "Refusing to write" not in result.stdout  # it goes on to talk to the site


def test_the_example_packs_may_run_on_the_sandbox(sandbox: SandboxHandle) -> None:
    from agent.commands.run_command import examples_refusal

    env = {**sandbox_env(sandbox), "AGENT_RULES": str(bundled_rules_dir())}
    assert examples_refusal(load_settings(env, None)) is None
