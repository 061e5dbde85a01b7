"""Turning an IANA zone name into a ``ZoneInfo``, or saying what a valid name looks like.

A policy names its zone once (``timezone:``, else ``AGENT_TIMEZONE`` at load) and
everything that shows or reasons in local time asks ``Policy.zone``, which comes here.
"""

from __future__ import annotations

import difflib
import zoneinfo
from zoneinfo import ZoneInfo


class UnknownZoneError(ValueError):
    """The name is not an IANA time zone this machine knows."""


def zone_named(name: str) -> ZoneInfo:
    """The zone called ``name`` (``ZoneInfo`` keeps one instance per name, so this is cheap)."""
    try:
        return ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        hint = ""
        if isinstance(name, str):
            by_folded = {key.casefold(): key for key in zoneinfo.available_timezones()}
            close = difflib.get_close_matches(name.strip().casefold(), list(by_folded), n=1)
            if close:
                hint = f" (did you mean {by_folded[close[0]]!r}?)"
        raise UnknownZoneError(
            f"unknown time zone {name!r}{hint}; use an IANA name such as 'Europe/Kyiv' "
            "or 'America/New_York'"
        ) from exc
