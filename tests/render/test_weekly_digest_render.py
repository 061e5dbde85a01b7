"""The weekly digest page and its announcement with hostile project, summary and rule names.

Ticket text (summaries), Jira project keys and severity names reach the page's
tables and the chart's table; each must stay literal text in storage XML (no
element, macro or entity smuggled in) and in Slack mrkdwn (no mention, no link).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from agent.render.environment import Renderer
from agent.render.storage_xml import parse_storage, storage_problem, storage_text
from tests.render.test_templates_injection import HOSTILE
from tests.render.test_templates_scenarios import example_context

PAGE = "confluence/weekly_digest.xml.j2"
SLACK = "slack/weekly_digest.j2"
SHORT_HOSTILE = [h for h in HOSTILE if h.strip() and len(h) < 200]


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _with(hostile: str) -> dict[str, Any]:
    context = dict(example_context(PAGE))
    stats = dict(context["stats"])
    stats["rows"] = [{**stats["rows"][0], "project": hostile, "severity": hostile}]
    stats["breaches"] = [{"rule": hostile, "count": 2}]
    stats["times"] = [{**stats["times"][0], "severity": hostile}]
    stats["series"] = [*stats["series"][:-1], {**stats["series"][-1], "week": hostile}]
    context["stats"] = stats
    context["tickets"] = [{**context["tickets"][0], "summary": hostile, "status": hostile}]
    return context


def _macro_names(body: str) -> list[str]:
    root = parse_storage(body)
    return sorted(
        str(e.get("{http://atlassian.com/content}name"))
        for e in root.iter()
        if isinstance(e.tag, str) and e.tag.endswith("structured-macro")
    )


@pytest.mark.parametrize("hostile", SHORT_HOSTILE, ids=range(len(SHORT_HOSTILE)))
def test_hostile_names_and_summaries_stay_text_on_the_page(
    renderer: Renderer, hostile: str
) -> None:
    clean = renderer.render(PAGE, _with("plain"))
    page = renderer.render(PAGE, _with(hostile))
    assert storage_problem(page) is None
    assert _macro_names(page) == _macro_names(clean)  # info, the jira macros, the chart
    visible = " ".join(storage_text(page).split())
    shown = " ".join(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", hostile).split())
    assert shown[:100] in visible


def test_the_chart_wraps_exactly_the_series_table(renderer: Renderer) -> None:
    page = renderer.render(PAGE, example_context(PAGE))
    root = parse_storage(page)
    ac = "{http://atlassian.com/content}"
    (chart,) = [e for e in root.iter(f"{ac}structured-macro") if e.get(f"{ac}name") == "chart"]
    params = {p.get(f"{ac}name"): p.text for p in chart.iter(f"{ac}parameter")}
    assert params["type"] == "bar" and params["title"].startswith("Escalations per week")
    (body,) = chart.iter(f"{ac}rich-text-body")
    rows = body.findall(".//tr")
    assert len(rows) == 1 + 12
    assert [c.text for c in rows[0].iter("p")] == ["Week", "Opened", "Closed", "SLA breaches"]


def test_the_announcement_keeps_a_hostile_title_inert(renderer: Renderer) -> None:
    context = dict(example_context(SLACK))
    context["page"] = {**context["page"], "title": "<!channel> <https://evil.example|x> *t*"}
    text = renderer.render(SLACK, context)
    assert "<!channel>" not in text and "<https://evil.example" not in text
    assert "in Confluence space" in text.splitlines()[1]
