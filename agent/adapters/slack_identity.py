"""Who a Jira person is in Slack, and if nobody, why: the one look-up order the agent uses.

``AGENT_USER_MAP`` is asked first, by Jira account id, then by email (for people
whose email Jira hides, or whose Slack email differs); then Slack's own
look-up by email. The executor, ``check`` and ``users`` all go through
:func:`slack_match`, so what ``users`` reports is what the agent will do.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass


class MatchKind(enum.StrEnum):
    """How a person was found in Slack, or why they were not."""

    MAP_ACCOUNT = "AGENT_USER_MAP by account id"
    MAP_EMAIL = "AGENT_USER_MAP by email"
    EMAIL = "Slack user with the same email"
    HIDDEN_EMAIL = "Jira hides the email"
    NO_ACCOUNT = "no Slack user has the email"

    @property
    def found(self) -> bool:
        return self in (MatchKind.MAP_ACCOUNT, MatchKind.MAP_EMAIL, MatchKind.EMAIL)


@dataclass(frozen=True)
class SlackMatch:
    """A person's Slack user id (None when not found) and how it was found or why not."""

    slack_id: str | None
    kind: MatchKind


def slack_match(
    account_id: str | None,
    email: str | None,
    user_map: Mapping[str, str],
    lookup_email: Callable[[str], str | None],
) -> SlackMatch:
    """The person's Slack id: the map by account id, the map by email, Slack by email."""
    if account_id and account_id in user_map:
        return SlackMatch(user_map[account_id], MatchKind.MAP_ACCOUNT)
    if email is None:
        return SlackMatch(None, MatchKind.HIDDEN_EMAIL)
    mapped = user_map.get(email.lower())
    if mapped:
        return SlackMatch(mapped, MatchKind.MAP_EMAIL)
    found = lookup_email(email)
    return SlackMatch(found, MatchKind.EMAIL if found else MatchKind.NO_ACCOUNT)
