"""Slack ``conversations.*`` management methods through the real slack-sdk client."""

from __future__ import annotations

import re
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import channel_messages, create_channel
from agent.sandbox.slack.naming import validate_channel_name
from agent.sandbox.slack.workspace import get_channel
from tests.support.sandbox import SandboxHandle


def _error(call: Any, *args: Any, **kwargs: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call(*args, **kwargs)
    return caught.value


NAME_CORPUS = [
    ("Incident-42", "invalid_name_specials"),  # uppercase
    ("inc 42", "invalid_name_specials"),  # space
    ("inc.42", "invalid_name_specials"),  # period
    ("inc#42", "invalid_name_specials"),
    ("🚨-inc-42", "invalid_name_specials"),  # emoji
    ("Élan", "invalid_name_specials"),  # uppercase outside ASCII
    ("x" * 81, "invalid_name_maxlength"),
    ("", "invalid_name_required"),
    ("---", "invalid_name_punctuation"),
    ("here", "invalid_name"),  # reserved for @here
]

VALID_NAMES = ["inc-42", "inc_2026_11_22", "x" * 80, "42", "café-ops", "障害対応"]


@pytest.mark.parametrize(("name", "error"), NAME_CORPUS)
def test_create_rejects_bad_names_with_slacks_error(
    sandbox: SandboxHandle, name: str, error: str
) -> None:
    failure = _error(sandbox.slack().conversations_create, name=name)
    assert failure.response["error"] == error
    assert failure.response.status_code == 200
    assert sandbox.slack().conversations_list()["channels"] == []


@pytest.mark.parametrize("name", VALID_NAMES)
def test_name_rules_accept_slack_valid_names(name: str) -> None:
    assert validate_channel_name(name) == name


def test_create_returns_a_slack_channel_with_the_bot_as_member(sandbox: SandboxHandle) -> None:
    sandbox.set_clock("2026-03-02T09:00:00+00:00")
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-2026-0001")["channel"]
    bot = sandbox.ctx.users.bot()["slackId"]
    assert re.fullmatch(r"C[A-Z0-9]{8,}", channel["id"])
    assert channel["name"] == "inc-2026-0001"
    assert channel["is_channel"] is True
    assert channel["is_private"] is False
    assert channel["is_archived"] is False
    assert channel["created"] == 1772442000
    assert channel["creator"] == bot
    assert channel["is_member"] is True
    assert channel["topic"] == {"value": "", "creator": "", "last_set": 0}
    assert client.conversations_members(channel=channel["id"])["members"] == [bot]
    info = client.conversations_info(channel=channel["id"], include_num_members=True)
    assert info["channel"]["num_members"] == 1


def test_name_taken_also_for_archived_channels(sandbox: SandboxHandle) -> None:
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-1")["channel"]
    assert _error(client.conversations_create, name="inc-1").response["error"] == "name_taken"
    client.conversations_archive(channel=channel["id"])
    assert _error(client.conversations_create, name="inc-1").response["error"] == "name_taken"


def test_private_channels_are_listed_only_when_asked(sandbox: SandboxHandle) -> None:
    client = sandbox.slack()
    public = client.conversations_create(name="public-one")["channel"]
    private = client.conversations_create(name="secret-one", is_private=True)["channel"]
    assert private["is_private"] is True
    default_ids = [c["id"] for c in client.conversations_list()["channels"]]
    assert default_ids == [public["id"]]
    both = client.conversations_list(types="public_channel,private_channel")["channels"]
    assert [c["id"] for c in both] == [public["id"], private["id"]]
    # a private channel the bot is not in is invisible
    create_channel(sandbox.ctx, "hidden", creator_slack_id="U00001000", is_private=True)
    again = client.conversations_list(types=["public_channel", "private_channel"])["channels"]
    assert "hidden" not in [c["name"] for c in again]
    assert _error(client.conversations_list, types="rooms").response["error"] == "invalid_types"


def test_list_pages_with_cursor_and_excludes_archived(sandbox: SandboxHandle) -> None:
    client = sandbox.slack()
    ids = [client.conversations_create(name=f"chan-{n}")["channel"]["id"] for n in range(5)]
    client.conversations_archive(channel=ids[1])
    seen: list[str] = []
    for page in client.conversations_list(limit=2, exclude_archived=True):
        assert len(page["channels"]) <= 2
        seen.extend(channel["id"] for channel in page["channels"])
    assert seen == [ids[0], *ids[2:]]
    everything = client.conversations_list(limit=100)["channels"]
    assert [c["is_archived"] for c in everything] == [False, True, False, False, False]


def test_info_unknown_channel(sandbox: SandboxHandle) -> None:
    failure = _error(sandbox.slack().conversations_info, channel="C99999999")
    assert failure.response["error"] == "channel_not_found"


def test_invite_adds_people_and_announces_them(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-7")["channel"]["id"]
    answer = client.conversations_invite(channel=channel, users=[ann, bob])
    assert answer["channel"]["num_members"] == 3
    bot = sandbox.ctx.users.bot()["slackId"]
    assert client.conversations_members(channel=channel)["members"] == [bot, ann, bob]
    joins = [
        m for m in channel_messages(sandbox.ctx, channel) if m.get("subtype") == "channel_join"
    ]
    assert [m["user"] for m in joins] == [bot, ann, bob]
    assert joins[1]["inviter"] == bot
    assert joins[1]["text"] == f"<@{ann}> has joined the channel"


def test_invite_errors(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-8")["channel"]["id"]
    client.conversations_invite(channel=channel, users=ann)

    already = _error(client.conversations_invite, channel=channel, users=ann).response
    assert already["error"] == "already_in_channel"
    assert already["errors"] == [{"user": ann, "ok": False, "error": "already_in_channel"}]

    unknown = _error(client.conversations_invite, channel=channel, users="U99999999").response
    assert unknown["error"] == "user_not_found"

    bot = sandbox.ctx.users.bot()["slackId"]
    assert _error(client.conversations_invite, channel=channel, users=bot).response["error"] == (
        "cant_invite_self"
    )
    assert _error(client.conversations_invite, channel="C99999999", users=ann).response[
        "error"
    ] == ("channel_not_found")

    foreign = create_channel(sandbox.ctx, "not-mine", creator_slack_id=ann)
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    assert _error(client.conversations_invite, channel=foreign["id"], users=bob).response[
        "error"
    ] == ("not_in_channel")

    client.conversations_archive(channel=channel)
    assert _error(client.conversations_invite, channel=channel, users=bob).response["error"] == (
        "is_archived"
    )


def test_invite_with_force_skips_the_invalid_ids(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-9")["channel"]["id"]
    answer = client.conversations_invite(channel=channel, users=[ann, "U99999999"], force=True)
    assert answer["channel"]["num_members"] == 2
    assert ann in client.conversations_members(channel=channel)["members"]
    # without force nobody is invited when one id is bad
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    failure = _error(client.conversations_invite, channel=channel, users=[bob, "U99999999"])
    assert failure.response["error"] == "user_not_found"
    assert bob not in client.conversations_members(channel=channel)["members"]


def test_join_public_channel_and_join_twice(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    channel = create_channel(sandbox.ctx, "war-room", creator_slack_id=ann)
    client = sandbox.slack()
    first = client.conversations_join(channel=channel["id"])
    assert first["channel"]["is_member"] is True
    assert "warning" not in first
    second = client.conversations_join(channel=channel["id"])
    assert second["warning"] == "already_in_channel"
    assert second["response_metadata"]["warnings"] == ["already_in_channel"]
    bot = sandbox.ctx.users.bot()["slackId"]
    assert client.conversations_members(channel=channel["id"])["members"] == [ann, bot]


def test_join_refuses_archived_and_unknown_channels(sandbox: SandboxHandle) -> None:
    client = sandbox.slack()
    channel = client.conversations_create(name="old")["channel"]["id"]
    client.conversations_archive(channel=channel)
    assert _error(client.conversations_join, channel=channel).response["error"] == "is_archived"
    assert _error(client.conversations_join, channel="C99999999").response["error"] == (
        "channel_not_found"
    )


def test_members_pages_with_cursor(sandbox: SandboxHandle) -> None:
    people = [sandbox.add_user(f"P{n}", f"p{n}@corp.example")["slackId"] for n in range(4)]
    client = sandbox.slack()
    channel = client.conversations_create(name="crowd")["channel"]["id"]
    client.conversations_invite(channel=channel, users=people)
    seen: list[str] = []
    for page in client.conversations_members(channel=channel, limit=2):
        seen.extend(page["members"])
    assert seen == [sandbox.ctx.users.bot()["slackId"], *people]


def test_set_topic_and_purpose_post_system_messages(sandbox: SandboxHandle) -> None:
    sandbox.set_clock("2026-03-02T09:00:00+00:00")
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-10")["channel"]["id"]
    topic = client.conversations_setTopic(channel=channel, topic="SEV1: checkout down")
    bot = sandbox.ctx.users.bot()["slackId"]
    assert topic["channel"]["topic"] == {
        "value": "SEV1: checkout down",
        "creator": bot,
        "last_set": 1772442000,
    }
    purpose = client.conversations_setPurpose(channel=channel, purpose="Incident room")
    assert purpose["channel"]["purpose"]["value"] == "Incident room"
    newest = client.conversations_history(channel=channel, limit=2)["messages"]
    assert [m["subtype"] for m in newest] == ["channel_purpose", "channel_topic"]
    assert newest[0]["text"] == "set the channel purpose: Incident room"
    assert newest[1]["text"] == "set the channel topic: SEV1: checkout down"
    failure = _error(client.conversations_setTopic, channel=channel, topic="x" * 251)
    assert failure.response["error"] == "too_long"


def test_set_topic_needs_membership_and_an_active_channel(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    foreign = create_channel(sandbox.ctx, "not-mine", creator_slack_id=ann)
    client = sandbox.slack()
    failure = _error(client.conversations_setTopic, channel=foreign["id"], topic="t")
    assert failure.response["error"] == "not_in_channel"
    own = client.conversations_create(name="mine")["channel"]["id"]
    client.conversations_archive(channel=own)
    failure = _error(client.conversations_setPurpose, channel=own, purpose="p")
    assert failure.response["error"] == "is_archived"


def test_archiving_removes_every_member_and_a_bot_cannot_undo_it(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-11")["channel"]["id"]
    client.conversations_invite(channel=channel, users=[ann])
    assert _error(client.conversations_unarchive, channel=channel).response["error"] == (
        "not_archived"
    )
    assert client.conversations_archive(channel=channel)["ok"] is True
    info = client.conversations_info(channel=channel)["channel"]
    assert (info["is_archived"], info["is_member"]) == (True, False)
    assert get_channel(sandbox.ctx, channel)["members"] == []  # Ann and the bot are out
    assert _error(client.conversations_archive, channel=channel).response["error"] == (
        "already_archived"
    )
    # a bot token cannot unarchive, join, read or post: it is no longer in the channel
    assert _error(client.conversations_unarchive, channel=channel).response["error"] == (
        "not_in_channel"
    )
    assert _error(client.conversations_join, channel=channel).response["error"] == "is_archived"
    assert _error(client.conversations_history, channel=channel).response["error"] == (
        "not_in_channel"
    )
    assert _error(client.chat_postMessage, channel=channel, text="x").response["error"] == (
        "is_archived"
    )
    assert client.conversations_info(channel=channel)["channel"]["is_archived"] is True
    subtypes = [m.get("subtype") for m in channel_messages(sandbox.ctx, channel)]
    assert subtypes[-1] == "channel_archive"


def test_open_gives_one_dm_per_person(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    first = client.conversations_open(users=[ann])
    dm = first["channel"]["id"]
    assert re.fullmatch(r"D[A-Z0-9]{8,}", dm)
    assert "already_open" not in first
    second = client.conversations_open(users=ann)
    assert second["channel"]["id"] == dm
    assert second["already_open"] is True
    full = client.conversations_open(users=ann, return_im=True)["channel"]
    assert full["is_im"] is True
    assert full["user"] == ann
    # DMs are not channels: not listed by default, listed with types=im
    assert client.conversations_list()["channels"] == []
    assert [c["id"] for c in client.conversations_list(types="im")["channels"]] == [dm]


def test_open_errors(sandbox: SandboxHandle) -> None:
    client = sandbox.slack()
    failure = _error(client.conversations_open, users="U99999999")
    assert failure.response["error"] == "user_not_found"
    failure = _error(client.api_call, "conversations.open", params={})
    assert failure.response["error"] == "users_list_not_supplied"
    gone = sandbox.add_user("Gone", "gone@corp.example")
    sandbox.control("DELETE", f"users/{gone['accountId']}")
    failure = _error(client.conversations_open, users=gone["slackId"])
    assert failure.response["error"] == "user_disabled"


def test_seeding_create_channel_raises_slack_errors(sandbox: SandboxHandle) -> None:
    create_channel(sandbox.ctx, "seeded")
    with pytest.raises(SlackError) as caught:
        create_channel(sandbox.ctx, "seeded")
    assert caught.value.error == "name_taken"
    with pytest.raises(SlackError) as caught:
        create_channel(sandbox.ctx, "Bad Name")
    assert caught.value.error == "invalid_name_specials"
