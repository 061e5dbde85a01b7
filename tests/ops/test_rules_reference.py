"""docs/rules.md is generated from the policy schema and must match what the code produces."""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from agent.adapters.slack_port import event_type_for
from agent.core.rules.catalogue import CATALOGUE
from agent.policy.rule_models import RULE_NAMES, RuleBase
from agent.policy.schema import Policy
from agent.policy.types import Duration, NotifyTarget, RoleList
from agent.reference import COMMAND, render_reference
from agent.reference.introspect import describe_field, render_type
from agent.reference.render import family_of, rule_models

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "rules.md"


def section(text: str, rule: str) -> str:
    """The text of one rule's section, up to the next heading of its level or above."""
    match = re.search(rf"^#### `{rule}`\n(.*?)(?=^#{{1,4}} )", text, flags=re.M | re.S)
    assert match, f"no section for {rule}"
    return match.group(1)


def test_docs_rules_md_is_up_to_date() -> None:
    expected = render_reference()
    actual = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
    if actual != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    actual.splitlines(keepends=True),
                    expected.splitlines(keepends=True),
                    "docs/rules.md",
                    "generated",
                )
            )[:40]
        )
        raise AssertionError(
            f"docs/rules.md is out of date; regenerate it with:\n  {COMMAND}\n{diff}"
        )


def test_output_is_deterministic_and_names_its_command() -> None:
    first, second = render_reference(), render_reference()
    assert first == second
    assert COMMAND in first
    assert COMMAND == "python -m agent.reference > docs/rules.md"


def test_every_rule_is_described_with_all_its_parameters() -> None:
    text = render_reference()
    families = {family.key for family in CATALOGUE.families()}
    assert set(rule_models()) == set(RULE_NAMES)
    for rule in RULE_NAMES:
        described = CATALOGUE.get(rule).description
        assert described, f"describe {rule} where its RuleKind is declared"
        assert family_of(rule) in families
        body = section(text, rule)
        assert described in " ".join(body.split())
        own = set(rule_models()[rule].model_fields) - set(RuleBase.model_fields)
        own -= {"rule", "repeat", "chain", "chain_ref", "warn_before"}
        for param in own:
            assert re.search(rf"^\| `{param}` \|", body, flags=re.M), f"{rule}.{param}"
        if not own:
            assert "No parameters of its own." in body


def test_every_top_level_key_and_common_parameter_is_listed() -> None:
    text = render_reference()
    policy_table = text.split("## The policy file", 1)[1].split("### ", 1)[0]
    for key in Policy.model_fields:
        assert re.search(rf"^\| `{key}` \|", policy_table, flags=re.M), key
    common = text.split("## Parameters every rule takes", 1)[1].split("## Rules", 1)[0]
    common_keys = ("name", "to", "notify", "severities", "urgent", "template", "repeat", "chain")
    for key in (*common_keys, "warn_before"):
        assert re.search(rf"^\| `{key}` \|", common, flags=re.M), key
    # no parameter row is left without a meaning
    assert not re.search(r"^\| `[a-z_]+` \|.*\| — \|$", text, flags=re.M)


def test_parameters_show_types_defaults_and_allowed_values() -> None:
    text = render_reference()
    update = section(text, "update_overdue")
    assert "| `clock` | text | `wall` | `wall`, `business` |" in update
    assert "| `every` | duration | unset |" in update
    assert "| `at` | list of time | `[]` |" in update
    limit = section(text, "limit_daily")
    assert "| `max` | integer | **required** | ≥ 1 |" in limit
    assert "| `hold_label` | text | `escalation-held` |" in limit
    assert "| `fields` | list of text | **required** | at least 1 |" in section(
        text, "intake_missing_fields"
    )
    assert "`{start: 09:00, end: 17:00, weekdays: [mon, tue, wed, thu, fri]}`" in text
    assert "| `pattern` | regex | `'(?i)\\bnext update\\b'` |" in section(
        text, "update_next_missing"
    )


def test_pack_usage_comes_from_the_rules_folder(tmp_path: Path) -> None:
    shutil.copy(ROOT / "rules" / "support-p1-p4.yaml", tmp_path / "only.yaml")
    text = render_reference(tmp_path)
    assert "Used by: `only.yaml`." in section(text, "ack_overdue")
    assert "Used by: no shipped pack." in section(text, "limit_daily")
    shipped = render_reference()
    assert "Used by: `ds-ticket-escalation.yaml`." in section(shipped, "limit_daily")
    assert "`client-communication.yaml`, `incident-critical.yaml`, `support-p1-p4.yaml`" in (
        section(shipped, "update_overdue")
    )


def test_slack_metadata_event_types_are_listed_for_every_rule() -> None:
    text = render_reference()
    metadata = text.split("## Slack message metadata", 1)[1]
    assert '"event_payload": {"issue"' in metadata
    for key in ('"rule"', '"key"'):
        assert key in metadata
    for rule in RULE_NAMES:
        assert f"| `{rule}` | `{event_type_for(rule)}` |" in metadata
    assert event_type_for("ack_overdue") == "escalation_agent_ack_overdue"


def test_field_descriptions_in_the_schema_win_over_the_fallback_text() -> None:
    class Demo(BaseModel):
        within: Duration = Field(description="Told by the schema.")
        notify: list[NotifyTarget] = []
        mode: Literal["a", "b"] = "a"
        people: RoleList = []
        wait: timedelta = timedelta(minutes=90)

    fields = Demo.model_fields
    within = describe_field(Demo, "within", fields["within"])
    assert (within.type, within.default, within.description) == (
        "duration",
        "**required**",
        "Told by the schema.",
    )
    assert render_type(fields["notify"].annotation) == ("list of notify target", "")
    assert render_type(fields["mode"].annotation) == ("text", "`a`, `b`")
    assert render_type(fields["people"].annotation)[0] == "list of role source"
    assert describe_field(Demo, "wait", fields["wait"]).default == "`1h30m`"


def test_the_module_command_prints_the_reference_and_fails_clearly(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent.reference"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == render_reference()
    (tmp_path / "bad.yaml").write_text("name: Bad Name\n", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "agent.reference", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert failed.returncode == 2
    assert "do not load" in failed.stderr
    assert "bad.yaml" in failed.stderr
    assert failed.stdout == ""
