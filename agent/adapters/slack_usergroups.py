"""Slack user groups (``@sre-oncall``): a handle's id and its members.

Policies name groups by handle because that is what people see in Slack; the
API works with ids (``S0123``). ``usergroups.list`` is asked once and cached
for the adapter's lifetime; a handle missing from the cache, or an id Slack no
longer knows, reads the list again, so a group created or re-created since is
found. Members are read fresh every time with ``usergroups.users.list``
because on-call rotations change them often. Both need ``usergroups:read``.
"""

from __future__ import annotations

import logging
from typing import Any

from agent.adapters.slack_api import SlackApi

log = logging.getLogger(__name__)

GROUP_GONE = frozenset({"no_such_subteam", "subteam_not_found"})


def handle_of(group: str) -> str:
    """``@sre-oncall`` or ``sre-oncall`` -> ``sre-oncall`` (how Slack stores handles)."""
    return group.strip().removeprefix("@").lower()


class UserGroups:
    """Handle -> id (cached) and id -> member ids (fresh) through the Web API."""

    def __init__(self, api: SlackApi) -> None:
        self._api = api
        self._ids: dict[str, str] | None = None

    def _listing(self, *, refresh: bool = False) -> dict[str, str]:
        if self._ids is None or refresh:
            answer = self._api.call("usergroups.list", include_disabled=False)
            groups: list[Any] = answer.get("usergroups") or []
            self._ids = {
                handle_of(str(group["handle"])): str(group["id"])
                for group in groups
                if isinstance(group, dict) and group.get("handle") and group.get("id")
            }
        return self._ids

    def group_id(self, group: str, *, refresh: bool = False) -> str | None:
        """The id of the group with this handle, or None when the workspace has none."""
        handle = handle_of(group)
        found = self._listing(refresh=refresh).get(handle)
        if found is None and not refresh:
            found = self._listing(refresh=True).get(handle)
        return found

    def members(self, group: str) -> tuple[str, ...] | None:
        """The Slack user ids in the group, or None when no group has this handle."""
        for refresh in (False, True):
            group_id = self.group_id(group, refresh=refresh)
            if group_id is None:
                return None
            answer = self._api.call(
                "usergroups.users.list", tolerate=GROUP_GONE, usergroup=group_id
            )
            if answer.get("ok"):
                users = answer.get("users") or []
                return tuple(str(user) for user in users if isinstance(user, str) and user)
            log.info("user group @%s (%s) is gone; reading the list again", group, group_id)
        return None
