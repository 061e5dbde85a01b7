"""Slack's rate limits in the sandbox: every method's tier, each channel's posts, the time scale.

Unit tests drive the limits with a hand-moved clock; the HTTP tests go through
slack-sdk with the time scale at 1 (Slack's real minute), where a full window
is reached well within it, so they never depend on the machine's speed.
"""

from __future__ import annotations

import pytest
import requests
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from agent.sandbox.api_errors import SlackError
from agent.sandbox.realism import RealismKnobs
from agent.sandbox.slack.ratelimit import ChannelPostLimit, MethodLimits
from agent.sandbox.slack.routes import METHODS
from agent.sandbox.slack.tiers import METHOD_LIMITS, Tier
from tests.support.sandbox import SandboxHandle

PATH = "slack/ratelimit"


class FakeMonotonic:
    """A hand-moved clock for the limits, so unit tests never wait."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def refused(check: object, *args: str) -> SlackError:
    with pytest.raises(SlackError) as caught:
        check(*args)  # type: ignore[operator]
    assert caught.value.status == 429
    assert caught.value.error == "ratelimited"
    return caught.value


def test_every_method_the_sandbox_serves_has_a_documented_tier() -> None:
    assert set(METHODS) == set(METHOD_LIMITS)
    assert METHOD_LIMITS["conversations.create"].tier is Tier.TIER_2
    assert METHOD_LIMITS["conversations.invite"].tier is Tier.TIER_3
    assert METHOD_LIMITS["users.info"].tier is Tier.TIER_4
    assert METHOD_LIMITS["conversations.create"].source.endswith("/methods/conversations.create")


def test_a_tier_allows_its_count_in_any_minute_then_says_when_to_come_back() -> None:
    clock = FakeMonotonic()
    limits = MethodLimits(RealismKnobs(), clock=clock)
    for _ in range(20):
        limits.check("conversations.setTopic")
        clock.now += 0.5
    error = refused(limits.check, "conversations.setTopic")  # 20 in the last 10 s
    assert error.headers == {"Retry-After": "50"}  # the first call leaves the window at 160
    limits.check("conversations.invite")  # another method has its own window
    clock.now = 159.9
    refused(limits.check, "conversations.setTopic")
    clock.now = 160.0
    limits.check("conversations.setTopic")  # one slot free: the first call's
    refused(limits.check, "conversations.setTopic")


def test_the_time_scale_shrinks_every_window() -> None:
    clock = FakeMonotonic()
    realism = RealismKnobs()
    realism.update({"slack_time_scale": 60})
    limits = MethodLimits(realism, clock=clock)
    assert limits.window() == 1.0
    for _ in range(50):
        limits.check("conversations.history")
    error = refused(limits.check, "conversations.history")
    assert error.headers == {"Retry-After": "1"}  # whole seconds, never less than one
    clock.now += 1.0
    limits.check("conversations.history")


def test_posts_per_channel_allow_a_burst_then_one_a_second() -> None:
    clock = FakeMonotonic()
    posts = ChannelPostLimit(RealismKnobs(), per_second=1.0, burst=5, clock=clock)
    for _ in range(5):
        posts.check("C1")
    assert refused(posts.check, "C1").headers == {"Retry-After": "1"}
    posts.check("C2")  # another channel has its own bucket
    clock.now += 1.0
    posts.check("C1")
    refused(posts.check, "C1")


def test_post_retry_after_rounds_up_to_whole_seconds() -> None:
    clock = FakeMonotonic()
    posts = ChannelPostLimit(RealismKnobs(), per_second=0.25, burst=1, clock=clock)
    posts.check("C1")
    clock.now += 1.0  # a quarter token back; three more seconds to a whole one
    assert refused(posts.check, "C1").headers["Retry-After"] == "3"


def test_the_time_scale_is_a_realism_knob(sandbox: SandboxHandle) -> None:
    assert sandbox.control("GET", "realism")["slack_time_scale"] == 600.0  # the fixture's
    assert sandbox.realism(slack_time_scale=120)["slack_time_scale"] == 120.0
    assert sandbox.control("GET", "slack/ratelimit")["time_scale"] == 120.0
    for bad in ({"slack_time_scale": 0}, {"slack_time_scale": "fast"}):
        response = requests.post(f"{sandbox.base}/_sandbox/realism", json=bad, timeout=5)
        assert response.status_code == 400
        assert response.json()["errorMessages"]
    sandbox.control("POST", "reset")  # back to Slack's real minute
    assert sandbox.control("GET", "realism")["slack_time_scale"] == 1.0


def test_control_surface_shows_the_limits_and_cannot_switch_them_off(
    sandbox: SandboxHandle,
) -> None:
    sandbox.realism(slack_time_scale=1)
    shown = sandbox.control("GET", PATH)
    assert (shown["per_second"], shown["burst"], shown["time_scale"]) == (1.0, 5, 1.0)
    assert shown["methods"]["conversations.create"]["tier"] == "Tier 2"
    assert shown["methods"]["conversations.create"]["per_minute"] == 20
    changed = sandbox.control("POST", PATH, {"per_second": 20, "burst": 2})
    assert (changed["per_second"], changed["burst"]) == (20.0, 2)
    for bad in ({"per_second": 0}, {"burst": 0}, {"enabled": False}, {"speed": 3}):
        response = requests.post(f"{sandbox.base}/_sandbox/{PATH}", json=bad, timeout=5)
        assert response.status_code == 400
        assert response.json()["errorMessages"]
    assert (
        "slack_time_scale"
        in requests.post(
            f"{sandbox.base}/_sandbox/{PATH}", json={"enabled": False}, timeout=5
        ).json()["errorMessages"][0]
    )
    assert sandbox.control("GET", PATH)["burst"] == 2


def test_a_tier_2_method_past_twenty_a_minute_gets_429_through_slack_sdk(
    sandbox: SandboxHandle,
) -> None:
    sandbox.realism(slack_time_scale=1)
    client = sandbox.slack()
    for n in range(20):
        client.conversations_create(name=f"room-{n}")
    with pytest.raises(SlackApiError) as caught:
        client.conversations_create(name="room-20")
    response = caught.value.response
    assert response.status_code == 429
    assert response.data == {"ok": False, "error": "ratelimited"}
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.conversations_list()["ok"] is True  # conversations.list has its own window
    names = [c["name"] for c in client.conversations_list(limit=100)["channels"]]
    assert "room-20" not in names  # the refused call did nothing


def test_burst_of_posts_beyond_the_channel_limit_gets_429(sandbox: SandboxHandle) -> None:
    sandbox.realism(slack_time_scale=1)
    # one token per 10 s: no refill can sneak in between the posts, however slow the machine
    sandbox.control("POST", PATH, {"per_second": 0.1, "burst": 3})
    client = sandbox.slack()
    channel = client.conversations_create(name="busy")["channel"]["id"]
    other = client.conversations_create(name="quiet")["channel"]["id"]
    for n in range(3):
        client.chat_postMessage(channel=channel, text=f"m{n}")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=channel, text="one too many")
    response = caught.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 10
    # the refused message was not stored, and other channels are unaffected
    texts = [m["text"] for m in client.conversations_history(channel=channel)["messages"]]
    assert "one too many" not in texts
    assert client.chat_postMessage(channel=other, text="fine")["ok"] is True


def test_retry_handler_delivers_every_message_exactly_once(sandbox: SandboxHandle) -> None:
    sandbox.realism(slack_time_scale=1)
    # two at once, then 2/s: the third post is refused and retried after Retry-After (1 s)
    sandbox.control("POST", PATH, {"per_second": 2, "burst": 2})
    client = sandbox.slack()
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    channel = client.conversations_create(name="retried")["channel"]["id"]
    sent = [f"update {n}" for n in range(4)]
    for text in sent:
        assert client.chat_postMessage(channel=channel, text=text)["ok"] is True
    history = client.conversations_history(channel=channel)["messages"]
    delivered = [m["text"] for m in reversed(history) if "subtype" not in m]
    assert delivered == sent
    statuses = [
        entry["status"]
        for entry in sandbox.requests_log()
        if entry["path"] == "/api/chat.postMessage"
    ]
    assert statuses.count(200) == 4
    assert 429 in statuses
