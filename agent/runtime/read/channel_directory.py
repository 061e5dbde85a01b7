"""Slack channel ids found by name, kept in the state store (kv ``slack-channel-ids``).

A policy names channels (``#ops-outages``); Slack's API wants ids, and the only
way from one to the other is the full ``conversations.list`` (Tier 2, paged).
Kept here, a name is looked up once per store, not at every process start. An
id Slack no longer knows is forgotten by the adapter and looked up again. A
read-only store (``plan``) still answers from what is kept; what it cannot
write it keeps for the process only.
"""

from __future__ import annotations

import logging

from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

NAMESPACE = "slack-channel-ids"


class StoreChannelDirectory:
    """A :class:`~agent.adapters.slack_port.ChannelDirectory` over the state store."""

    def __init__(self, store: StateStore) -> None:
        self._store = store
        self._ids: dict[str, str] | None = None

    def _known(self) -> dict[str, str]:
        if self._ids is None:
            self._ids = {
                name: value
                for name, value in self._store.kv_all(NAMESPACE).items()
                if isinstance(value, str) and value
            }
        return self._ids

    def get(self, name: str) -> str | None:
        return self._known().get(name)

    def put(self, name: str, channel_id: str) -> None:
        if self._known().get(name) == channel_id:
            return
        self._known()[name] = channel_id
        try:
            self._store.kv_put(NAMESPACE, name, channel_id)
        except StoreError as exc:
            log.debug("channel id of #%s kept for this process only: %s", name, exc)

    def forget(self, name: str) -> None:
        if self._known().pop(name, None) is None:
            return
        try:
            self._store.kv_delete(NAMESPACE, name)
        except StoreError as exc:
            log.debug("could not forget the channel id of #%s: %s", name, exc)
