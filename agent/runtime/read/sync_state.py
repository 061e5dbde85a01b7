"""Where each policy's incremental Jira read stands: a cursor and the keys it covers.

The cursor remembers where the next search starts (``updated >= since``: the
start of the last read minus an overlap for clock skew and index lag, but never
after a ticket whose details could not be read), when the last full read
happened, and a fingerprint of the query, so a changed policy starts with a
full read. The member list is the set of issue keys the policy's
query matched at the last full read, plus any seen since.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from agent.store import StateStore

log = logging.getLogger(__name__)

CURSOR_PREFIX = "jira-search:"
MEMBERS_NAMESPACE = "reader-members"


def query_fingerprint(jql: str, field_names: Sequence[str]) -> str:
    """Changes whenever the policy's query or its fields change."""
    text = json.dumps([jql, sorted(field_names)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SyncCursor:
    fingerprint: str
    since: datetime  # the next incremental search asks for ``updated >= since``
    full_at: datetime  # agent time of the last full read

    def to_text(self) -> str:
        return json.dumps(
            {
                "fingerprint": self.fingerprint,
                "since": self.since.isoformat(),
                "full_at": self.full_at.isoformat(),
            }
        )

    @staticmethod
    def from_text(text: str) -> SyncCursor:
        """Raises ValueError (KeyError, TypeError) on anything that is not a cursor."""
        data = json.loads(text)
        cursor = SyncCursor(
            fingerprint=str(data["fingerprint"]),
            since=datetime.fromisoformat(data["since"]),
            full_at=datetime.fromisoformat(data["full_at"]),
        )
        if cursor.full_at.tzinfo is None or cursor.since.tzinfo is None:
            raise ValueError("cursor times lack a time zone")
        return cursor


class SyncState:
    """Load and keep the cursor and member keys of one policy."""

    def __init__(self, store: StateStore, policy: str) -> None:
        self.store = store
        self.policy = policy

    @property
    def cursor_name(self) -> str:
        return CURSOR_PREFIX + self.policy

    def cursor(self) -> SyncCursor | None:
        """The stored cursor; None (meaning: read everything) when absent or unreadable."""
        text = self.store.get_cursor(self.cursor_name)
        if text is None:
            return None
        try:
            return SyncCursor.from_text(text)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("cursor %s is unreadable (%s); reading everything", self.cursor_name, exc)
            return None

    def members(self) -> set[str]:
        raw = self.store.kv_get(MEMBERS_NAMESPACE, self.policy)
        return {str(k) for k in raw} if isinstance(raw, list) else set()

    def save(
        self, cursor: SyncCursor, members: set[str], previous: set[str], now: datetime
    ) -> None:
        if members != previous:
            self.store.kv_put(MEMBERS_NAMESPACE, self.policy, sorted(members))
        self.store.set_cursor(self.cursor_name, cursor.to_text(), now)
