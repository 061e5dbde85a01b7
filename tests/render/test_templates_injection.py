"""Hostile ticket text in every text field of every built-in template's context.

Confluence pages must stay well-formed and show the text as text (no new elements
or macros); Slack messages must mention nobody but the ids the agent put in
``mentions`` and link nowhere but the ticket; Jira comments must add no markup
at all (no mentions, links, macros, effects, headings). Template syntax in the
data stays data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from agent.core.templates import all_templates
from agent.render.environment import Renderer
from agent.render.storage_xml import parse_storage, storage_problem, storage_text
from tests.render.test_templates_scenarios import example_context

LONG_COMMENT = ("All hands: the payment gateway is failing again. " * 1100)[:50_000]
HOSTILE = [
    "<b>bold</b> & <i>italic</i>",
    "a & b < c > d",
    "AT&T &amp; &nbsp; &#x3c;script&#x3e; &lt;",
    "]]><script>alert(1)</script>",
    "<![CDATA[ raw ]]>",
    '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<script>x</script>]]>'
    "</ac:plain-text-body></ac:structured-macro>",
    '<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">DS-999</ac:parameter>'
    "</ac:structured-macro>",
    '<ri:user ri:account-id="557058:admin" />',
    '"><img src=x onerror=alert(1)>',
    "<!DOCTYPE foo [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>&xxe;",
    "<?xml version='1.0'?><p>hi</p>",
    "<!-- comment --> -->",
    "<!channel> deploy now",
    "<!here> <!everyone> <!subteam^S123|@oncall>",
    "<@U123ABC> please look",
    "<#C0123|general> and <https://evil.example|click me>",
    "*bold* _italic_ ~strike~ `code` ```block```",
    "[~admin] [~accountid:557058:abc-def] please",
    "[click|https://evil.example] [^attachment.png]",
    "{code}rm -rf /{code} {noformat}x{noformat} {color:red}red{color}",
    "{panel:title=x}p{panel} {quote}q{quote} {html}<b>x</b>{html}",
    "!https://evil.example/tracker.png! !image.png|thumbnail!",
    "h1. Big heading\nbq. quoted\n# numbered\n* bullet\n----",
    "||head||cell||\n|a|b|",
    "line one\\\\line two \\ backslash \\* escaped",
    "{{ 7*7 }} {{ config }} {{ ''.__class__.__mro__ }}",
    "{% raw %}{{ not rendered }}{% endraw %} {% for x in y %}loop{% endfor %}",
    "{# a jinja comment #} ${7*7} #{7*7}",
    "emoji 🚨🔥👩🏽‍💻 and flags 🇺🇦🇲🇹",
    "RTL: שלום עולם مرحبا بالعالم \u202eevil\u202c",
    "zero\u200bwidth\ufeffjoiners \u2028line\u2029para",
    "control \x00\x01\x07\x08\x0b\x0c\x1b[31m\x7f chars",
    "tab\tcarriage\rreturn\r\nnewline",
    "astral plane \U0001f600 \U0001d11e",
    "   ",
    "",
    LONG_COMMENT,
]
# Keys the agent (not people) controls: the ticket's and a follow-up's URL, the Slack ids
# to mention and the ids of the archived channels a successor names.
AGENT_KEYS = frozenset({"url", "followup_url", "mentions", "replaced"})
JIRA_SPECIAL = re.compile(r"(?<!\\)[*_\-+^~{}\[\]|!#?]")
# Where Jira gives these no meaning: a hyphen between letters or digits (``INC-6``), a
# ``#`` that does not start a line (lists number only there). Left unescaped, by design.
JIRA_INERT = re.compile(r"(?<=[^\W_])-(?=[^\W_])|(?<=\S)([^\S\n]*)#", re.MULTILINE)
SLACK_ANGLE = re.compile(r"<([^<>]*)>")


def poison(value: Any, hostile: str, key: str = "") -> Any:
    """Every string in the context (nested too) replaced by ``hostile``; agent keys kept."""
    if key in AGENT_KEYS:
        return value
    if isinstance(value, str):
        return hostile
    if isinstance(value, Mapping):
        return {k: poison(v, hostile, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [poison(v, hostile) for v in value]
    return value


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _elements(body: str) -> Counter[tuple[str, str | None]]:
    root = parse_storage(body)
    names = Counter[tuple[str, str | None]]()
    for element in root.iter():
        if isinstance(element.tag, str):
            names[(element.tag, element.get("{http://atlassian.com/content}name"))] += 1
    return names


def _macros(elements: Counter[tuple[str, str | None]]) -> Counter[tuple[str, str | None]]:
    return Counter({k: n for k, n in elements.items() if k[0].startswith("{http://atlassian")})


def _jira_markup(text: str) -> Counter[str]:
    """Unescaped wiki markup characters (``&#92;`` is how the escaper writes a backslash)."""
    return Counter(JIRA_SPECIAL.findall(JIRA_INERT.sub(" ", text.replace("&#92;", ""))))


def test_the_corpus_is_big_enough() -> None:
    assert len(HOSTILE) >= 30
    assert len(LONG_COMMENT) == 50_000


@pytest.mark.parametrize("name", sorted(n for n in all_templates() if n.startswith("confluence/")))
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_confluence_pages_show_hostile_text_as_text(
    renderer: Renderer, name: str, hostile: str
) -> None:
    clean = example_context(name)
    page = renderer.render(name, poison(clean, hostile))
    assert storage_problem(page) is None
    baseline = _elements(renderer.render(name, clean))
    found = _elements(page)
    # No element the template does not make itself (empty values add placeholders) ...
    assert set(found) <= set(baseline) | {("em", None), ("a", None), ("p", None)}
    # ... and exactly the template's own macros: none smuggled in through the text
    # (an empty page title leaves out the link to that page, nothing more).
    if hostile:
        assert _macros(found) == _macros(baseline)
    else:
        assert _macros(found) <= _macros(baseline)
    visible = storage_text(page)
    short = " ".join(re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", hostile).split())
    if short and len(hostile) < 200:
        assert short in visible


@pytest.mark.parametrize("name", sorted(n for n in all_templates() if n.startswith("slack/")))
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_slack_messages_mention_only_the_agents_ids(
    renderer: Renderer, name: str, hostile: str
) -> None:
    clean = example_context(name)
    text = renderer.render(name, poison(clean, hostile))
    wanted = {f"@{sid}" for sid in clean.get("mentions", [])}
    channels = {f"#{cid}" for cid in clean.get("replaced", [])}
    for token in SLACK_ANGLE.findall(text):
        assert token in wanted | channels or token.startswith("https://jira.example/browse/")
    outside = SLACK_ANGLE.sub(lambda m: "" if m.group(1) in channels else m.group(0), text)
    for forbidden in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<#C", "<@U123ABC>"):
        assert forbidden not in outside
    if "{{ 7*7 }}" in hostile:
        assert "{{ 7*7 }}" in text


@pytest.mark.parametrize("name", sorted(n for n in all_templates() if n.startswith("jira/")))
@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_jira_comments_add_no_markup(renderer: Renderer, name: str, hostile: str) -> None:
    clean = example_context(name)
    text = renderer.render(name, poison(clean, hostile))
    assert "[~" not in text
    assert not re.search(r"(?<!\\)\{(code|noformat|color|panel|quote|html)", text)
    # Every unescaped markup character comes from the template, not from the data.
    assert not _jira_markup(text) - _jira_markup(renderer.render(name, clean))
    assert not re.search(r"^\s*(h[1-6]|bq)\.", text, re.MULTILINE)


@pytest.mark.parametrize("name", sorted(all_templates()))
def test_a_50k_comment_is_cut_with_a_link_to_the_ticket(renderer: Renderer, name: str) -> None:
    clean = dict(example_context(name))
    for key in ("summary", "reason", "description"):
        if key in clean:
            clean[key] = LONG_COMMENT
    for key in ("timeline", "updates"):
        if key in clean:
            clean[key] = [{**entry, "text": LONG_COMMENT} for entry in clean[key]]
    text = renderer.render(name, clean)
    assert len(text) < 12_000, len(text)
    if clean.get("timeline") and "incident_log_row" not in name:  # a log row shows no comments
        assert "Cut here: the full text is on" in text
        assert f'<a href="{clean["url"]}">' in text
