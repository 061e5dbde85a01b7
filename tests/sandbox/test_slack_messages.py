"""Slack ``chat.*`` and ``pins.*`` through the real slack-sdk client."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from agent.sandbox.slack import channel_messages, create_channel, post_message
from tests.support.sandbox import SandboxHandle


def _error(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    assert caught.value.response.status_code == 200
    return dict(caught.value.response.data)


@pytest.fixture
def channel(sandbox: SandboxHandle) -> str:
    return str(sandbox.slack().conversations_create(name="inc-1")["channel"]["id"])


def test_post_message_returns_ts_channel_and_message(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*SEV1* declared"}}]
    answer = client.chat_postMessage(
        channel=channel, text="SEV1 declared", blocks=blocks, unfurl_links=False, mrkdwn=True
    )
    assert answer["channel"] == channel
    assert re.fullmatch(r"\d{10}\.\d{6}", answer["ts"])
    message = answer["message"]
    assert message["ts"] == answer["ts"]
    assert message["text"] == "SEV1 declared"
    assert message["blocks"] == blocks
    assert message["user"] == sandbox.ctx.users.bot()["slackId"]
    assert message["type"] == "message"
    assert message["bot_id"] == client.auth_test()["bot_id"]


def test_post_by_channel_name(sandbox: SandboxHandle, channel: str) -> None:
    answer = sandbox.slack().chat_postMessage(channel="#inc-1", text="by name")
    assert answer["channel"] == channel
    # conversations.* methods want ids, not names
    failure = _error(sandbox.slack().conversations_info, channel="#inc-1")
    assert failure["error"] == "channel_not_found"


def test_post_to_a_user_id_opens_a_dm(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    answer = client.chat_postMessage(channel=ann, text="you are on call")
    assert answer["channel"].startswith("D")
    assert client.conversations_open(users=ann)["channel"]["id"] == answer["channel"]
    history = client.conversations_history(channel=answer["channel"])["messages"]
    assert [m["text"] for m in history] == ["you are on call"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"text": ""}, "no_text"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "t", "blocks": [{"type": "teleport"}]}, "invalid_blocks"),
        ({"text": "t", "blocks": ["section"]}, "invalid_blocks"),
        ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        (
            {"text": "t", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]},
            "invalid_blocks",
        ),
        (
            {
                "text": "t",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
            },
            "invalid_blocks",
        ),
        ({"text": "t", "metadata": {"event_payload": {}}}, "invalid_metadata_schema"),
        (
            {"text": "t", "metadata": {"event_type": "a", "event_payload": 3}},
            "invalid_metadata_schema",
        ),
        ({"text": "t", "metadata": ["not", "an", "object"]}, "invalid_metadata_format"),
        ({"text": "t", "thread_ts": "1000000000.000001"}, "thread_not_found"),
    ],
)
def test_post_message_validation(
    sandbox: SandboxHandle, channel: str, arguments: dict[str, Any], error: str
) -> None:
    answer = _error(sandbox.slack().chat_postMessage, channel=channel, **arguments)
    assert answer["error"] == error
    assert sandbox.slack().conversations_history(channel=channel)["messages"][0]["subtype"] == (
        "channel_join"
    )


def test_invalid_blocks_says_where(sandbox: SandboxHandle, channel: str) -> None:
    blocks = [{"type": "divider"}, {"type": "section", "text": {"type": "mrkdwn", "text": ""}}]
    answer = _error(sandbox.slack().chat_postMessage, channel=channel, text="t", blocks=blocks)
    assert answer["response_metadata"]["messages"] == [
        "[ERROR] must be more than 0 characters [json-pointer:/blocks/1/text/text]"
    ]


def test_post_message_channel_errors(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    assert _error(client.chat_postMessage, channel="C99999999", text="t")["error"] == (
        "channel_not_found"
    )
    assert _error(client.chat_postMessage, channel="#nope", text="t")["error"] == (
        "channel_not_found"
    )
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    foreign = create_channel(sandbox.ctx, "not-joined", creator_slack_id=ann)
    assert _error(client.chat_postMessage, channel=foreign["id"], text="t")["error"] == (
        "not_in_channel"
    )
    client.conversations_join(channel=foreign["id"])
    assert client.chat_postMessage(channel=foreign["id"], text="t")["ok"] is True
    client.conversations_archive(channel=channel)
    assert _error(client.chat_postMessage, channel=channel, text="t")["error"] == "is_archived"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_blocks_only_message_is_accepted(sandbox: SandboxHandle, channel: str) -> None:
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": "Incident"}}]
    answer = sandbox.slack().chat_postMessage(channel=channel, blocks=blocks)
    assert answer["message"]["blocks"] == blocks
    assert answer["message"]["text"] == ""


def test_threads_count_replies_on_the_parent(sandbox: SandboxHandle, channel: str) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    parent = client.chat_postMessage(channel=channel, text="status?")["ts"]
    first = client.chat_postMessage(channel=channel, text="working on it", thread_ts=parent)
    assert first["message"]["thread_ts"] == parent
    post_message(sandbox.ctx, channel, "me too", ann, thread_ts=parent)
    # a reply to a reply joins the parent's thread
    last = client.chat_postMessage(channel=channel, text="done", thread_ts=first["ts"])
    assert last["message"]["thread_ts"] == parent
    top = client.conversations_history(channel=channel, limit=1)["messages"][0]
    assert top["ts"] == parent
    assert top["thread_ts"] == parent
    assert top["reply_count"] == 3
    bot = sandbox.ctx.users.bot()["slackId"]
    assert top["reply_users"] == [bot, ann]
    assert top["reply_users_count"] == 2
    assert top["latest_reply"] == last["ts"]
    # replies stay out of the channel history
    texts = [m["text"] for m in client.conversations_history(channel=channel)["messages"]]
    assert "working on it" not in texts


def test_reply_broadcast_shows_in_the_channel(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    parent = client.chat_postMessage(channel=channel, text="status?")["ts"]
    client.chat_postMessage(channel=channel, text="fixed", thread_ts=parent, reply_broadcast=True)
    newest = client.conversations_history(channel=channel, limit=1)["messages"][0]
    assert newest["text"] == "fixed"
    assert newest["subtype"] == "thread_broadcast"
    assert newest["thread_ts"] == parent


def test_chat_update(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    ts = client.chat_postMessage(channel=channel, text="SEV2")["ts"]
    answer = client.chat_update(channel=channel, ts=ts, text="SEV1")
    assert answer["ts"] == ts
    assert answer["text"] == "SEV1"
    assert answer["message"]["text"] == "SEV1"
    stored = next(m for m in channel_messages(sandbox.ctx, channel) if m["ts"] == ts)
    assert stored["text"] == "SEV1"
    newest = client.conversations_history(channel=channel, limit=1)["messages"][0]
    assert newest["text"] == "SEV1"
    assert newest["edited"]["user"] == sandbox.ctx.users.bot()["slackId"]
    assert _error(client.chat_update, channel=channel, ts="1000000000.000001", text="x")[
        "error"
    ] == ("message_not_found")
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    theirs = post_message(sandbox.ctx, channel, "mine", ann)
    assert _error(client.chat_update, channel=channel, ts=theirs["ts"], text="x")["error"] == (
        "cant_update_message"
    )


def test_post_ephemeral(sandbox: SandboxHandle, channel: str) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    client = sandbox.slack()
    client.conversations_invite(channel=channel, users=ann)
    answer = client.chat_postEphemeral(channel=channel, user=ann, text="only you")
    assert re.fullmatch(r"\d{10}\.\d{6}", answer["message_ts"])
    texts = [m["text"] for m in client.conversations_history(channel=channel)["messages"]]
    assert "only you" not in texts
    assert _error(client.chat_postEphemeral, channel=channel, user=bob, text="t")["error"] == (
        "user_not_in_channel"
    )


def test_pins(sandbox: SandboxHandle, channel: str) -> None:
    client = sandbox.slack()
    first = client.chat_postMessage(channel=channel, text="runbook")["ts"]
    second = client.chat_postMessage(channel=channel, text="timeline")["ts"]
    assert client.pins_add(channel=channel, timestamp=first)["ok"] is True
    client.pins_add(channel=channel, timestamp=second)
    items = client.pins_list(channel=channel)["items"]
    assert [item["message"]["text"] for item in items] == ["timeline", "runbook"]
    assert items[0]["type"] == "message"
    assert items[0]["channel"] == channel
    assert items[0]["created_by"] == sandbox.ctx.users.bot()["slackId"]
    assert items[0]["message"]["pinned_to"] == [channel]
    assert _error(client.pins_add, channel=channel, timestamp=first)["error"] == "already_pinned"
    assert _error(client.pins_add, channel=channel, timestamp="1000000000.000001")["error"] == (
        "message_not_found"
    )
    client.pins_remove(channel=channel, timestamp=first)
    assert [i["message"]["ts"] for i in client.pins_list(channel=channel)["items"]] == [second]
    assert _error(client.pins_remove, channel=channel, timestamp=first)["error"] == "not_pinned"
    history = client.conversations_history(channel=channel)
    assert history["pin_count"] == 1


def test_metadata_is_returned_on_post(sandbox: SandboxHandle, channel: str) -> None:
    metadata = {"event_type": "incident_declared", "event_payload": {"key": "INC-7"}}
    answer = sandbox.slack().chat_postMessage(channel=channel, text="t", metadata=metadata)
    assert answer["message"]["metadata"] == metadata
    stored = next(m for m in channel_messages(sandbox.ctx, channel) if m["ts"] == answer["ts"])
    assert stored["metadata"] == metadata
    assert json.loads(json.dumps(stored)) == stored
