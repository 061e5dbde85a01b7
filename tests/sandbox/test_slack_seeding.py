"""The Slack seeding API used by the demo seed, the viewer and tests (no HTTP needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.sandbox.api_errors import SlackError
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import (
    channel_messages,
    create_channel,
    create_usergroup,
    find_channel,
    post_message,
)
from agent.sandbox.store import DocStore
from tests.support.sandbox import SandboxHandle


@pytest.fixture
def ctx() -> SandboxContext:
    context = SandboxContext(store=DocStore(None), token="unused")
    context.clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC), frozen=True)
    return context


def test_create_and_find_channel(ctx: SandboxContext) -> None:
    ann = ctx.users.create("Ann", "ann@corp.example")["slackId"]
    channel = create_channel(ctx, "inc-2026-0001", creator_slack_id=ann, is_private=True)
    assert channel["creator"] == ann
    assert channel["members"] == [ann]
    assert channel["is_private"] is True
    assert find_channel(ctx, "inc-2026-0001") is channel
    assert find_channel(ctx, "#inc-2026-0001") is channel
    assert find_channel(ctx, "nope") is None


def test_channel_messages_include_replies_and_metadata_in_time_order(ctx: SandboxContext) -> None:
    ann = ctx.users.create("Ann", "ann@corp.example")["slackId"]
    channel = create_channel(ctx, "inc-7")["id"]
    parent = post_message(ctx, channel, "SEV1 declared", None)
    reply = post_message(
        ctx,
        channel,
        "ack",
        ann,
        thread_ts=parent["ts"],
        metadata={"event_type": "ack", "event_payload": {"by": ann}},
    )
    blocks = [{"type": "divider"}]
    later = post_message(ctx, channel, "update", None, blocks=blocks)
    messages = channel_messages(ctx, channel)
    assert [m.get("subtype") for m in messages] == ["channel_join", None, None, None]
    assert [m["ts"] for m in messages[1:]] == [parent["ts"], reply["ts"], later["ts"]]
    assert messages[1]["reply_count"] == 1
    assert messages[2]["thread_ts"] == parent["ts"]
    assert messages[2]["user"] == ann
    assert messages[2]["metadata"]["event_payload"] == {"by": ann}
    assert messages[3]["blocks"] == blocks
    assert all(m["channel"] == channel for m in messages)
    # the bot's messages carry its bot id, a person's do not
    assert "bot_id" in messages[1]
    assert "bot_id" not in messages[2]


def test_frozen_clock_still_gives_unique_increasing_ts(ctx: SandboxContext) -> None:
    channel = create_channel(ctx, "busy")["id"]
    stamps = [post_message(ctx, channel, f"m{n}", None)["ts"] for n in range(20)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 20
    assert stamps[0].startswith("1772442000.")


def test_post_message_errors(ctx: SandboxContext) -> None:
    with pytest.raises(SlackError) as caught:
        post_message(ctx, "C99999999", "t", None)
    assert caught.value.error == "channel_not_found"
    channel = create_channel(ctx, "inc-8")["id"]
    with pytest.raises(SlackError) as caught:
        post_message(ctx, channel, "t", None, thread_ts="1000000000.000001")
    assert caught.value.error == "thread_not_found"


def test_usergroup_seed(ctx: SandboxContext) -> None:
    ann = ctx.users.create("Ann", "ann@corp.example")["slackId"]
    group = create_usergroup(ctx, "@sre-oncall", "SRE on call", [ann], description="pager")
    assert group["handle"] == "sre-oncall"
    assert group["users"] == [ann]
    assert group["id"].startswith("S")


def test_seeded_data_is_served_over_http(sandbox: SandboxHandle) -> None:
    channel = create_channel(sandbox.ctx, "seeded")["id"]
    for n in range(8):  # seeding is not rate limited
        post_message(sandbox.ctx, channel, f"m{n}", None)
    history = sandbox.slack().conversations_history(channel=channel, limit=3)
    assert [m["text"] for m in history["messages"]] == ["m7", "m6", "m5"]
    assert history["has_more"] is True


def test_data_survives_a_restart(tmp_path: object) -> None:
    from pathlib import Path

    data_dir = Path(str(tmp_path))
    first = SandboxContext.open(data_dir, token="unused")
    channel = create_channel(first, "durable")["id"]
    post_message(first, channel, "kept", None)
    first.store.close()
    second = SandboxContext.open(data_dir, token="unused")
    assert find_channel(second, "durable") is not None
    assert [m["text"] for m in channel_messages(second, channel)][-1] == "kept"
    assert create_channel(second, "next")["id"] != channel
