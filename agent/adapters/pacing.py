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
``slack_sdk.WebClient``: it paces ``chat.postMessage`` and ``chat.update`` per
channel (a DM is a channel too: its id is the key), and every method per its
rate-limit tier (:mod:`agent.adapters.slack_rates`).

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

from agent.adapters.slack_rates import MethodPacer, by_sdk_name

# One post per channel per this many seconds. 5% above Slack's one a second, so
# network jitter never makes two posts arrive closer than a second apart.
SLACK_POST_SPACING_SECONDS = 1.05
# Posts a quiet channel takes at once before the spacing applies ("short bursts allowed").
SLACK_POST_BURST = 3
# Methods that post into a channel and count against its limit.
PACED_METHODS = frozenset({"chat.postMessage", "chat.update"})
_SDK_METHODS = by_sdk_name()
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
    """A ``WebClient`` whose Web API methods wait for their turn before each request.

    Every method waits for its rate-limit turn (:class:`~agent.adapters.slack_rates.MethodPacer`);
    the posting methods also wait for their channel's turn first. Everything else
    is the wrapped client's own attribute, so the adapter calls it exactly as it
    would call the ``WebClient``.
    """

    _OWN = frozenset({"_client", "pacer", "methods"})

    def __init__(
        self,
        client: Any,
        pacer: ChannelPacer | None = None,
        methods: MethodPacer | None = None,
    ) -> None:
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "pacer", pacer or ChannelPacer())
        object.__setattr__(self, "methods", methods or MethodPacer())

    @property
    def wrapped(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        method = _SDK_METHODS.get(name)
        if method is not None and callable(attribute):
            return functools.partial(self._paced, method, attribute)
        return attribute

    def __setattr__(self, name: str, value: Any) -> None:
        # Settings such as ``retry_handlers`` belong to the client that uses them.
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self._client, name, value)

    def _paced(self, method: str, call: Callable[..., Any], /, **kwargs: Any) -> Any:
        channel = kwargs.get("channel")
        if method not in PACED_METHODS or not isinstance(channel, str) or not channel:
            self.methods.wait_turn(method)
            return call(**kwargs)
        with self.pacer.turn(channel):
            self.methods.wait_turn(method)
            return call(**kwargs)
