"""Remembering search results until an issue changes.

Agents poll the same JQL and page through it with ``nextPageToken``; running
a query over 10,000 issues once per change instead of once per page keeps
pages fast and paging consistent. A result is reused only while the store has
seen no write (its sequence number, the issue count and the first and last
issue objects are unchanged), for the same user, and — for queries that use
relative dates or date functions — at the same sandbox instant.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc

MAX_ENTRIES = 64

_caches: dict[int, SearchCache] = {}


class SearchCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], list[Doc]] = OrderedDict()

    def get_or_run(self, key: tuple[Any, ...], run: Callable[[], list[Doc]]) -> list[Doc]:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return hit
        result = run()
        with self._lock:
            self._entries[key] = result
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
        return result


def cache_for(ctx: SandboxContext) -> SearchCache:
    key = id(ctx)
    cache = _caches.get(key)
    if cache is None:
        cache = _caches[key] = SearchCache()
        weakref.finalize(ctx, _caches.pop, key, None)
    return cache


def data_revision(ctx: SandboxContext, issues: list[Doc]) -> tuple[Any, ...] | None:
    """What must be unchanged for a cached result to stand (None: do not cache)."""
    sequence = getattr(ctx.store, "_seq", None)
    if sequence is None:
        return None
    if not issues:
        return (sequence, 0, 0, 0)
    return (sequence, len(issues), id(issues[0]), id(issues[-1]))
