"""Slack's per-method rate limits kept on our side: no more calls a minute than the tier allows.

Slack limits every Web API method per app and workspace, in tiers of calls per
minute (https://docs.slack.dev/apis/web-api/rate-limits); each method's tier is
on its reference page (https://docs.slack.dev/reference/methods/<method>,
"Rate limits"). Past the limit Slack answers 429 with ``Retry-After``, and a
first contact with a real site (a couple of hundred open escalations needing
channels at once) would spend its cycle waiting those out. So every call takes
a turn from :class:`MethodPacer` first: at most the tier's count of calls
starts in any window of a minute (plus a small margin for the network), and a
caller past that waits for the oldest call to leave the window. Other methods
never wait for it: creating channels (Tier 2) does not slow down invites
(Tier 3), so a cycle's time is set by its slowest method alone.

The window is a minute divided by ``time_scale`` (``AGENT_SLACK_TIME_SCALE``),
which is 1 against real Slack and matches the sandbox's ``slack_time_scale``
in tests. Turns are handed out in order under a lock and waited for outside it,
so threads never sleep while holding anything. Clock and sleeper are injected.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# Calls a minute per tier: the lower bound of Slack's "20+ per minute".
TIER_1 = 1
TIER_2 = 20
TIER_3 = 50
TIER_4 = 100
# chat.postMessage: "several hundred messages per minute" for the workspace (the
# per-channel second is the ChannelPacer's); auth.test: "hundreds of requests per minute".
SPECIAL_POSTING = 300
SPECIAL_AUTH = 200

CALLS_PER_MINUTE: dict[str, int] = {
    "auth.test": SPECIAL_AUTH,
    "chat.postMessage": SPECIAL_POSTING,
    "chat.update": TIER_3,
    "conversations.archive": TIER_2,
    "conversations.create": TIER_2,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.invite": TIER_3,
    "conversations.join": TIER_3,
    "conversations.list": TIER_2,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "conversations.setPurpose": TIER_2,
    "conversations.setTopic": TIER_2,
    "conversations.unarchive": TIER_2,
    "pins.add": TIER_2,
    "pins.remove": TIER_2,
    "usergroups.list": TIER_2,
    "usergroups.users.list": TIER_2,
    "users.info": TIER_4,
    "users.lookupByEmail": TIER_3,
}
# A method missing from the table is paced as the most common tier (Slack's own SDKs do so).
DEFAULT_CALLS_PER_MINUTE = TIER_2
WINDOW_SECONDS = 60.0
# The window is kept this much longer than a minute, so that requests which leave in
# order but arrive a little out of order (network jitter) still fit Slack's minute.
WINDOW_MARGIN = 0.05


def by_sdk_name() -> dict[str, str]:
    """``conversations_create`` -> ``conversations.create``: slack_sdk names its methods so."""
    return {method.replace(".", "_"): method for method in CALLS_PER_MINUTE}


class MethodPacer:
    """Turns per method: at most its calls a minute start in any window of that length."""

    def __init__(
        self,
        time_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        limits: dict[str, int] | None = None,
    ) -> None:
        if not time_scale >= 1.0:
            raise ValueError(f"a Slack time scale is a number >= 1, not {time_scale!r}")
        self.window = WINDOW_SECONDS * (1.0 + WINDOW_MARGIN) / time_scale
        self.limits = dict(CALLS_PER_MINUTE if limits is None else limits)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._starts: dict[str, deque[float]] = {}

    def limit(self, method: str) -> int:
        return self.limits.get(method, DEFAULT_CALLS_PER_MINUTE)

    def reserve(self, method: str) -> float:
        """The moment this call of ``method`` may start, booked for it (now or later)."""
        allowed = self.limit(method)
        with self._lock:
            now = self._clock()
            starts = self._starts.setdefault(method, deque())
            while starts and starts[0] <= now - self.window:
                starts.popleft()
            start = now if len(starts) < allowed else max(now, starts[-allowed] + self.window)
            starts.append(start)
            return start

    def wait_turn(self, method: str) -> float:
        """Wait until ``method`` may be called again; returns the seconds waited."""
        start = self.reserve(method)
        wait = start - self._clock()
        if wait > 0:
            self._sleep(wait)
            return wait
        return 0.0
