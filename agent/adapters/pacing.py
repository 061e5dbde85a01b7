"""Slack's posting limit kept on our side: at most one message a second per channel.

Slack allows "about one message per second per channel, short bursts
allowed" and answers 429 beyond it. With the executor's lanes posting at the
same time, two lanes can nudge into the same channel (a shared ``#ops``
channel, or one person's DM from two tickets); pacing them here means 429s
stay rare and a cycle with many nudges spreads them instead of burning the
retry budget on ``Retry-After`` waits.

:class:`ChannelPacer` gives each channel a *turn*: one post at a time per
channel, and a small bucket of ``burst`` posts that refills by one every
``spacing`` seconds, like Slack's own limit. A quiet channel takes a short burst
(an escalation's intro, its nudge and a note) at once; past the burst, posts
start ``spacing`` seconds apart. Refill counts only the time between posts,
from the previous post's *end*: that covers the SDK's own waits, since a post
answered 429 is repeated inside the same ``chat_postMessage`` call after
``Retry-After``, and the next post still keeps its distance from the repeat.
Other channels are never held up. The clock and the sleeper are injected, so
tests check the spacing without sleeping. :class:`PacedSlackClient` wraps the
``slack_sdk.WebClient`` and paces ``chat.postMessage`` and ``chat.update`` (a
DM is a channel too: its id is the key).

A small class rather than a rate-limiting library: what is needed is "per key,
one at a time, a fixed distance from the previous one ending, shared by
threads, with a fake clock", a few dozen lines; the libraries (pyrate-limiter
and others) count requests per time window from their start and bring their
own clocks and back-ends.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# One post per channel per this many seconds. 5% above Slack's one a second, so
# network jitter never makes two posts arrive closer than a second apart.
SLACK_POST_SPACING_SECONDS = 1.05
# Posts a quiet channel takes at once before the spacing applies ("short bursts allowed").
SLACK_POST_BURST = 3
# Methods that post into a channel and count against its limit.
PACED_METHODS = frozenset({"chat_postMessage", "chat_update"})
# Past this many channels, idle ones are forgotten (keeps the table small).
_PRUNE_AFTER = 1024


@dataclass
class _Channel:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_end: float | None = None  # when the previous post to it ended
    credit: float = 0.0  # posts it may start without waiting (refilled from last_end)
    holder: int | None = None  # the thread whose turn it is (a nested turn is its own)
    users: int = 0  # threads holding or waiting for its turn (never pruned then)


class ChannelPacer:
    """One post at a time per key; past a burst, ``spacing`` seconds after the previous end."""

    def __init__(
        self,
        spacing: float = SLACK_POST_SPACING_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        *,
        burst: int = SLACK_POST_BURST,
    ) -> None:
        if not spacing >= 0:
            raise ValueError(f"a pacing spacing is a number of seconds >= 0, not {spacing!r}")
        if burst < 1:
            raise ValueError(f"a pacing burst is a number of posts >= 1, not {burst!r}")
        self.spacing = spacing
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}

    def _enter(self, key: str) -> _Channel:
        with self._lock:
            if len(self._channels) > _PRUNE_AFTER:
                cutoff = self._clock() - self.spacing * self.burst  # full again: forgettable
                self._channels = {
                    k: c
                    for k, c in self._channels.items()
                    if c.users or c.last_end is None or c.last_end > cutoff
                }
            channel = self._channels.setdefault(key, _Channel())
            channel.users += 1
            return channel

    def _leave(self, channel: _Channel) -> None:
        with self._lock:
            channel.users -= 1

    def _wait_for_credit(self, channel: _Channel) -> float:
        """Refill the channel's bucket, wait for one post's credit if it is empty, spend it."""
        if channel.last_end is None or self.spacing == 0:
            channel.credit = float(self.burst)
        else:
            idle = max(0.0, self._clock() - channel.last_end)
            channel.credit = min(float(self.burst), channel.credit + idle / self.spacing)
        waited = 0.0
        if channel.credit < 1.0:
            waited = (1.0 - channel.credit) * self.spacing
            self._sleep(waited)
            channel.credit = 1.0
        channel.credit -= 1.0
        return waited

    @contextmanager
    def turn(self, key: str) -> Iterator[float]:
        """Wait for ``key``'s turn, hold it while posting; yields the seconds waited."""
        channel = self._enter(key)
        if channel.holder == threading.get_ident():
            # a wrapper around a paced call (e.g. a test's tampering) posting the same message
            self._leave(channel)
            yield 0.0
            return
        try:
            with channel.lock:
                channel.holder = threading.get_ident()
                waited = self._wait_for_credit(channel)
                try:
                    yield waited
                finally:
                    channel.last_end = self._clock()
                    channel.holder = None
        finally:
            self._leave(channel)


class PacedSlackClient:
    """A ``WebClient`` whose posting methods wait for their channel's turn.

    Everything else is the wrapped client's own attribute, so the adapter calls
    it exactly as it would call the ``WebClient``.
    """

    _OWN = frozenset({"_client", "pacer"})

    def __init__(self, client: Any, pacer: ChannelPacer | None = None) -> None:
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "pacer", pacer or ChannelPacer())

    @property
    def wrapped(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name in PACED_METHODS and callable(attribute):
            return functools.partial(self._paced, attribute)
        return attribute

    def __setattr__(self, name: str, value: Any) -> None:
        # Settings such as ``retry_handlers`` belong to the client that uses them.
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self._client, name, value)

    def _paced(self, method: Callable[..., Any], /, **kwargs: Any) -> Any:
        channel = kwargs.get("channel")
        if not isinstance(channel, str) or not channel:
            return method(**kwargs)  # Slack refuses it; nothing to pace
        with self.pacer.turn(channel):
            return method(**kwargs)
