"""Slack's per-channel posting limit: 429 with Retry-After, and slack-sdk's retry handler."""

from __future__ import annotations

import pytest
import requests
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from agent.sandbox.errors import SlackError
from agent.sandbox.slack.ratelimit import ChannelRateLimiter
from tests.support.sandbox import SandboxHandle

PATH = "slack/ratelimit"


class FakeMonotonic:
    """A hand-moved clock for the limiter, so unit tests never wait."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_one_per_interval() -> None:
    clock = FakeMonotonic()
    limiter = ChannelRateLimiter(per_second=1.0, burst=5, clock=clock)
    for _ in range(5):
        limiter.check("C1")
    with pytest.raises(SlackError) as caught:
        limiter.check("C1")
    assert caught.value.status == 429
    assert caught.value.error == "ratelimited"
    assert caught.value.headers == {"Retry-After": "1"}
    limiter.check("C2")  # another channel has its own bucket
    clock.now += 1.0
    limiter.check("C1")
    with pytest.raises(SlackError):
        limiter.check("C1")


def test_retry_after_rounds_up_to_whole_seconds() -> None:
    clock = FakeMonotonic()
    limiter = ChannelRateLimiter(per_second=0.25, burst=1, clock=clock)
    limiter.check("C1")
    clock.now += 1.0  # a quarter token back; three more seconds to a whole one
    with pytest.raises(SlackError) as caught:
        limiter.check("C1")
    assert caught.value.headers["Retry-After"] == "3"


def test_disabled_limiter_never_refuses() -> None:
    limiter = ChannelRateLimiter(per_second=1.0, burst=1, enabled=False, clock=FakeMonotonic())
    for _ in range(20):
        limiter.check("C1")


def test_control_surface_reads_and_validates_config(sandbox: SandboxHandle) -> None:
    assert sandbox.control("GET", PATH) == {"per_second": 1.0, "burst": 5, "enabled": True}
    changed = sandbox.control("POST", PATH, {"per_second": 20, "burst": 2})
    assert changed == {"per_second": 20.0, "burst": 2, "enabled": True}
    for bad in ({"per_second": 0}, {"burst": 0}, {"enabled": "yes"}, {"speed": 3}):
        response = requests.post(f"{sandbox.base}/_sandbox/{PATH}", json=bad, timeout=5)
        assert response.status_code == 400
        assert response.json()["errorMessages"]
    assert sandbox.control("GET", PATH)["burst"] == 2


def test_burst_beyond_the_limit_gets_429_with_retry_after(sandbox: SandboxHandle) -> None:
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
    assert response.data == {"ok": False, "error": "ratelimited"}
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 10
    # the refused message was not stored, and other channels are unaffected
    texts = [m["text"] for m in client.conversations_history(channel=channel)["messages"]]
    assert "one too many" not in texts
    assert client.chat_postMessage(channel=other, text="fine")["ok"] is True


def test_disabled_through_the_control_surface(sandbox: SandboxHandle) -> None:
    sandbox.control("POST", PATH, {"burst": 1, "enabled": False})
    client = sandbox.slack()
    channel = client.conversations_create(name="flood")["channel"]["id"]
    for n in range(8):
        client.chat_postMessage(channel=channel, text=f"m{n}")
    assert len(client.conversations_history(channel=channel)["messages"]) == 9  # + join


def test_retry_handler_delivers_every_message_exactly_once(sandbox: SandboxHandle) -> None:
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
