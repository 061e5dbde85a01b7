"""Slack's cursor paging: opaque base64 cursors, ``response_metadata.next_cursor``.

Lists page by position (``"<kind>:<offset>"``); message history pages by
timestamp (``"next_ts:<ts>"``) like Slack, so new messages do not shift pages.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from agent.sandbox.api_errors import SlackError

T = TypeVar("T")


def encode(prefix: str, value: str) -> str:
    return base64.b64encode(f"{prefix}:{value}".encode()).decode("ascii")


def decode(cursor: str, prefix: str) -> str:
    """The value inside a cursor this sandbox made; ``invalid_cursor`` otherwise."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise SlackError("invalid_cursor") from exc
    found, _, value = text.partition(":")
    if found != prefix or not value:
        raise SlackError("invalid_cursor")
    return value


def page(items: Sequence[T], cursor: str | None, limit: int, prefix: str) -> tuple[list[T], str]:
    """One page of ``items`` and the cursor for the next ("" when this is the last)."""
    start = 0
    if cursor:
        try:
            start = int(decode(cursor, prefix))
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
        if start < 0:
            raise SlackError("invalid_cursor")
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    return chunk, encode(prefix, str(end)) if end < len(items) else ""


def metadata(next_cursor: str) -> dict[str, Any]:
    return {"response_metadata": {"next_cursor": next_cursor}}
