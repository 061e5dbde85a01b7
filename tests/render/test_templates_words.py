"""What every built-in template says reads as plain English, with full data and with none.

Each template is rendered twice: with the realistic context the planner built for it
(``example_context``), and with every optional value missing: each key the template can
do without left out, and each other key set to nothing (``None``, an empty list or
mapping) as the core does for a ticket with no assignee, severity or reporter; even keys
the core always sets are emptied, so a leak shows whichever value it comes from. Neither
may show a reader Python (``None``, ``True``), template syntax (``{{``), a moment as
machines write it (``2026-12-04T17:40Z``, or a bare ``2026-03-06``) or a doubled word
("the the").
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from agent.core.templates import all_templates
from agent.render.environment import Renderer, TemplateRenderError
from tests.render.test_templates_scenarios import example_context

PYTHON = re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\{\{|\}\}|\{%|%\}|\{#|#\}")
# ``2026-12-04T17:40Z``; a date and time without a zone named; a bare ISO date. A time
# with its zone named (``2026-03-02 10:00 EET``, the pages' table cells) reads fine.
RAW_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"
    r"|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?! ?[A-Z]{2,5}\b| \w+/\w+)"
    r"|\b\d{4}-\d{2}-\d{2}\b(?! \d{2}:\d{2})"
)
DOUBLED = re.compile(r"\b([A-Za-z]{2,})[ \t]+\1\b", re.IGNORECASE)
SLACK_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
SLACK_LINK = re.compile(r"<[^<>|]+\|([^<>]*)>")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def visible(name: str, text: str) -> str:
    """What a reader sees: Slack date tokens and links as their labels, page text without
    its markup (each element on its own line, so table cells do not run together)."""
    if name.startswith("slack/"):
        return SLACK_LINK.sub(r"\1", SLACK_DATE.sub(r"\1", text))
    if name.startswith("confluence/"):
        return html.unescape(re.sub(r"<[^>]+>", "\n", text))
    return text


def problems(name: str, text: str) -> list[str]:
    seen = visible(name, text)
    found = [f"Python or template syntax: {m.group(0)!r}" for m in PYTHON.finditer(seen)]
    found += [f"raw ISO moment: {m.group(0)!r}" for m in RAW_ISO.finditer(seen)]
    found += [f"doubled word: {m.group(0)!r}" for m in DOUBLED.finditer(seen)]
    return found


def _renders(renderer: Renderer, name: str, context: Mapping[str, Any]) -> bool:
    try:
        renderer.render(name, context)
    except (TemplateRenderError, TypeError, ValueError, AttributeError):
        return False
    return True


def _nothing(value: Any) -> Any:
    """The empty form of a value, as the core writes it for a fact nobody recorded."""
    if isinstance(value, Mapping):
        return {}
    if isinstance(value, list | tuple):
        return []
    return None


@cache
def bare_context(name: str) -> dict[str, Any]:
    """The example context with every optional value missing: keys the template can
    render without are dropped, the rest emptied where the template still renders."""
    renderer = Renderer()
    context = dict(example_context(name))
    for key in sorted(context):
        smaller = {k: v for k, v in context.items() if k != key}
        if _renders(renderer, name, smaller):
            context = smaller
    for key in sorted(context):
        emptied = {**context, key: _nothing(context[key])}
        if emptied[key] != context[key] and _renders(renderer, name, emptied):
            context = emptied
    return context


@pytest.mark.parametrize("name", sorted(all_templates()))
def test_template_reads_well_with_real_data(renderer: Renderer, name: str) -> None:
    text = renderer.render(name, example_context(name))
    assert text.strip()
    assert problems(name, text) == [], text


@pytest.mark.parametrize("name", sorted(all_templates()))
def test_template_reads_well_with_every_optional_value_missing(
    renderer: Renderer, name: str
) -> None:
    context = bare_context(name)
    assert len(context) < len(example_context(name)) or any(
        value in (None, [], {}) for value in context.values()
    ), f"{name}: nothing was optional, the test would prove nothing"
    text = renderer.render(name, context)
    assert text.strip()
    assert problems(name, text) == [], (sorted(context), text)


def test_the_checks_catch_what_they_are_for() -> None:
    """Each check fires on the mistake it names, and not on text that reads fine."""
    assert problems("jira/x.j2", "OPS-1 is a None incident")
    assert problems("jira/x.j2", "last {{ update }}")
    assert problems("slack/x.j2", "last 2026-12-04T17:40Z")
    assert problems("jira/x.j2", "Follow-up due 2026-03-06.")
    assert problems("jira/x.j2", "includes the the always include")
    assert problems("confluence/x.j2", "<p>at 2026-03-02 10:00</p>")
    fine = (
        "Due <!date^1772446500^{date_short_pretty} {time}|Mon 2 Mar 2026, 11:15 CET> — see "
        "<https://jira.example/browse/SUP-12|SUP-12> in week 2026-W10"
    )
    assert problems("slack/x.j2", fine) == []
    page = "<td><p>2026-03-02 10:00 EET</p></td><td><p>unknown</p></td><td><p>unknown</p></td>"
    assert problems("confluence/x.j2", page) == []
