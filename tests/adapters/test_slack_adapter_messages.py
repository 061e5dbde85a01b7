"""Posting with metadata, finding posts again by key, threads, DMs, pins and reading updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from agent.adapters.service_errors import ChannelArchived, ChannelNotFound
from agent.adapters.slack_adapter import SlackAdapter
from agent.adapters.slack_blocks import nudge_message
from agent.adapters.slack_history import slack_ts, ts_datetime
from agent.adapters.slack_port import event_type_for, message_metadata
from agent.sandbox.slack import workspace
from tests.adapters.test_slack_blocks import INJECTIONS
from tests.adapters.test_slack_support import (
    RecordedSleep,
    adapter_for,
    person,
    slack_calls,
    stored_messages,
)
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
EVENT = event_type_for("update-overdue")
LINK = "https://sandbox.example/browse/DS-1234"


def payload(key: str, rule: str = "update-overdue") -> dict[str, str]:
    return {"issue": "DS-1234", "rule": rule, "key": key}


def new_channel(sandbox: SandboxHandle, adapter: SlackAdapter, name: str = "ds-1234-x") -> str:
    ref = adapter.ensure_channel(name, issue_key="DS-1234", topic="DS-1234", purpose="DS-1234")
    return ref.id


def agent_posts(sandbox: SandboxHandle, channel_id: str) -> list[dict[str, Any]]:
    return [m for m in stored_messages(sandbox, channel_id) if "metadata" in m]


def test_post_carries_metadata_and_is_found_again_by_key(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)

    posted = adapter.post(channel, "Update overdue", event_type=EVENT, payload=payload("k-1"))
    sandbox.set_clock(START + timedelta(hours=2))
    other = adapter.post(channel, "Other", event_type=EVENT, payload=payload("k-2"))

    assert posted.channel == channel
    stored = agent_posts(sandbox, channel)[0]
    assert stored["ts"] == posted.ts
    assert stored["metadata"] == {
        "event_type": "escalation_agent_update_overdue",
        "event_payload": payload("k-1"),
    }
    fresh, _ = adapter_for(sandbox)  # after a crash: nothing in memory
    assert fresh.find_message_by_key(channel, "k-1") == posted
    assert fresh.find_message_by_key(channel, "k-3") is None
    # messages older than "oldest" are not looked at
    later = ts_datetime(posted.ts) + timedelta(hours=1)
    assert fresh.find_message_by_key(channel, "k-1", oldest=later) is None
    assert fresh.find_message_by_key(channel, "k-2", oldest=later) == other
    calls = slack_calls(sandbox, "conversations.history")
    assert calls and all(e["status"] == 200 for e in calls)


def test_post_by_channel_name_with_blocks(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter, "sre-escalations")
    message = nudge_message("Update overdue", "No update for 2 h", {"Severity": "SEV2"}, LINK)

    posted = adapter.post(
        "#sre-escalations",
        message.text,
        blocks=message.blocks,
        event_type=EVENT,
        payload=payload("k-1"),
    )

    assert posted.channel == channel
    stored = agent_posts(sandbox, channel)[0]
    assert stored["blocks"] == message.blocks
    assert stored["text"] == message.text


def test_threaded_reply_is_found_by_key(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    parent = adapter.post(channel, "Nudge", event_type=EVENT, payload=payload("parent"))

    reply = adapter.post(
        channel, "Still waiting", thread_ts=parent.ts, event_type=EVENT, payload=payload("reply")
    )

    stored = {m["ts"]: m for m in stored_messages(sandbox, channel)}
    assert stored[reply.ts]["thread_ts"] == parent.ts
    fresh, _ = adapter_for(sandbox)
    assert fresh.find_message_by_key(channel, "reply") == reply
    assert len(slack_calls(sandbox, "conversations.replies")) == 1


def test_dm_opens_the_conversation_and_posts(sandbox: SandboxHandle) -> None:
    alice = person(sandbox, "Alice", "alice@sandbox.example")
    adapter, _ = adapter_for(sandbox)

    first = adapter.dm(alice, "You are on call", event_type=EVENT, payload=payload("dm-1"))
    second = adapter.dm(alice, "Reminder", event_type=EVENT, payload=payload("dm-2"))

    assert first.channel.startswith("D")
    assert second.channel == first.channel
    dm = workspace.get_channel(sandbox.ctx, first.channel)
    assert dm is not None and dm["user"] == alice
    assert [m["text"] for m in agent_posts(sandbox, first.channel)] == [
        "You are on call",
        "Reminder",
    ]
    assert adapter.find_message_by_key(first.channel, "dm-2") == second


def test_pin_twice_is_fine(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    posted = adapter.post(channel, "Summary", event_type=EVENT, payload=payload("pin"))

    assert adapter.pin(channel, posted.ts) is True
    assert adapter.pin(channel, posted.ts) is False  # already_pinned is success

    stored = workspace.get_channel(sandbox.ctx, channel)
    assert stored is not None
    assert [pin["ts"] for pin in stored["pins"]] == [posted.ts]
    assert adapter.unpin(channel, posted.ts) is True
    assert adapter.unpin(channel, posted.ts) is False


@pytest.mark.parametrize("hostile", INJECTIONS)
def test_mentions_in_ticket_text_ping_nobody(sandbox: SandboxHandle, hostile: str) -> None:
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    message = nudge_message(f"DS-1234 {hostile}", hostile, {"Summary": hostile}, LINK)

    posted = adapter.post(
        channel, message.text, blocks=message.blocks, event_type=EVENT, payload=payload("m")
    )

    stored = {m["ts"]: m for m in stored_messages(sandbox, channel)}[posted.ts]
    texts = [stored["text"]]
    for block in stored["blocks"][1:]:  # the header is plain_text: never parsed
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [item["text"] for item in block.get("fields", []) + block.get("elements", [])]
    for text in texts:
        assert "<!" not in text
        assert "<@" not in text
    assert any("&lt;" in text or "&amp;" in text for text in texts)


def test_bot_joins_a_public_channel_it_is_not_in_before_posting(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana", "hana@sandbox.example")
    doc = workspace.create_channel(sandbox.ctx, "sre-escalations", human)
    adapter, _ = adapter_for(sandbox)

    posted = adapter.post("#sre-escalations", "Heads up", event_type=EVENT, payload=payload("j"))

    assert posted.channel == doc["id"]
    statuses = [e["status"] for e in slack_calls(sandbox, "chat.postMessage")]
    assert statuses == [200, 200]  # not_in_channel (HTTP 200, ok false), then the post
    assert len(slack_calls(sandbox, "conversations.join")) == 1
    assert len(agent_posts(sandbox, doc["id"])) == 1


def test_private_channel_without_the_bot_is_channel_not_found(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana", "hana@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    stored = workspace.get_channel(sandbox.ctx, channel)
    assert stored is not None
    stored["members"] = [human]  # the bot was removed from a private channel
    stored["is_private"] = True
    sandbox.ctx.store.put(workspace.CHANNEL_KIND, channel, stored)

    with pytest.raises(ChannelNotFound, match="invite the bot"):
        adapter.post(channel, "x", event_type=EVENT, payload=payload("p"))
    assert slack_calls(sandbox, "conversations.join") == []


def test_archived_channel_is_a_typed_error(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    stored = workspace.get_channel(sandbox.ctx, channel)
    assert stored is not None
    workspace.set_archived(sandbox.ctx, stored, True, stored["creator"])

    with pytest.raises(ChannelArchived):
        adapter.post(channel, "x", event_type=EVENT, payload=payload("a"))


def test_metadata_must_name_the_rule_and_key() -> None:
    with pytest.raises(ValueError, match="escalation_agent_"):
        message_metadata("other_app_event", payload("k"))
    with pytest.raises(ValueError, match="key"):
        message_metadata(EVENT, {"issue": "DS-1", "rule": "r"})
    assert event_type_for("Update Overdue!") == "escalation_agent_update_overdue"
    with pytest.raises(ValueError, match="rule name"):
        event_type_for("!!!")


# -- no duplicates when a post is retried -----------------------------------------------
class PostsThenFails:
    """A client whose first chat.postMessage really posts, then answers 500 (a lost answer)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.failed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def chat_postMessage(self, **kwargs: Any) -> Any:
        response = self._client.chat_postMessage(**kwargs)
        if self.failed == 0:
            self.failed += 1
            response.status_code = 500
            response.data = {"ok": False, "error": "internal_error"}
            raise SlackApiError("server error after posting", response)  # type: ignore[no-untyped-call]
        return response


@pytest.mark.parametrize("threaded", [False, True])
def test_a_post_retried_after_a_5xx_is_not_posted_twice(
    sandbox: SandboxHandle, threaded: bool
) -> None:
    sleep = RecordedSleep()
    adapter, caller = adapter_for(sandbox, sleep)
    channel = new_channel(sandbox, adapter)
    parent = adapter.post(channel, "parent", event_type=EVENT, payload=payload("parent"))
    wrapped = PostsThenFails(adapter._api._client)
    adapter._api._client = wrapped

    posted = adapter.post(
        channel,
        "only once",
        thread_ts=parent.ts if threaded else None,
        event_type=EVENT,
        payload=payload("once"),
    )

    copies = [m for m in stored_messages(sandbox, channel) if m["text"] == "only once"]
    assert [m["ts"] for m in copies] == [posted.ts]
    assert wrapped.failed == 1
    assert len(sleep.waits) == 1  # the call point retried once, found the post, stopped
    assert caller.stats.snapshot()["retries"] == 1


@pytest.mark.parametrize(("status", "looks_first"), [(429, False), (500, True), (503, True)])
def test_retry_looks_for_an_earlier_post_only_after_an_unclear_failure(
    sandbox: SandboxHandle, status: int, looks_first: bool
) -> None:
    sleep = RecordedSleep(then=lambda: sandbox.control("DELETE", "faults"))
    adapter, _ = adapter_for(sandbox, sleep)
    adapter._api._client.retry_handlers = []
    channel = new_channel(sandbox, adapter)
    sandbox.control(
        "POST",
        "faults",
        {"rate": 1.0, "statuses": [status], "retry_after": 2, "path": "chat.postMessage"},
    )

    posted = adapter.post(channel, "after a fault", event_type=EVENT, payload=payload("f"))

    assert [e["status"] for e in slack_calls(sandbox, "chat.postMessage")] == [status, 200]
    assert len(slack_calls(sandbox, "conversations.history")) == (1 if looks_first else 0)
    assert [m["ts"] for m in agent_posts(sandbox, channel)] == [posted.ts]
    if status != 500:
        assert sleep.waits[0] >= 2  # Retry-After honoured by the call point


# -- reading people's messages ----------------------------------------------------------
def test_channel_messages_are_peoples_messages_with_emails(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    alice = person(sandbox, "Alice", "Alice@Sandbox.example")
    bob = person(sandbox, "Bob", "bob@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter)
    stored = workspace.get_channel(sandbox.ctx, channel)
    assert stored is not None
    workspace.add_members(sandbox.ctx, stored, [alice, bob])
    old = workspace.post_message(sandbox.ctx, channel, "before the window", alice)
    sandbox.set_clock(START + timedelta(hours=1))
    nudge = adapter.post(channel, "Update please", event_type=EVENT, payload=payload("n"))
    first = workspace.post_message(sandbox.ctx, channel, "Investigating <b>", alice)
    workspace.post_message(sandbox.ctx, channel, "in thread", bob, thread_ts=nudge.ts)
    workspace.post_message(sandbox.ctx, channel, "in thread 2", alice, thread_ts=nudge.ts)

    messages = adapter.channel_messages(channel, START + timedelta(minutes=30))

    assert [(m.text, m.user_email) for m in messages] == [
        ("Investigating <b>", "alice@sandbox.example"),
        ("in thread", "bob@sandbox.example"),
        ("in thread 2", "alice@sandbox.example"),
    ]
    assert messages[0].ts == first["ts"]
    assert messages[0].channel == channel
    assert messages[0].user_slack_id == alice
    assert messages[0].at == ts_datetime(first["ts"])
    assert old["ts"] not in {m.ts for m in messages}
    assert len(slack_calls(sandbox, "users.info")) == 2  # one per person, cached


def test_timestamps_round_trip() -> None:
    moment = datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC)
    assert slack_ts(moment) == "1795165200.123456"
    assert ts_datetime("1795165200.123456") == moment
    assert ts_datetime("1795165200") == moment.replace(microsecond=0)
    with pytest.raises(ValueError, match="naive"):
        slack_ts(datetime(2026, 1, 1))


def test_top_level_messages_and_one_threads_replies(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(START)
    olga = person(sandbox, "Olga", "olga@sandbox.example")
    sam = person(sandbox, "Sam", "sam@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    channel = new_channel(sandbox, adapter, "operator-support")
    stored = workspace.get_channel(sandbox.ctx, channel)
    assert stored is not None
    workspace.add_members(sandbox.ctx, stored, [olga, sam])  # two channel_join messages
    report = workspace.post_message(sandbox.ctx, channel, "Feed down\nP1", olga)
    bot = adapter.post(
        channel, "Logged as DS-1", thread_ts=report["ts"], event_type=EVENT, payload=payload("r")
    )
    workspace.post_message(sandbox.ctx, channel, "Looking", sam, thread_ts=report["ts"])
    quiet = workspace.post_message(sandbox.ctx, channel, "Second report", sam)
    opened = adapter.post(channel, "Incident DS-2", event_type=EVENT, payload=payload("t"))
    workspace.post_message(sandbox.ctx, channel, "unmarked", workspace.bot_slack_id(sandbox.ctx))
    reads = len(slack_calls(sandbox, "conversations.history"))

    top = adapter.top_level_messages(channel, START - timedelta(minutes=1))

    assert [(m.text, m.user_email, m.thread_ts, m.by_agent) for m in top] == [
        ("Feed down\nP1", "olga@sandbox.example", report["ts"], False),
        ("Second report", "sam@sandbox.example", None, False),
        ("Incident DS-2", None, None, True),  # the thread the agent opened; no other of its
    ]
    assert top[0].latest_reply is not None and top[1].latest_reply is None
    assert top[1].ts == quiet["ts"] and top[2].ts == opened.ts
    assert top[2].latest_reply is None  # nobody replied: its thread needs no read
    assert len(slack_calls(sandbox, "conversations.history")) == reads + 1
    assert not slack_calls(sandbox, "conversations.replies")  # no thread was read

    replies = adapter.thread_replies(channel, report["ts"])
    assert [(m.text, m.user_slack_id, m.thread_ts) for m in replies] == [
        ("Looking", sam, report["ts"])
    ]
    assert bot.ts not in {m.ts for m in replies}  # the bot's own reply is not a person's
