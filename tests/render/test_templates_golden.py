"""Golden files: every built-in template rendered with a context the real planner built.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/render`` and
review the diff of ``tests/render/golden/`` like code.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agent.core.templates import all_templates
from agent.render.environment import Renderer
from agent.render.storage_xml import storage_problem
from tests.render.test_templates_scenarios import (
    example_context,
    planned_actions,
    with_executor_keys,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SLACK_ANGLE = re.compile(r"<([^<>]*)>")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("name", sorted(all_templates()))
def test_template_matches_its_golden_file(renderer: Renderer, name: str) -> None:
    text = renderer.render(name, example_context(name))
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file for {name}: run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
    if name.startswith("confluence/"):
        assert storage_problem(text) is None


def test_golden_folder_has_no_stale_files() -> None:
    files = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*.txt")}
    assert files == {f"{name}.txt" for name in all_templates()}


def test_every_planned_context_renders(renderer: Renderer) -> None:
    """Not just the golden example: every action of every scenario renders, pages parse."""
    rendered = 0
    for action in planned_actions():
        assert action.template is not None
        text = renderer.render(action.template, with_executor_keys(action))
        assert text.strip(), action.key
        if action.template.startswith("confluence/"):
            assert storage_problem(text) is None, action.key
        rendered += 1
    assert rendered >= 100


def test_slack_messages_mention_exactly_the_audience_ids(renderer: Renderer) -> None:
    for action in planned_actions():
        if not (action.template or "").startswith("slack/"):
            continue
        data = with_executor_keys(action)
        text = renderer.render(action.template or "", data)
        mentioned = [m[1:] for m in SLACK_ANGLE.findall(text) if m.startswith("@")]
        assert mentioned == data["mentions"], action.key
        links = [m for m in SLACK_ANGLE.findall(text) if not m.startswith(("@", "!date^"))]
        assert all(link.startswith("https://jira.example/browse/") for link in links), action.key
