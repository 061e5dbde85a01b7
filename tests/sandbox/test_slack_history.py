"""``conversations.history`` / ``conversations.replies``: order, windows, paging, metadata."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from agent.sandbox.slack import create_channel, post_message
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _seed_minutes(sandbox: SandboxHandle, channel: str, count: int) -> list[str]:
    """One bot message a minute from START; returns their ts, oldest first."""
    stamps = []
    for minute in range(count):
        sandbox.ctx.clock.set(START + timedelta(minutes=minute + 1), frozen=True)
        stamps.append(post_message(sandbox.ctx, channel, f"m{minute}", None)["ts"])
    return stamps


@pytest.fixture
def channel(sandbox: SandboxHandle) -> str:
    sandbox.set_clock(START)
    return str(create_channel(sandbox.ctx, "inc-history")["id"])


def test_history_is_newest_first(sandbox: SandboxHandle, channel: str) -> None:
    _seed_minutes(sandbox, channel, 3)
    messages = sandbox.slack().conversations_history(channel=channel)["messages"]
    assert [m["text"] for m in messages][:3] == ["m2", "m1", "m0"]
    assert messages[-1]["subtype"] == "channel_join"


def test_oldest_latest_and_inclusive(sandbox: SandboxHandle, channel: str) -> None:
    stamps = _seed_minutes(sandbox, channel, 5)
    client = sandbox.slack()

    def texts(**window: object) -> list[str]:
        return [
            m["text"] for m in client.conversations_history(channel=channel, **window)["messages"]
        ]

    assert texts(oldest=stamps[1], latest=stamps[3]) == ["m2"]
    assert texts(oldest=stamps[1], latest=stamps[3], inclusive=True) == ["m3", "m2", "m1"]
    assert texts(oldest=stamps[3]) == ["m4"]
    # whole seconds work as bounds too
    assert texts(latest=str(int(float(stamps[1])))) == ["m0", texts()[-1]]


def test_paging_returns_every_message_exactly_once(sandbox: SandboxHandle, channel: str) -> None:
    stamps = _seed_minutes(sandbox, channel, 7)
    client = sandbox.slack()
    first = client.conversations_history(channel=channel, limit=3, oldest=stamps[0], inclusive=True)
    assert first["has_more"] is True
    assert first["response_metadata"]["next_cursor"]
    seen: list[str] = []
    for page in client.conversations_history(
        channel=channel, limit=3, oldest=stamps[0], inclusive=True
    ):
        seen.extend(m["ts"] for m in page["messages"])
    assert seen == list(reversed(stamps))
    last = client.conversations_history(channel=channel, limit=100)
    assert last["has_more"] is False


def test_metadata_only_with_include_all_metadata(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    metadata = {"event_type": "escalation_nudge", "event_payload": {"issue": "OPS-12", "step": 2}}
    client.chat_postMessage(channel=channel, text="nudge", metadata=metadata)
    plain = client.conversations_history(channel=channel, limit=1)["messages"][0]
    assert "metadata" not in plain
    full = client.conversations_history(channel=channel, limit=1, include_all_metadata=True)
    assert full["messages"][0]["metadata"] == metadata


def test_replies_oldest_first_with_parent_and_paging(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    replies = [
        client.chat_postMessage(channel=channel, text=f"r{n}", thread_ts=parent)["ts"]
        for n in range(4)
    ]
    whole = client.conversations_replies(channel=channel, ts=parent)
    assert [m["ts"] for m in whole["messages"]] == [parent, *replies]
    assert whole["has_more"] is False
    assert whole["messages"][0]["reply_count"] == 4
    assert all(m["thread_ts"] == parent for m in whole["messages"])
    seen: list[str] = []
    for page in client.conversations_replies(channel=channel, ts=parent, limit=2):
        seen.extend(m["ts"] for m in page["messages"])
    assert seen == [parent, *replies]
    # asking with a reply's ts gives the same thread
    by_reply = client.conversations_replies(channel=channel, ts=replies[2])["messages"]
    assert [m["ts"] for m in by_reply] == [parent, *replies]


def test_replies_metadata_and_unknown_thread(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    parent = client.chat_postMessage(channel=channel, text="parent")["ts"]
    metadata = {"event_type": "ack", "event_payload": {"by": "ann"}}
    client.chat_postMessage(channel=channel, text="ack", thread_ts=parent, metadata=metadata)
    thread = client.conversations_replies(channel=channel, ts=parent, include_all_metadata=True)
    assert thread["messages"][1]["metadata"] == metadata
    with pytest.raises(SlackApiError) as caught:
        client.conversations_replies(channel=channel, ts="1000000000.000001")
    assert caught.value.response["error"] == "thread_not_found"


def test_history_needs_membership(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    foreign = create_channel(sandbox.ctx, "not-mine", creator_slack_id=ann)
    with pytest.raises(SlackApiError) as caught:
        sandbox.slack().conversations_history(channel=foreign["id"])
    assert caught.value.response["error"] == "not_in_channel"


def test_forged_history_cursor_is_refused(sandbox: SandboxHandle, channel: str) -> None:
    with pytest.raises(SlackApiError) as caught:
        sandbox.slack().conversations_history(channel=channel, cursor="bm9wZTox")
    assert caught.value.response["error"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("bound", "error"), [("latest", "invalid_ts_latest"), ("oldest", "invalid_ts_oldest")]
)
def test_garbage_bounds_are_refused(
    sandbox: SandboxHandle, channel: str, bound: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as caught:
        sandbox.slack().conversations_history(channel=channel, **{bound: "yesterday"})
    assert caught.value.response["error"] == error
