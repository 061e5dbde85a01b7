"""Block Kit messages and channel topics that always fit Slack's limits.

Slack rejects a whole message for one over-long block (``invalid_blocks``) or
text (``msg_too_long``), so everything is cut here first: at most 50 blocks,
3000 characters per section text, 2000 per field, 150 per header, 40,000 of
text in all; content cut short ends with a link to the full text. Every
message also gets a plain ``text`` fallback (notifications, screen readers).

Ticket text is untrusted: plain ``str`` values are escaped with
:func:`~agent.render.escaping.escape_mrkdwn` so ``<!channel>`` or ``<@U123>``
in a summary pings nobody; only :class:`~agent.render.escaping.Mrkdwn` values
(built by the agent, e.g. with ``slack_mention``) pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agent.render.escaping import Mrkdwn, escape_mrkdwn, plain_slack_text, slack_link

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS_PER_SECTION = 10
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40_000
MAX_TOPIC = 250
FALLBACK_TEXT_CHARS = 300
ELLIPSIS = "…"
WORD_SLACK = 20  # characters given up, at most, to end on a whole word
_OPEN_ENTITY = re.compile(r"&[A-Za-z#0-9]{0,8}$")

Block = dict[str, Any]


@dataclass(frozen=True)
class SlackMessage:
    """What ``chat.postMessage`` needs: the plain ``text`` fallback and the ``blocks``."""

    text: str
    blocks: list[Block]


def safe_cut(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, never splitting ``&amp;`` or a ``<...>`` link.

    Prefers a line or word boundary in the last fifth (or last 20 characters) of it.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(limit, 0)]
    opened = cut.rfind("<")
    if opened > cut.rfind(">"):
        cut = cut[:opened]
    entity = _OPEN_ENTITY.search(cut)
    if entity:
        cut = cut[: entity.start()]
    boundary = max(cut.rfind("\n"), cut.rfind(" "))
    if boundary > 0 and (boundary > len(cut) * 0.8 or len(cut) - boundary <= WORD_SLACK):
        cut = cut[:boundary]
    return cut.rstrip()


def _more_link(link: str | None) -> Mrkdwn:
    if link is None:
        return Mrkdwn(ELLIPSIS)
    return Mrkdwn(f"{ELLIPSIS} {slack_link(link, 'read the full text')}")


def _with_more(text: str, limit: int, link: str | None) -> Mrkdwn:
    """``text`` cut to leave room for "… read the full text" (a link), which ends it."""
    tail = _more_link(link)
    return Mrkdwn(safe_cut(text, limit - len(tail) - 1) + " " + tail)


def _clip(text: Mrkdwn, limit: int, link: str | None) -> Mrkdwn:
    """``text`` within ``limit``; when cut, it ends with a link to the full text."""
    return text if len(text) <= limit else _with_more(text, limit, link)


def _split(text: Mrkdwn, limit: int) -> list[Mrkdwn]:
    """Chunks of at most ``limit`` characters, split at paragraph, line or word breaks."""
    chunks: list[Mrkdwn] = []
    rest = str(text)
    while len(rest) > limit:
        head = safe_cut(rest, limit)
        for breaker in ("\n\n", "\n"):
            at = head.rfind(breaker)
            if at > limit // 2:
                head = head[:at]
                break
        if not head:  # nothing safe to cut at: a single unbreakable token
            head = rest[:limit]
        chunks.append(Mrkdwn(head))
        rest = rest[len(head) :].lstrip("\n ")
    if rest:
        chunks.append(Mrkdwn(rest))
    return chunks


def fit_message_text(text: str, link: str | None = None) -> str:
    """A rendered message's ``text`` within Slack's 40,000 characters; when cut, it ends
    with a link to the full text (the ticket) so nobody is left with half a story."""
    return str(_clip(Mrkdwn(text), MAX_MESSAGE_TEXT, link))


def header(title: str) -> Block:
    """A header block (plain text, so no mention can be parsed in it)."""
    plain = " ".join(title.split()) or "(untitled)"
    if len(plain) > MAX_HEADER_TEXT:
        plain = safe_cut(plain, MAX_HEADER_TEXT - 1) + ELLIPSIS
    return {"type": "header", "text": {"type": "plain_text", "text": plain, "emoji": True}}


def section(text: Mrkdwn, link: str | None = None) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION_TEXT, link)},
    }


def field_sections(fields: Mapping[str, str], link: str | None = None) -> list[Block]:
    """``*label*\\nvalue`` fields, ten per section block; labels and values escaped."""
    items = [
        {
            "type": "mrkdwn",
            "text": _clip(
                Mrkdwn(f"*{escape_mrkdwn(label)}*\n{escape_mrkdwn(value)}"), MAX_FIELD_TEXT, link
            ),
        }
        for label, value in fields.items()
    ]
    return [
        {"type": "section", "fields": items[start : start + MAX_FIELDS_PER_SECTION]}
        for start in range(0, len(items), MAX_FIELDS_PER_SECTION)
    ]


def context(text: Mrkdwn) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": _clip(text, MAX_SECTION_TEXT, None)}],
    }


def body_sections(text: Mrkdwn, room: int, link: str | None) -> list[Block]:
    """Long text as up to ``room`` sections; what does not fit ends in a link."""
    if room < 1 or not text:
        return []
    chunks = _split(text, MAX_SECTION_TEXT)
    if len(chunks) > room:
        kept = chunks[:room]
        kept[-1] = _with_more(kept[-1], MAX_SECTION_TEXT, link)
        chunks = kept
    return [section(chunk, link) for chunk in chunks]


def block_text_size(blocks: Sequence[Block]) -> int:
    """Characters of text in ``blocks`` (what Slack's 40,000 limit counts, roughly)."""
    total = 0
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            total += len(str(text.get("text", "")))
        for item in list(block.get("fields", [])) + list(block.get("elements", [])):
            if isinstance(item, dict):
                total += len(str(item.get("text", "")))
    return total


def fallback_text(title: str, text: str) -> str:
    """The plain ``text`` of a message: escaped title and the start of the body."""
    head = escape_mrkdwn(" ".join(title.split()))
    body = " ".join(str(escape_mrkdwn(text)).split())
    if not body:
        return head or ELLIPSIS
    body = _clip(Mrkdwn(body), FALLBACK_TEXT_CHARS, None)
    return f"{head}: {body}" if head else body


def nudge_message(
    title: str,
    text: str,
    fields: Mapping[str, str] | None = None,
    link: str | None = None,
    *,
    link_label: str = "Open the ticket",
) -> SlackMessage:
    """A nudge: header, body, fields and a link, within every Slack limit.

    Fields take at most half of the blocks and of the text (extra fields are
    left out); the body gets the rest and ends in a link when cut.
    """
    blocks: list[Block] = [header(title)]
    tail = _leading_within(
        field_sections(fields or {}, link), MAX_BLOCKS // 2, MAX_MESSAGE_TEXT // 2
    )
    if link is not None:
        tail.append(context(slack_link(link, link_label)))
    room = MAX_BLOCKS - len(blocks) - len(tail)
    budget = MAX_MESSAGE_TEXT - block_text_size(blocks) - block_text_size(tail)
    body = _clip(escape_mrkdwn(text), budget, link)
    blocks += body_sections(body, room, link) + tail
    return SlackMessage(text=fallback_text(title, text), blocks=blocks)


def _leading_within(blocks: list[Block], max_blocks: int, max_chars: int) -> list[Block]:
    """The first blocks that together stay within ``max_blocks`` and ``max_chars``."""
    kept: list[Block] = []
    for block in blocks[:max_blocks]:
        if block_text_size([*kept, block]) > max_chars:
            break
        kept.append(block)
    return kept


def nudge_blocks(
    title: str, text: str, fields: Mapping[str, str] | None = None, link: str | None = None
) -> list[Block]:
    """The blocks of :func:`nudge_message` (use the message's ``text`` as the fallback)."""
    return nudge_message(title, text, fields, link).blocks


def channel_topic(
    issue_key: str,
    summary: str,
    *,
    severity: str | None = None,
    link: str | None = None,
    limit: int = MAX_TOPIC,
) -> str:
    """``KEY | SEV | summary | link`` within Slack's 250 characters; the summary is cut first.

    The issue key always stays: it is how the agent recognises its own channel later.
    """
    head = " | ".join(part for part in (issue_key, severity) if part)
    tail = f" | {link}" if link else ""
    escaped = plain_slack_text(summary)  # a topic takes no formatting: nothing to escape
    room = limit - len(head) - len(tail) - 3
    if room < 10 and tail:  # the link does not leave room for a summary: drop it
        tail = ""
        room = limit - len(head) - 3
    if room <= 0 or not escaped:
        return (head + tail)[:limit]
    if len(escaped) > room:
        escaped = safe_cut(escaped, room - 1) + ELLIPSIS
    return f"{head} | {escaped}{tail}"


def agent_message(
    text: Mrkdwn,
    *,
    facts: Mapping[str, str] | None = None,
    footer: Mrkdwn | None = None,
    link: str | None = None,
) -> SlackMessage:
    """A message the agent posts: the rendered ``text`` (already escaped mrkdwn) as
    sections, ``facts`` as fields (escaped here: their values are ticket text), and
    ``footer`` (the ticket link and the rule) as a context line; ``text`` is also the
    fallback, within Slack's limits. What does not fit ends in ``link``."""
    tail = _leading_within(
        field_sections(facts or {}, link), MAX_BLOCKS // 4, MAX_MESSAGE_TEXT // 4
    )
    if footer:
        tail.append(context(footer))
    room = MAX_BLOCKS - len(tail)
    budget = MAX_MESSAGE_TEXT - block_text_size(tail)
    body = body_sections(_clip(Mrkdwn(text.strip() or ELLIPSIS), budget, link), room, link)
    return SlackMessage(text=fit_message_text(text, link), blocks=body + tail)
