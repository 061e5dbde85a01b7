"""Checks Slack applies to a message before posting it: text, Block Kit blocks, metadata.

Only the rules the agent can trip over are modelled: the 40,000-character
text limit, at most 50 blocks of a known type, section/header text limits, and
metadata that must be ``{"event_type": str, "event_payload": object}``.
Errors carry Slack's ``response_metadata.messages`` with a JSON pointer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack.args import Args

MAX_TEXT_CHARS = 40_000
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BLOCK_ID = 255
KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "rich_text",
        "section",
        "video",
        "markdown",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
EVENT_TYPE = re.compile(r"^[A-Za-z0-9_.\-]{1,255}$")


def _invalid_blocks(problem: str, pointer: str) -> SlackError:
    return SlackError(
        "invalid_blocks",
        response_metadata={"messages": [f"[ERROR] {problem} [json-pointer:{pointer}]"]},
    )


def _check_text_object(value: Any, pointer: str, limit: int, *, plain_only: bool) -> None:
    if not isinstance(value, dict):
        raise _invalid_blocks("must be a text object", pointer)
    kind = value.get("type")
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if kind not in allowed:
        raise _invalid_blocks(f"must be one of {sorted(allowed)}", f"{pointer}/type")
    text = value.get("text")
    if not isinstance(text, str) or not text:
        raise _invalid_blocks("must be more than 0 characters", f"{pointer}/text")
    if len(text) > limit:
        raise _invalid_blocks(f"must be less than {limit + 1} characters", f"{pointer}/text")


def _check_block(block: Any, index: int, seen_ids: set[str]) -> None:
    pointer = f"/blocks/{index}"
    if not isinstance(block, dict):
        raise _invalid_blocks("must be an object", pointer)
    kind = block.get("type")
    if kind not in KNOWN_BLOCK_TYPES:
        raise _invalid_blocks(f"unsupported type: {kind!r}", f"{pointer}/type")
    block_id = block.get("block_id")
    if block_id is not None:
        if not isinstance(block_id, str) or not 0 < len(block_id) <= MAX_BLOCK_ID:
            raise _invalid_blocks("must be 1-255 characters", f"{pointer}/block_id")
        if block_id in seen_ids:
            raise _invalid_blocks("block_id must be unique", f"{pointer}/block_id")
        seen_ids.add(block_id)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            raise _invalid_blocks("must provide text or fields", pointer)
        if "text" in block:
            _check_text_object(block["text"], f"{pointer}/text", MAX_SECTION_TEXT, plain_only=False)
        fields = block.get("fields", [])
        if not isinstance(fields, list) or len(fields) > 10:
            raise _invalid_blocks("must be a list of at most 10 items", f"{pointer}/fields")
        for number, item in enumerate(fields):
            _check_text_object(item, f"{pointer}/fields/{number}", 2000, plain_only=False)
    elif kind == "header":
        _check_text_object(block.get("text"), f"{pointer}/text", MAX_HEADER_TEXT, plain_only=True)
    elif kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 0 < len(elements) <= 10:
            raise _invalid_blocks("must be a list of 1-10 elements", f"{pointer}/elements")
    elif kind in ("actions", "rich_text"):
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            raise _invalid_blocks("must be a non-empty list", f"{pointer}/elements")


def parse_blocks(args: Args) -> list[dict[str, Any]] | None:
    """The ``blocks`` argument checked like Slack does, or None when absent."""
    try:
        blocks = args.structured("blocks")
    except ValueError as exc:
        raise SlackError("invalid_blocks_format") from exc
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        raise _invalid_blocks("must be an array", "/blocks")
    if len(blocks) > MAX_BLOCKS:
        raise _invalid_blocks(f"no more than {MAX_BLOCKS} items allowed", "/blocks")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        _check_block(block, index, seen_ids)
    return blocks


def parse_metadata(args: Args) -> dict[str, Any] | None:
    """The ``metadata`` argument as ``{event_type, event_payload}``, or None when absent."""
    try:
        metadata = args.structured("metadata")
    except ValueError as exc:
        raise SlackError("invalid_metadata_format") from exc
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        raise SlackError("invalid_metadata_format")
    event_type = metadata.get("event_type")
    payload = metadata.get("event_payload")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        raise SlackError("invalid_metadata_schema")
    if not isinstance(payload, dict):
        raise SlackError("invalid_metadata_schema")
    if len(json.dumps(metadata)) > 8000:
        raise SlackError("metadata_too_large")
    return {"event_type": event_type, "event_payload": payload}


def check_text(text: str | None, blocks: list[dict[str, Any]] | None) -> str:
    """The message text; ``no_text`` when there is nothing to show, ``msg_too_long`` over 40k."""
    if (text is None or text == "") and not blocks:
        raise SlackError("no_text")
    if text is not None and len(text) > MAX_TEXT_CHARS:
        raise SlackError("msg_too_long")
    return text or ""
