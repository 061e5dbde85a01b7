"""The rule catalogue: one declaration per kind, asked by everything that treats rules apart.

A toy kind declared in one module (``tests/unit/toy_rule.py``) is planned, shown
by ``status`` and documented once it is in the catalogue; and no module outside
the catalogue spells a rule identifier.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from agent.core.planner import plan
from agent.core.rules.catalogue import CATALOGUE, UnknownRule
from agent.core.state import EngineState
from agent.core.templates import all_templates
from agent.policy import Policy
from agent.policy.rule_models import RULE_NAMES
from agent.reference import render_reference
from agent.resources import bundled_templates_dir
from agent.runtime.cycle import save_state
from agent.runtime.read.reader import SNAPSHOT_NAMESPACE
from agent.runtime.read.snapshots import ticket_to_json
from agent.runtime.status import build_status
from agent.store.memory import MemoryStateStore
from tests.unit import toy_rule
from tests.unit.factories import comment, policy, ticket, utc

ROOT = Path(__file__).resolve().parents[2]
MONDAY = utc(2026, 3, 2, 10, 0)
TOY_POLICY = """
rules:
  - rule: clerical_label
    label: escalation
"""
# Where rule identifiers may be spelled out: the modules that declare the kinds
# (their models, and each family's handlers with its RuleKinds), and the sandbox's
# demo seed, which writes marks as an earlier agent would have on a real site.
CATALOGUE_MODULES = {"agent/policy/rule_models.py"} | {
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "agent" / "core" / "rules").glob("*.py")
    if "\nKINDS: " in path.read_text(encoding="utf-8")
}
SEEDS = "agent/sandbox/demo/"
# The same word meaning something else: the kv namespace of follow-ups as last read,
# and the follow-ups listed in ``status --json``.
SAME_WORD = {("followup_read.py", "followups"), ("status.py", "followups")}


def toy_policy() -> Policy:
    base = policy(TOY_POLICY)
    ping = toy_rule.ToyPing(rule="toy_ping", within=timedelta(minutes=30))
    return base.model_copy(update={"rules": [*base.rules, ping]})


def test_every_model_has_its_kind_and_every_kind_a_family() -> None:
    assert CATALOGUE.names == RULE_NAMES
    for kind in CATALOGUE:
        assert kind.description and kind.words, kind.name
        assert kind.family in CATALOGUE.families()
    with pytest.raises(UnknownRule, match="toy_ping"):
        CATALOGUE.get("toy_ping")


def test_a_toy_kind_is_planned_once_it_is_in_the_catalogue() -> None:
    t = ticket(created=MONDAY)
    late = MONDAY + timedelta(hours=1)
    with CATALOGUE.extended(toy_rule.KIND):
        result = plan([t], EngineState(), late, [toy_policy()])
        pong = [a for a in result.actions if a.rule == "toy_ping"]
        assert [a.key for a in pong] == ["toy_ping:T-1:pong@2026-03-02T10:30Z#jira"]
        assert pong[0].template == "jira/nudge.j2"
        (owed,) = result.obligations
        assert (owed.rule, owed.item, owed.overdue) == ("toy_ping", "pong", True)
        answered = replace(t, comments=(comment(None, late, "pong"),))
        assert plan([answered], result.state, late, [toy_policy()]).obligations == ()
    with pytest.raises(UnknownRule):
        plan([t], EngineState(), late, [toy_policy()])


def test_status_lists_what_a_toy_kind_owes() -> None:
    t = ticket(created=MONDAY)
    store = MemoryStateStore()
    with CATALOGUE.extended(toy_rule.KIND):
        first = plan([t], EngineState(), MONDAY + timedelta(minutes=1), [toy_policy()])
        save_state(store, first.state)
        store.kv_put(SNAPSHOT_NAMESPACE, t.key, ticket_to_json(t))
        report = build_status(store, [toy_policy()], MONDAY + timedelta(minutes=5))
    (row,) = report.escalations
    assert row.next_due is not None
    assert (row.next_due.ident, row.next_due.due) == (
        "toy_ping:pong",
        MONDAY + timedelta(minutes=30),
    )


def test_the_reference_documents_a_toy_kind_in_its_family() -> None:
    with CATALOGUE.extended(toy_rule.KIND):
        text = render_reference()
    assert "### Toys" in text and "#### `toy_ping`" in text
    section = text.split("#### `toy_ping`", 1)[1]
    assert "A ticket gets a pong within `within`" in section
    assert "| `within` | duration | **required** |" in section
    assert "| `toy_ping` | `escalation_agent_toy_ping` |" in section
    assert "toy_ping" not in render_reference()


def _rule_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in CATALOGUE.names
    ]


def test_rule_identifiers_are_spelled_only_in_the_catalogue() -> None:
    found = []
    for path in sorted((ROOT / "agent").rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where in CATALOGUE_MODULES or where.startswith(SEEDS):
            continue
        found += [
            f"{where}:{line}: {value!r}"
            for line, value in _rule_literals(path)
            if (path.name, value) not in SAME_WORD
        ]
    assert not found, "ask agent.core.rules.catalogue instead of naming rules:\n" + "\n".join(found)


def test_every_template_file_is_one_a_rule_kind_the_engine_or_a_pack_names() -> None:
    """No built-in template is stale or missing: the catalogue (with the engine's own and
    the packs' overrides) names exactly the files in ``templates/`` (partials aside)."""
    folder = bundled_templates_dir()
    files = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.j2")
        if not path.name.startswith("_")
    }
    assert files == set(all_templates())
