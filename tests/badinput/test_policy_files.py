"""Bad policy files: each one is refused with its file, line and key, what is wrong, what to do.

The corpus below is a valid policy with one mistake each. Every case is loaded
through the real loader; one CLI run then loads the whole corpus as a folder and
must report every file at once and exit 2 before any network call.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from agent.policy import PolicyErrors, load_policies
from tests.foundation.test_check_command import OFFLINE_ENV, run_cli

VALID = """\
name: team-escalations
description: Team escalations are acknowledged and chased.
select:
  projects: [OPS]
roles:
  lead: [email:lead@example.com]
timezone: Europe/Berlin
business_hours: {start: "09:00", end: "17:00"}
chains:
  first:
    - {after: 30m, to: [lead]}
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee]
    chain_ref: first
"""


def variant(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


# case -> (policy text, fragments the message must contain: the line, the fault, the fix)
CORPUS: dict[str, tuple[str, list[str]]] = {
    "yaml-syntax": (
        variant("    within: 15m\n", "    within: [15m\n"),
        [":15:", "not valid YAML", "flow sequence that starts on line 14"],
    ),
    "yaml-tab-indent": (
        variant("  - rule: ack_overdue\n", "\t- rule: ack_overdue\n"),
        ["not valid YAML", "indent with spaces, not tabs"],
    ),
    "not-a-mapping": ("- just\n- a list\n", [":1:", "must be a YAML mapping"]),
    "unknown-top-key": (
        VALID + "escalate_to_ceo: true\n",
        [":17:", "escalate_to_ceo", "unknown key", "allowed keys:", "business_hours"],
    ),
    "unknown-rule-key": (
        variant("    within: 15m\n", "    within: 15m\n    whithin: 20m\n"),
        ["rules[0].whithin", "unknown key", "allowed keys:", "within"],
    ),
    "wrong-type-projects": (
        variant("  projects: [OPS]\n", "  projects: OPS\n"),
        [":4:", "select.projects", "'OPS' is not a list", "- item"],
    ),
    "wrong-type-max": (
        variant(
            "    chain_ref: first\n", "    chain_ref: first\n  - rule: limit_daily\n    max: many\n"
        ),
        ["rules[1].max", "'many' is not a whole number"],
    ),
    "impossible-time": (
        variant('start: "09:00"', 'start: "25:00"'),
        [":8:", "business_hours.start", "25:00", "HH:MM"],
    ),
    "end-before-start": (
        variant('end: "17:00"', 'end: "08:00"'),
        [":8:", "business_hours.end", "not after its start 09:00"],
    ),
    "bad-duration": (
        variant("within: 15m", "within: 15 minutes"),
        [":14:", "rules[0].within", "15 minutes"],
    ),
    "chain-cycle": (
        variant(
            "    - {after: 30m, to: [lead]}\n",
            "    - {after: 30m, to: [lead], then: second}\n"
            "  second:\n    - {after: 1h, to: [lead], then: first}\n",
        ),
        ["chains.first", "escalation chain cycle: first -> second -> first"],
    ),
    "unknown-chain": (
        variant("chain_ref: first", "chain_ref: frist"),
        ["rules[0].chain_ref", "unknown chain 'frist'", "known chains: first"],
    ),
    "unknown-rule": (
        variant("rule: ack_overdue", "rule: acknowledge_quickly"),
        [":13:", "unknown rule 'acknowledge_quickly'", "known rules:", "ack_overdue"],
    ),
    "rule-without-rule-key": (
        variant("  - rule: ack_overdue\n", "  - within_rule: ack_overdue\n"),
        ["rules[0]", "needs a rule: key", "known rules:"],
    ),
    "unknown-role": (
        variant("to: [assignee]", "to: [asignee]"),
        [":15:", "rules[0].to[0]", "unknown role 'asignee'", "known roles:", "assignee", "roles:"],
    ),
    "bad-role-source": (
        variant("[email:lead@example.com]", "[phone:555-0100]"),
        [":6:", "roles.lead", "phone:555-0100"],
    ),
    "unknown-timezone": (
        variant("timezone: Europe/Berlin", "timezone: Europe/Atlantis"),
        [":7:", "'Europe/Atlantis' is not a known time zone", "IANA"],
    ),
    "bad-policy-name": (
        variant("name: team-escalations", "name: Team Escalations"),
        [":1:", "name", "not a valid policy name", "lower-case letters", "hyphens"],
    ),
    "missing-select": (
        variant("select:\n  projects: [OPS]\n", ""),
        ["select", "is required"],
    ),
    "no-rules": (
        VALID.split("rules:", maxsplit=1)[0] + "rules: []\n",
        ["rules", "needs at least 1 item(s)"],
    ),
}


def _write(folder: Path, case: str) -> Path:
    path = folder / f"{case}.yaml"
    path.write_text(CORPUS[case][0], encoding="utf-8")
    return path


def test_the_valid_policy_loads(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(VALID, encoding="utf-8")
    (policy,) = load_policies(tmp_path / "ok.yaml")
    assert policy.name == "team-escalations"


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_bad_policy_is_refused_with_file_line_key_and_fix(
    case: str, tmp_path: Path, clear_error: Callable[[str, str], None]
) -> None:
    path = _write(tmp_path, case)
    with pytest.raises(PolicyErrors) as raised:
        load_policies(path)
    message = str(raised.value)
    clear_error(f"policy {case}", message.replace(str(tmp_path) + "/", ""))
    assert message.startswith(str(path)), message
    for fragment in CORPUS[case][1]:
        assert fragment in message, (fragment, message)
    for error in raised.value.errors:
        assert error.line is not None and error.line >= 1, error


@pytest.mark.slow
def test_cli_reports_every_bad_file_at_once_and_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for case in CORPUS:
        _write(rules, case)
    (rules / "good.yaml").write_text(VALID, encoding="utf-8")
    env = {**OFFLINE_ENV, "AGENT_RULES": str(rules)}
    outputs: dict[str, str] = {}
    for command in (["check", "--offline", "--no-color"], ["plan"], ["run", "--once"]):
        result = run_cli(command, env, tmp_path)
        outputs[command[0]] = result.stdout
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        for case in CORPUS:
            assert f"{case}.yaml:" in result.stdout, (command, case)
        assert "good.yaml" not in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
    assert "FAIL  policies" in outputs["check"]
    assert "The policy files are invalid" in outputs["run"]
