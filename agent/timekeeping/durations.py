"""Parsing of the small value languages used in policy files: durations and local times."""

from __future__ import annotations

import re
from datetime import time, timedelta

_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*$")
_LOCAL_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")

DURATION_HINT = "use e.g. 15m, 2h, 1d, 1h30m"
TIME_HINT = "use a 24-hour local time HH:MM, e.g. 09:00 or 16:30"


def parse_duration(text: str) -> timedelta:
    """``15m``, ``2h``, ``1d``, ``1h30m`` -> timedelta; ValueError otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or not any(match.groups()):
        raise ValueError(f"{text!r} is not a duration; {DURATION_HINT}")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes)
    if value <= timedelta(0):
        raise ValueError(f"{text!r} is not a positive duration; {DURATION_HINT}")
    return value


def parse_local_time(text: str) -> time:
    """``16:30`` -> time(16, 30); rejects 25:00 and 12:61."""
    match = _LOCAL_TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{text!r} is not a time; {TIME_HINT}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError(f"{text!r} is an impossible time; {TIME_HINT}")
    return time(hour, minute)


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration, for messages (``1h30m``)."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return "".join(parts) or "0m"
