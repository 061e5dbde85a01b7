"""``conversations.history`` and ``conversations.replies``: reading messages back.

History is newest first and leaves thread replies out (unless broadcast);
replies are oldest first, parent included. Both take ``oldest``/``latest``
(exclusive unless ``inclusive``), ``limit`` and a ``next_ts`` cursor, and show
each message's ``metadata`` only with ``include_all_metadata``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import paging, shapes, workspace
from agent.sandbox.slack.call import Call, Handler
from agent.sandbox.store import Doc

CURSOR_PREFIX = "next_ts"


def _ts_value(text: str, name: str) -> Decimal:
    """A ``latest``/``oldest`` bound; Slack answers ``invalid_ts_<name>`` for garbage."""
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise SlackError(f"invalid_ts_{name}") from exc
    if not value.is_finite() or value < 0:
        raise SlackError(f"invalid_ts_{name}")
    return value


def _window(call: Call) -> Callable[[Doc], bool]:
    """A predicate for ``oldest``/``latest``/``inclusive``."""
    oldest = _ts_value(call.args.string("oldest") or "0", "oldest")
    latest_text = call.args.string("latest")
    latest = _ts_value(latest_text, "latest") if latest_text else None
    inclusive = call.args.boolean("inclusive")

    def inside(doc: Doc) -> bool:
        ts = Decimal(doc["ts"])
        above = ts >= oldest if inclusive else ts > oldest
        below = latest is None or (ts <= latest if inclusive else ts < latest)
        return above and below

    return inside


def _page(call: Call, messages: list[Doc], newest_first: bool) -> dict[str, Any]:
    """One page of messages (already ordered) from the cursor on, with ``has_more``."""
    cursor = call.args.string("cursor")
    if cursor:
        start = Decimal(_cursor_ts(cursor))
        messages = [
            doc
            for doc in messages
            if (Decimal(doc["ts"]) <= start if newest_first else Decimal(doc["ts"]) >= start)
        ]
    limit = call.args.integer("limit", 100, minimum=0, maximum=999) or 100
    chunk = messages[:limit]
    has_more = len(messages) > limit
    with_metadata = call.args.boolean("include_all_metadata")
    body: dict[str, Any] = {
        "messages": [shapes.message(doc, with_metadata=with_metadata) for doc in chunk],
        "has_more": has_more,
    }
    if has_more:
        body["response_metadata"] = {
            "next_cursor": paging.encode(CURSOR_PREFIX, messages[limit]["ts"])
        }
    return body


def _cursor_ts(cursor: str) -> str:
    value = paging.decode(cursor, CURSOR_PREFIX)
    try:
        Decimal(value)
    except InvalidOperation as exc:
        raise SlackError("invalid_cursor") from exc
    return value


def _readable_channel(call: Call) -> Doc:
    channel = call.channel()
    call.require_member(channel)  # a bot reads only conversations it is in
    return channel


def history(call: Call) -> dict[str, Any]:
    channel = _readable_channel(call)
    inside = _window(call)
    messages = [
        doc
        for doc in reversed(workspace.stored_messages(call.ctx, channel["id"]))
        if workspace.in_history(doc) and inside(doc)
    ]
    body = _page(call, messages, newest_first=True)
    return {
        **body,
        "pin_count": len(channel.get("pins", [])),
        "channel_actions_ts": None,
        "channel_actions_count": 0,
    }


def replies(call: Call) -> dict[str, Any]:
    channel = _readable_channel(call)
    start = call.message(channel, "ts", error="thread_not_found")
    root_ts = start.get("thread_ts") or start["ts"]
    inside = _window(call)
    thread = [
        doc
        for doc in workspace.stored_messages(call.ctx, channel["id"])
        if (doc["ts"] == root_ts or doc.get("thread_ts") == root_ts) and inside(doc)
    ]
    return _page(call, thread, newest_first=False)


METHODS: dict[str, Handler] = {
    "conversations.history": history,
    "conversations.replies": replies,
}
