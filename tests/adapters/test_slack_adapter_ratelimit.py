"""A burst of posts to one channel under the sandbox's per-channel limit.

The limiter runs on real time and the client (built by ``slack_client``, as in
production) waits out each 429 for ``Retry-After`` seconds itself; the test
never sleeps. It checks from the sandbox's request log that every message
arrived exactly once, that the accepted posts never beat the token bucket, and
that no retry came sooner than the ``Retry-After`` it answered.
"""

from __future__ import annotations

import itertools
from typing import Any

from agent.adapters.slack_port import event_type_for
from tests.adapters.test_slack_support import (
    RecordedSleep,
    adapter_for,
    slack_calls,
    stored_messages,
)
from tests.support.sandbox import SandboxHandle

PER_SECOND = 5.0
BURST = 2
POSTS = 6
RETRY_AFTER = 1.0  # what the sandbox answers at this rate (whole seconds, at least 1)
CLOCK_SLACK = 0.05  # log timestamps are taken after the handler ran


def bucket_allows(accepted: list[float]) -> bool:
    """Whether every window of accepted posts fits a bucket of BURST refilled at PER_SECOND."""
    for first in range(len(accepted)):
        for last in range(first, len(accepted)):
            count = last - first + 1
            window = accepted[last] - accepted[first]
            if count > BURST + PER_SECOND * (window + CLOCK_SLACK):
                return False
    return True


def test_burst_arrives_once_each_within_the_limit(sandbox: SandboxHandle) -> None:
    sandbox.realism(slack_time_scale=1)  # the per-channel limit in real seconds
    sandbox.control("POST", "slack/ratelimit", {"per_second": PER_SECOND, "burst": BURST})
    sleep = RecordedSleep()
    adapter, caller = adapter_for(sandbox, sleep)
    # The SDK's own 429 handling is under test: without the agent's per-channel
    # pacer (tests/scale/test_paced_nudges.py covers it), so the burst hits the limit.
    adapter._api._client = adapter._api._client.wrapped
    channel = adapter.ensure_channel(
        "ds-1-burst", issue_key="DS-1", topic="DS-1", purpose="DS-1"
    ).id
    sandbox.clear_requests()

    posted = [
        adapter.post(
            channel,
            f"message {n}",
            event_type=event_type_for("burst"),
            payload={"issue": "DS-1", "rule": "burst", "key": f"burst-{n}"},
        )
        for n in range(POSTS)
    ]

    texts = [m["text"] for m in stored_messages(sandbox, channel) if "metadata" in m]
    assert texts == [f"message {n}" for n in range(POSTS)]  # each once, in order
    assert len({p.ts for p in posted}) == POSTS
    log: list[dict[str, Any]] = slack_calls(sandbox, "chat.postMessage")
    statuses = [entry["status"] for entry in log]
    assert statuses.count(200) == POSTS
    assert statuses.count(429) >= 1, "the burst should have hit the limit"
    accepted = [entry["wall"] for entry in log if entry["status"] == 200]
    assert bucket_allows(accepted)
    for refused, following in itertools.pairwise(log):
        if refused["status"] == 429:
            assert following["wall"] - refused["wall"] >= RETRY_AFTER - CLOCK_SLACK
    # the client honoured every 429 itself: the call point never had to retry
    assert sleep.waits == []
    assert caller.stats.snapshot()["errors"] == 0


def test_bucket_check_catches_a_too_fast_sequence() -> None:
    assert bucket_allows([0.0, 0.0, 1.0, 1.2, 1.4])
    assert not bucket_allows([0.0, 0.0, 0.01])
    assert not bucket_allows([0.0, 0.1, 0.2, 0.3, 0.4])
