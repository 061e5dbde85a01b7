"""Templates: escaping per destination, strict undefined, overrides, error locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.render.environment import Renderer, TemplateRenderError
from agent.render.escaping import escape_jira_wiki, escape_mrkdwn, slack_mention
from agent.render.storage_xml import storage_problem

HOSTILE = [
    "<!channel> deploy now",
    "<@U123ABC> please",
    "a & b < c > d",
    "]]><script>alert(1)</script>",
    '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[x]]>'
    "</ac:plain-text-body></ac:structured-macro>",
    "[~accountid:557058:abc] {color:red}*bold*{color}",
    "RTL: שלום עולם مرحبا",
    "emoji 🚨🔥 and control \x00\x07 chars",
]


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    write(tmp_path, "confluence/page.xml.j2", "<p>{{ summary }}</p><p>{{ body }}</p>")
    write(tmp_path, "slack/msg.j2", "{{ who }}: {{ summary }}")
    write(tmp_path, "jira/comment.j2", "Please update: {{ summary }}")
    return tmp_path


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_literal_in_storage_xml(templates: Path, hostile: str) -> None:
    page = Renderer(templates).render(
        "confluence/page.xml.j2", {"summary": hostile, "body": hostile}
    )
    assert storage_problem(page) is None
    assert "<ac:structured-macro" not in page
    assert "<script>" not in page


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_cannot_mention_in_slack(templates: Path, hostile: str) -> None:
    text = Renderer(templates).render(
        "slack/msg.j2", {"who": slack_mention("U0AGENT1"), "summary": hostile}
    )
    assert text.startswith("<@U0AGENT1>: ")
    rest = text.removeprefix("<@U0AGENT1>: ")
    assert "<" not in rest
    assert ">" not in rest


def test_jira_comment_text_cannot_format_or_mention(templates: Path) -> None:
    text = Renderer(templates).render("jira/comment.j2", {"summary": "[~admin] *now*"})
    assert text == r"Please update: \[\~admin\] \*now\*"


def test_undefined_names_fail_with_template_and_line(tmp_path: Path) -> None:
    write(tmp_path, "slack/bad.j2", "line one\nline two {{ missing_name }}\n")
    with pytest.raises(TemplateRenderError) as caught:
        Renderer(tmp_path).render("slack/bad.j2", {})
    assert "slack/bad.j2:2" in str(caught.value)
    assert "missing_name" in str(caught.value)


def test_syntax_errors_are_reported_by_validate(tmp_path: Path) -> None:
    write(tmp_path, "confluence/broken.xml.j2", "<p>\n{% if %}</p>")
    problems = Renderer(tmp_path).validate()
    assert [(p.name, p.message.split(":")[0]) for p in problems] == [
        ("confluence/broken.xml.j2", "line 2")
    ]


def test_malformed_storage_output_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "confluence/unclosed.xml.j2", "<p>{{ x }}")
    with pytest.raises(TemplateRenderError, match="malformed storage XML"):
        Renderer(tmp_path).render("confluence/unclosed.xml.j2", {"x": "y"})


def test_override_folder_wins_by_name(tmp_path: Path) -> None:
    base, override = tmp_path / "base", tmp_path / "override"
    write(override, "slack/msg.j2", "override {{ who }}")
    renderer = Renderer(override)
    assert renderer.render("slack/msg.j2", {"who": "x"}) == "override x"
    assert "slack/msg.j2" in renderer.names()
    assert not base.exists()


def test_sandbox_blocks_unsafe_attribute_access(tmp_path: Path) -> None:
    write(tmp_path, "slack/evil.j2", "{{ x.__class__.__mro__ }}")
    with pytest.raises(TemplateRenderError, match="unsafe"):
        Renderer(tmp_path).render("slack/evil.j2", {"x": "s"})


def test_escapers_directly() -> None:
    assert escape_mrkdwn("<!here> & <b>") == "&lt;!here&gt; &amp; &lt;b&gt;"
    assert escape_jira_wiki("a -b-") == r"a \-b\-"  # would strike through
    # a hyphen between letters or digits, and # mid-line, mean nothing: left alone
    assert escape_jira_wiki("INC-6 from 2026-12-04 in #ds-6") == "INC-6 from 2026-12-04 in #ds-6"
    assert escape_jira_wiki("- item\n# step\nnot -- a dash") == (
        "\\- item\n\\# step\nnot \\-\\- a dash"
    )
    # a value that starts a line may be a channel name: no list without the space
    assert escape_jira_wiki("#operator-support") == "#operator-support"
    assert escape_jira_wiki("#\n## two") == "\\#\n\\## two"  # once is enough: not a list
    with pytest.raises(ValueError, match="not a Slack user id"):
        slack_mention("<!channel>")


def test_control_characters_are_dropped_from_joined_safe_text(tmp_path: Path) -> None:
    write(tmp_path, "confluence/joined.xml.j2", "<p>{{ a ~ b }}</p><p>{{ items | join(', ') }}</p>")
    page = Renderer(tmp_path).render(
        "confluence/joined.xml.j2", {"a": "x\x00", "b": "<y\x07>", "items": ["p\x0b", "q"]}
    )
    assert storage_problem(page) is None
    assert page.strip() == "<p>x&lt;y&gt;</p><p>p, q</p>"


def test_local_filter_reads_iso_text_in_the_policy_zone(tmp_path: Path) -> None:
    write(tmp_path, "slack/when.j2", "{{ at | local('Europe/Kyiv', '%H:%M') }}")
    text = Renderer(tmp_path).render("slack/when.j2", {"at": "2026-11-22T10:00:00+00:00"})
    assert text == "12:00"
