"""The agent's state store: what it remembers between cycles and which effects it performed.

SQLite by default (one process), PostgreSQL when several replicas share the
work. Callers depend on :class:`StateStore`; :func:`open_store` gives the SQL
implementation for ``AGENT_STATE_URL``;
:class:`MemoryStateStore` is a fake for tests that behaves the same.
"""

from agent.store.memory import MemoryStateStore
from agent.store.protocol import (
    ClaimOutcome,
    EffectClaim,
    EffectRecord,
    EffectStatus,
    JsonDoc,
    Lease,
    StateStore,
)
from agent.store.sql import SqlStateStore, open_store
from agent.store.store_errors import ClaimLostError, StoreError, UnknownEffectError

__all__ = [
    "ClaimLostError",
    "ClaimOutcome",
    "EffectClaim",
    "EffectRecord",
    "EffectStatus",
    "JsonDoc",
    "Lease",
    "MemoryStateStore",
    "SqlStateStore",
    "StateStore",
    "StoreError",
    "UnknownEffectError",
    "open_store",
]
