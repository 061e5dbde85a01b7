"""Everything a person reads after the demo's day, scanned: Slack messages, channel topics
and purposes, the agent's Jira comments and Confluence pages.

The day runs in process on the demo organisation, with hostile summaries planted on the
tickets that get escalation channels: a summary holding ``<!channel>``, ``<!here>`` or a
``<@U...>`` mention must reach nobody as a live mention, anywhere.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from agent.demo.output import DemoOutput
from agent.demo.runner import run_day
from agent.demo.script import START, day_script, ticks
from agent.demo.world import DemoSite, start_site
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import documents as jira
from agent.sandbox.slack import workspace as slack

pytestmark = pytest.mark.slow

HOSTILE = " <!channel> <!here> <@U0POISON1> <!subteam^S0POISON|@all>"
POISONED = ("INC-5", "SUP-3", "SUP-4", "DS-2", "DS-3", "CLI-6")
LIVE = re.compile(r"<!channel>|<!here>|<!everyone>|<@U0POISON1>|<!subteam\^S0POISON")
# A time as machines write it: ``2026-12-04T17:40Z``, or a date and time with no zone named.
RAW_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?!:|\d| [A-Z]{2,5}\b| \w+/\w+)"
)
ESCAPED_HYPHEN = re.compile(r"[A-Za-z0-9]\\-[A-Za-z0-9]")
PYTHON_LEAKS = re.compile(r"\bNone\b|\{\{|\}\}|\bTrue\b|\bFalse\b")


@dataclass
class Day:
    """What the agent wrote during the day, as the sandbox holds it."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)  # topics and purposes
    comments: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)  # title -> storage body
    named: set[str] = field(default_factory=set)  # addresses of Jira users with a name


def _poison(site: DemoSite) -> None:
    for key in POISONED:
        doc = jira.require_issue(site.ctx, key)
        doc["fields"]["summary"] = str(doc["fields"]["summary"]) + HOSTILE
        jira.save_issue(site.ctx, doc)


def _collect(site: DemoSite) -> Day:
    ctx, day = site.ctx, Day()
    day.named = {
        str(user["emailAddress"]).lower()
        for user in ctx.users.all()
        if user.get("emailAddress") and str(user.get("displayName") or "").strip()
    }
    bot = slack.bot_slack_id(ctx)
    since = START.timestamp()
    for channel in slack.all_channels(ctx):
        for part in ("topic", "purpose"):
            value = (channel.get(part) or {}).get("value")
            if value:
                day.descriptions.append(str(value))
        day.messages += [
            m
            for m in slack.stored_messages(ctx, str(channel["id"]))
            # the agent's own posts of the day: no join or topic notices, no seeded history
            if m.get("user") == bot and not m.get("subtype") and float(m["ts"]) >= since
        ]
    for issue in jira.all_issues(ctx):
        day.comments += [
            str(c["body"])
            for c in issue.get("comments", [])
            if "escalation-agent" in (c.get("properties") or {})
        ]
    for page in confluence.pages(ctx):
        if "escalation-agent" in str(page.get("properties") or {}):
            day.pages[str(page["title"])] = confluence.page_body(ctx, page["id"])
    return day


@pytest.fixture(scope="module")
def day() -> Iterator[Day]:
    with tempfile.TemporaryDirectory(prefix="messages-day-") as folder:
        site = start_site(Path(folder), START)
        try:
            _poison(site)
            moments = list(ticks())
            console = Console(file=open(Path(folder) / "out.txt", "w"), no_color=True)  # noqa: SIM115
            with DemoOutput(console, len(moments)) as out:
                run_day(site, day_script(), moments, out)
            yield _collect(site)
        finally:
            site.close()


def _message_texts(message: dict[str, Any]) -> list[str]:
    texts = [str(message.get("text", ""))]
    for block in message.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            texts.append(str(block["text"].get("text", "")))
        texts += [str(item.get("text", "")) for item in block.get("fields", [])]
        texts += [str(item.get("text", "")) for item in block.get("elements", [])]
    return texts


def test_the_day_wrote_enough_to_judge(day: Day) -> None:
    assert len(day.messages) >= 50
    assert len(day.descriptions) >= 10
    assert len(day.comments) >= 20
    assert len(day.pages) >= 3


def test_every_message_is_block_kit_with_a_fallback_and_a_context_line(day: Day) -> None:
    for message in day.messages:
        blocks = message.get("blocks") or []
        assert blocks and str(message.get("text", "")).strip(), message
        assert blocks[0]["type"] == "section", message
        assert blocks[-1]["type"] == "context", message
        assert len(blocks) <= 50


def test_no_ticket_text_mentions_anyone_anywhere(day: Day) -> None:
    planted = [d for d in day.descriptions if "POISON" in d]
    assert planted, "the hostile summaries reached no topic: the test would prove nothing"
    for text in day.descriptions:
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"(?<!\w)@(channel|here|everyone)\b", text), text
    for message in day.messages:
        for text in _message_texts(message):
            assert not LIVE.search(text), text
    for comment in day.comments:
        assert not LIVE.search(comment), comment


def test_nothing_a_person_reads_holds_a_raw_iso_time_or_python(day: Day) -> None:
    for message in day.messages:
        for text in _message_texts(message):
            visible = re.sub(r"<!date\^\d+\^[^|>]*\|", "<!date|", text)
            assert not RAW_ISO.search(visible), text
            assert not PYTHON_LEAKS.search(visible), text
    for comment in day.comments:
        assert not RAW_ISO.search(comment), comment
        assert not PYTHON_LEAKS.search(comment), comment
    for title, body in day.pages.items():
        text = re.sub(r"<[^>]+>", " ", body)
        assert not RAW_ISO.search(text), (title, RAW_ISO.search(text))
        assert not PYTHON_LEAKS.search(text), (title, PYTHON_LEAKS.search(text))


def test_people_are_named_never_addressed_when_jira_knows_their_name(day: Day) -> None:
    """Everyone the demo's policies name by ``email:`` has a Jira name: no message or
    comment shows their address, except the operator's note that someone has no Slack."""
    assert day.named
    texts = [t for m in day.messages for t in _message_texts(m)] + day.comments
    for text in texts:
        if "has no Slack account under" in text:
            continue
        shown = {a.lower() for a in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)}
        assert not shown & day.named, text


def test_jira_comments_escape_no_hyphen_between_letters_or_digits(day: Day) -> None:
    for comment in day.comments:
        assert not ESCAPED_HYPHEN.search(comment), comment


def test_slack_times_are_date_tokens_with_a_named_zone_fallback(day: Day) -> None:
    tokens = [
        token
        for message in day.messages
        for token in re.findall(r"<!date\^\d+\^[^|>]+\|([^>]+)>", str(message.get("text")))
    ]
    assert tokens
    for fallback in tokens:
        assert re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} [A-Za-z/_]+", fallback)
