"""Acting as a person: ``/_sandbox/slack/post`` and ``/_sandbox/slack/archive``.

What a person does shows through the Web API exactly as in Slack: their
message is theirs (no bot id) and the bot reads it back with slack-sdk; the
channel they archive is archived for the bot too.
"""

from __future__ import annotations

from typing import Any

import requests
from slack_sdk.errors import SlackApiError

from agent.sandbox.slack import create_channel
from tests.support.sandbox import SandboxHandle


def act(sandbox: SandboxHandle, what: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = requests.post(f"{sandbox.base}/_sandbox/slack/{what}", json=body, timeout=5)
    return response.status_code, response.json()


def test_a_person_posts_and_replies_and_the_bot_reads_it(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-1")["channel"]["id"]
    status, posted = act(
        sandbox, "post", {"as": "ann@corp.example", "channel": "#inc-1", "text": "on it"}
    )
    assert status == 200
    assert posted["ok"] is True and posted["channel"] == channel
    status, reply = act(
        sandbox,
        "post",
        {"as": "ann@corp.example", "channel": channel, "text": "fixed", "thread_ts": posted["ts"]},
    )
    assert status == 200
    newest = client.conversations_history(channel=channel, limit=1)["messages"][0]
    assert (newest["user"], newest["text"], newest["ts"]) == (ann, "on it", posted["ts"])
    assert "bot_id" not in newest
    thread = client.conversations_replies(channel=channel, ts=posted["ts"])["messages"]
    assert [m["text"] for m in thread] == ["on it", "fixed"]
    assert thread[1]["ts"] == reply["ts"]
    # posting in a public channel made Ann a member, as Slack's client does
    assert ann in client.conversations_members(channel=channel)["members"]


def test_a_person_archives_a_channel_and_the_bot_is_out_of_it(sandbox: SandboxHandle) -> None:
    sandbox.add_user("Ann", "ann@corp.example")
    client = sandbox.slack()
    channel = client.conversations_create(name="inc-2")["channel"]["id"]
    status, _ = act(sandbox, "archive", {"as": "ann@corp.example", "channel": channel})
    assert status == 400  # Ann is not in the channel yet
    act(sandbox, "post", {"as": "ann@corp.example", "channel": channel, "text": "closing"})
    status, answer = act(sandbox, "archive", {"as": "ann@corp.example", "channel": "#inc-2"})
    assert (status, answer) == (200, {"ok": True})
    info = client.conversations_info(channel=channel)["channel"]
    assert (info["is_archived"], info["is_member"]) == (True, False)
    try:
        client.chat_postMessage(channel=channel, text="still here?")
    except SlackApiError as exc:
        assert exc.response["error"] == "is_archived"
    else:
        raise AssertionError("the bot posted in an archived channel")
    assert act(sandbox, "archive", {"as": "ann@corp.example", "channel": channel}) == (
        400,
        {"ok": False, "error": "already_archived"},
    )


def test_person_actions_fail_like_slack(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    sandbox.add_user("Nobody In Slack", "no-slack@corp.example", slack=False)
    private = create_channel(sandbox.ctx, "secret", creator_slack_id=ann, is_private=True)
    cases = [
        ({"as": "ghost@corp.example", "channel": "#secret", "text": "x"}, "users_not_found"),
        ({"as": "no-slack@corp.example", "channel": "#secret", "text": "x"}, "users_not_found"),
        ({"as": "ann@corp.example", "channel": "#nowhere", "text": "x"}, "channel_not_found"),
        ({"as": "ann@corp.example", "channel": "#secret", "text": ""}, "no_text"),
        (
            {"as": "ann@corp.example", "channel": "#secret", "text": "x", "thread_ts": "1.000001"},
            "thread_not_found",
        ),
    ]
    for body, error in cases:
        assert act(sandbox, "post", body) == (400, {"ok": False, "error": error}), body
    sandbox.add_user("Bob", "bob@corp.example")
    outsider = {"as": "bob@corp.example", "channel": private["id"], "text": "hi"}
    assert act(sandbox, "post", outsider) == (400, {"ok": False, "error": "channel_not_found"})
    assert act(sandbox, "post", {"as": "ann@corp.example", "channel": "#secret", "text": "ok"})[0]
    assert act(sandbox, "archive", {"as": "ann@corp.example", "channel": "#secret"})[0] == 200
    archived = {"as": "ann@corp.example", "channel": private["id"], "text": "late"}
    assert act(sandbox, "post", archived) == (400, {"ok": False, "error": "channel_not_found"})
