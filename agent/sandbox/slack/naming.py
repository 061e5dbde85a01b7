"""Slack's rules for channel names, with the error name Slack gives for each break.

Names are lowercase, without spaces or periods, at most 80 characters, made of
letters (non-Latin scripts too, as Slack allows), digits, hyphens and
underscores. A few words (``here``, ``channel``, ``everyone``...) are reserved.
"""

from __future__ import annotations

import unicodedata

from agent.sandbox.api_errors import SlackError

MAX_NAME_LENGTH = 80
_PUNCTUATION = frozenset("-_")
# Words Slack keeps for mentions and its own pages; no channel may take them.
RESERVED_NAMES = frozenset(
    {
        "archive",
        "archived",
        "archives",
        "channel",
        "channels",
        "everyone",
        "group",
        "groups",
        "here",
    }
)


def _allowed(char: str) -> bool:
    if char in _PUNCTUATION:
        return True
    if char.isdigit():
        return True
    category = unicodedata.category(char)
    # lowercase letters, and letters of scripts without case (CJK, Arabic, ...)
    return category in ("Ll", "Lo", "Lm", "Mn", "Mc")


def validate_channel_name(name: str | None) -> str:
    """The name if Slack would accept it for a new channel; else the SlackError it gives."""
    if name is None or name == "":
        raise SlackError("invalid_name_required")
    if len(name) > MAX_NAME_LENGTH:
        raise SlackError("invalid_name_maxlength")
    if not all(_allowed(char) for char in name):
        raise SlackError("invalid_name_specials")
    if all(char in _PUNCTUATION for char in name):
        raise SlackError("invalid_name_punctuation")
    if name in RESERVED_NAMES:
        raise SlackError("invalid_name")
    return name
