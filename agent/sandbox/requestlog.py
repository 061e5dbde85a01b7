"""The sandbox's request log: what was asked, of which service, with what answer.

Tests and benchmarks read it (``GET /_sandbox/requests``) to count calls and to
check that nothing was written during a dry run.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Slack methods that only read, though every Slack call is a POST.
SLACK_READ_METHODS = frozenset(
    {
        "auth.test",
        "users.list",
        "users.info",
        "users.lookupByEmail",
        "conversations.list",
        "conversations.info",
        "conversations.members",
        "conversations.history",
        "conversations.replies",
        "pins.list",
        "usergroups.list",
        "usergroups.users.list",
    }
)


def is_write(method: str, path: str, service: str) -> bool:
    """Whether a logged request changed something (Slack reads are POSTs too)."""
    if service == "slack":
        return path.rsplit("/", 1)[-1] not in SLACK_READ_METHODS
    if method == "POST" and path.rstrip("/").endswith(("/search/jql", "/search")):
        return False
    return method in WRITE_METHODS


class RequestLog:
    def __init__(self, limit: int = 500_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=limit)

    def record(self, entry: dict[str, Any]) -> None:
        entry["write"] = is_write(entry["method"], entry["path"], entry["service"])
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
