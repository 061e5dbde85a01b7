"""Per-channel pacing and the per-service cap on requests in flight, on a fake clock.

The pacer's clock and sleeper are injected: sleeps are recorded, not waited,
so the spacing is checked exactly and the tests never wait.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest

from agent.adapters.calls import CallPoints, ServiceCaller
from agent.adapters.pacing import (
    SLACK_POST_BURST,
    SLACK_POST_SPACING_SECONDS,
    ChannelPacer,
    PacedSlackClient,
)
from agent.adapters.retry import RetryBudget
from agent.secrets import Redactor

WAIT = 10.0


class FakeTime:
    """A monotonic clock that moves only when someone sleeps (or the test says so)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def post(pacer: ChannelPacer, key: str, time: FakeTime, takes: float = 0.0) -> tuple[float, float]:
    """One post to ``key`` lasting ``takes`` seconds; (when it started, seconds waited)."""
    with pacer.turn(key) as waited:
        started = time.clock()
        time.now += takes
    return started, waited


def test_posts_to_one_channel_keep_their_distance_and_other_channels_do_not_wait() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=1)
    assert post(pacer, "C1", time) == (100.0, 0.0)
    assert post(pacer, "C1", time) == (101.0, 1.0)
    assert post(pacer, "C2", time) == (101.0, 0.0)  # another channel: at once
    time.now += 5.0  # long after: the channel is free again
    assert post(pacer, "C1", time) == (106.0, 0.0)
    assert time.sleeps == [1.0]


def test_the_distance_counts_from_the_end_of_a_slow_or_repeated_post() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=1)
    # the SDK waited out a 429 (Retry-After: 1) inside this post: it ended 1.2 s later
    assert post(pacer, "C1", time, takes=1.2) == (100.0, 0.0)
    assert post(pacer, "C1", time) == (102.2, 1.0)


def test_threads_posting_to_one_channel_take_turns() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=1)
    starts: list[float] = []
    lock = threading.Lock()

    def one() -> None:
        started, _ = post(pacer, "C1", time, takes=0.1)
        with lock:
            starts.append(started)

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    starts.sort()
    assert len(starts) == 20
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 1.1 - 1e-9  # 0.1 s of posting plus 1 s apart, never overlapping


def test_the_default_spacing_keeps_under_one_post_a_second() -> None:
    assert SLACK_POST_SPACING_SECONDS >= 1.0
    with pytest.raises(ValueError, match=">= 0"):
        ChannelPacer(-1.0)
    with pytest.raises(ValueError, match="burst"):
        ChannelPacer(1.0, burst=0)


def test_a_quiet_channel_takes_a_short_burst_then_posts_are_spaced() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=3)
    assert [post(pacer, "C1", time)[1] for _ in range(5)] == [0.0, 0.0, 0.0, 1.0, 1.0]
    time.now += 1.5  # one and a half posts' worth of quiet refills the bucket partly
    assert [post(pacer, "C1", time)[1] for _ in range(3)] == [0.0, 0.5, 1.0]
    time.now += 60.0  # a long quiet never gives more than the burst
    assert [post(pacer, "C1", time)[1] for _ in range(4)] == [0.0, 0.0, 0.0, 1.0]
    assert SLACK_POST_BURST >= 1


def test_time_spent_posting_earns_no_credit() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=2)
    post(pacer, "C1", time, takes=5.0)  # e.g. the SDK waiting out a 429 inside the call
    post(pacer, "C1", time)
    assert post(pacer, "C1", time)[1] == 1.0  # the bucket was not refilled by the slow post


class FakeWebClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.retry_handlers = ["sdk"]

    def chat_postMessage(self, **kwargs: Any) -> str:
        self.calls.append(("chat_postMessage", kwargs))
        return "posted"

    def conversations_history(self, **kwargs: Any) -> str:
        self.calls.append(("conversations_history", kwargs))
        return "read"


def test_the_paced_client_paces_posts_only_and_passes_everything_through() -> None:
    time = FakeTime()
    inner = FakeWebClient()
    client = PacedSlackClient(inner, ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=1))

    assert client.chat_postMessage(channel="C1", text="a") == "posted"
    assert client.chat_postMessage(channel="C1", text="b") == "posted"
    assert client.conversations_history(channel="C1") == "read"
    assert client.conversations_history(channel="C1") == "read"
    assert time.sleeps == [1.0]  # the second post only; reads are not paced
    assert [name for name, _ in inner.calls].count("chat_postMessage") == 2
    client.retry_handlers = []  # settings reach the wrapped client
    assert inner.retry_handlers == [] and client.wrapped is inner


def test_a_service_caller_caps_the_requests_in_flight() -> None:
    caller = ServiceCaller("jira", Redactor([]), RetryBudget(0), max_concurrent=2)
    inside = 0
    most = 0
    changed = threading.Condition()
    release = threading.Event()

    def request() -> None:
        nonlocal inside, most
        with changed:
            inside += 1
            most = max(most, inside)
            changed.notify_all()
        release.wait(WAIT)
        with changed:
            inside -= 1

    threads = [threading.Thread(target=caller.call, args=("op", request)) for _ in range(5)]
    for thread in threads:
        thread.start()
    with changed:
        assert changed.wait_for(lambda: inside == 2, timeout=WAIT)
        assert inside == 2  # the other three wait for a free slot
    release.set()
    for thread in threads:
        thread.join(WAIT)
    assert most == 2
    assert caller.stats.snapshot()["calls"] == 5


def test_call_points_pass_the_cap_to_every_service() -> None:
    points = CallPoints.create(Redactor([]), 10.0, max_concurrent=4)
    assert {caller.max_concurrent for caller in points.all()} == {4}
    with pytest.raises(ValueError, match="max_concurrent"):
        ServiceCaller("jira", Redactor([]), RetryBudget(0), max_concurrent=0)


def test_a_paced_call_wrapped_in_another_paced_call_does_not_wait_for_itself() -> None:
    time = FakeTime()
    pacer = ChannelPacer(1.0, clock=time.clock, sleep=time.sleep, burst=1)
    with pacer.turn("C1") as outer:
        with pacer.turn("C1") as inner:  # the same thread, the same post: no deadlock
            assert inner == 0.0
        assert outer == 0.0
    assert post(pacer, "C1", time) == (101.0, 1.0)  # the next post still keeps its distance
