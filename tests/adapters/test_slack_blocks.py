"""Block Kit messages and topics within Slack's limits, with untrusted text made inert.

Limits are checked with the sandbox's own Block Kit validator (the rules Slack
applies to ``chat.postMessage``), so a message that passes here posts there.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from agent.adapters.slack_blocks import (
    MAX_BLOCKS,
    MAX_FIELD_TEXT,
    MAX_HEADER_TEXT,
    MAX_MESSAGE_TEXT,
    MAX_SECTION_TEXT,
    MAX_TOPIC,
    block_text_size,
    channel_topic,
    nudge_blocks,
    nudge_message,
    safe_cut,
)
from agent.render.escaping import Mrkdwn, plain_slack_text, slack_mention
from agent.sandbox.slack.args import Args
from agent.sandbox.slack.validation import check_text, parse_blocks

LINK = "https://sandbox.example/browse/DS-1234"
INJECTIONS = [
    "<!channel> deploy now",
    "<!here|here> please",
    "<!everyone>",
    "ping <@U123> and <@W0ABC>",
    "<!subteam^S123|@oncall>",
    "<https://evil.example|click me>",
    "a & b <> c",
]


def slack_accepts(text: str, blocks: list[dict[str, Any]]) -> None:
    """What the sandbox (Slack's rules) says about this message; raises SlackError if bad."""
    parsed = parse_blocks(Args({"blocks": blocks}))
    check_text(text, parsed)


def all_texts(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            found.append(item["text"])
    return found


def test_nudge_has_header_body_fields_link_and_a_fallback() -> None:
    message = nudge_message(
        "Update overdue", "No update for 2 hours.", {"Ticket": "DS-1234", "Severity": "SEV2"}, LINK
    )
    types = [block["type"] for block in message.blocks]
    assert types == ["header", "section", "section", "context"]
    assert message.blocks[0]["text"] == {
        "type": "plain_text",
        "text": "Update overdue",
        "emoji": True,
    }
    assert message.blocks[2]["fields"][0]["text"] == "*Ticket*\nDS-1234"
    assert f"<{LINK}|Open the ticket>" in message.blocks[3]["elements"][0]["text"]
    assert message.text == "Update overdue: No update for 2 hours."
    slack_accepts(message.text, message.blocks)


def test_nudge_blocks_is_the_blocks_of_the_message() -> None:
    assert (
        nudge_blocks("T", "body", {"a": "b"}, LINK)
        == nudge_message("T", "body", {"a": "b"}, LINK).blocks
    )


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_ticket_text_pings_nobody(hostile: str) -> None:
    message = nudge_message(hostile, hostile, {hostile: hostile}, LINK)
    for text in [message.text, *all_texts(message.blocks[1:])]:
        assert "<!" not in text
        assert "<@" not in text
        assert "<https://evil" not in text
    assert "&lt;" in message.text or "&amp;" in message.text
    # the header is plain text: Slack never parses mentions there
    assert message.blocks[0]["text"]["type"] == "plain_text"


def test_agent_built_mrkdwn_passes_unescaped() -> None:
    mention = slack_mention("U0LEAD001")
    message = nudge_message("Owner needed", Mrkdwn(f"{mention}, please take DS-1234"))
    assert message.blocks[1]["text"]["text"] == "<@U0LEAD001>, please take DS-1234"


def test_long_body_is_split_into_sections_within_3000() -> None:
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "words and more words " * 40 for n in range(12))
    message = nudge_message("Timeline", paragraphs, None, LINK)
    sections = [block for block in message.blocks if block["type"] == "section"]
    assert len(sections) > 1
    assert all(len(block["text"]["text"]) <= MAX_SECTION_TEXT for block in sections)
    joined = " ".join(block["text"]["text"] for block in sections)
    assert "Paragraph 11" in joined  # nothing lost: it all fitted in sections
    slack_accepts(message.text, message.blocks)


def test_huge_body_is_cut_with_a_link_within_every_limit() -> None:
    body = "x" * 10 + " lorem ipsum" * 20_000  # 240k characters
    message = nudge_message("Huge", body, {f"f{n}": "v" for n in range(25)}, LINK)
    assert len(message.blocks) <= MAX_BLOCKS
    assert block_text_size(message.blocks) <= MAX_MESSAGE_TEXT
    assert len(message.text) <= MAX_MESSAGE_TEXT
    bodies = [b["text"]["text"] for b in message.blocks if b["type"] == "section" and "text" in b]
    assert bodies[-1].endswith(f"<{LINK}|read the full text>")
    slack_accepts(message.text, message.blocks)


def test_many_fields_are_spread_over_sections_of_ten() -> None:
    message = nudge_message("Fields", "body", {f"name {n}": f"value {n}" for n in range(23)})
    field_blocks = [block for block in message.blocks if "fields" in block]
    assert [len(block["fields"]) for block in field_blocks] == [10, 10, 3]
    slack_accepts(message.text, message.blocks)


def test_too_many_fields_leave_room_for_the_body() -> None:
    fields = {f"name {n}": "v " * 900 for n in range(600)}
    message = nudge_message("Fields", "the body " * 3000, fields, LINK)
    assert len(message.blocks) <= MAX_BLOCKS
    assert block_text_size(message.blocks) <= MAX_MESSAGE_TEXT
    assert message.blocks[1]["text"]["text"].startswith("the body")
    assert message.blocks[-1]["type"] == "context"  # the ticket link stays
    slack_accepts(message.text, message.blocks)


def test_long_title_and_field_values_are_cut() -> None:
    message = nudge_message("T" * 500, "b", {"Long": "v " * 3000}, LINK)
    assert len(message.blocks[0]["text"]["text"]) <= MAX_HEADER_TEXT
    assert all(len(item["text"]) <= MAX_FIELD_TEXT for item in message.blocks[2]["fields"])
    slack_accepts(message.text, message.blocks)


def test_empty_title_and_body_still_post() -> None:
    message = nudge_message("", "")
    assert message.text
    slack_accepts(message.text, message.blocks)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a &amp; b", 5, "a"),  # never half an entity
        ("see <https://x.example/a|link> now", 20, "see"),  # never half a link
        ("one two three", 9, "one two"),
        ("short", 10, "short"),
    ],
)
def test_safe_cut(text: str, limit: int, expected: str) -> None:
    assert safe_cut(text, limit) == expected


def test_topic_keeps_key_severity_and_link_and_fits() -> None:
    topic = channel_topic("DS-1234", "Checkout fails", severity="SEV2", link=LINK)
    assert topic == f"DS-1234 | SEV2 | Checkout fails | {LINK}"
    long_topic = channel_topic("DS-1234", "word " * 200, severity="SEV1", link=LINK)
    assert len(long_topic) <= MAX_TOPIC
    assert long_topic.startswith("DS-1234 | SEV1 | word")
    assert long_topic.endswith(LINK)


def test_topic_escapes_the_summary_and_drops_a_link_too_long_to_fit() -> None:
    topic = channel_topic("DS-1", "<!channel> down", link="https://x.example/" + "p" * 300)
    # a topic takes no formatting: look-alike brackets, not entities Slack would show as typed
    assert topic == "DS-1 | \u2039!channel\u203a down"


def test_topic_text_from_a_ticket_holds_no_mention_link_or_broadcast_word() -> None:
    text = plain_slack_text("<!here> <@U123ABC> <https://evil.example|x> @channel @Here\nok")
    assert "<" not in text and ">" not in text
    assert not re.search(r"@(channel|here|everyone)\b", text, re.IGNORECASE)
    assert text == (
        "\u2039!here\u203a \u2039@U123ABC\u203a \u2039https://evil.example|x\u203a "
        "@\u2060channel @\u2060Here ok"
    )
