"""Dates in JQL: relative periods (``-15m``, ``-1d``, ``-1w``), absolute dates
(``2026-11-22``, ``2026-11-22 10:30``) and the calendar arithmetic behind
``startOfDay(-1d)`` and friends.

Jira reads an absolute date, and works out the start of a day or week, in the
time zone of the searching user's profile ("the date is interpreted in your
time zone": https://support.atlassian.com/jira-software-cloud/docs/jql-fields/,
"Created" and "Updated"). A local time that occurs twice when the clocks go back
is read as the earlier of the two, and one skipped when they go forward as if
the clocks had not moved yet, as java.time's ``ZonedDateTime.of`` does.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo

from agent.sandbox.jira.jql_parser import JqlError

_RELATIVE = re.compile(r"^([+-]?)\s*(\d+)\s*([wdhmMy]?)$")
_UNIT_MS = {"w": 7 * 86_400_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000}


def relative_ms(text: str, default_unit: str = "m") -> int | None:
    """``-15m``/``2h``/``-1d``/``-1w`` as signed milliseconds (None if not relative)."""
    match = _RELATIVE.match(text.strip())
    if not match:
        return None
    sign, amount, unit = match.groups()
    unit = unit or default_unit
    if unit not in _UNIT_MS:
        return None
    return (-1 if sign == "-" else 1) * int(amount) * _UNIT_MS[unit]


def absolute_ms(text: str, zone: tzinfo = UTC) -> int | None:
    """``2026-11-22``, ``2026/11/22``, ``2026-11-22 10:30`` as a moment in ``zone``."""
    cleaned = text.strip().replace("/", "-")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(cleaned, pattern).replace(tzinfo=zone, fold=0)
        except ValueError:
            continue
        return int(moment.timestamp() * 1000)
    return None


def date_ms(value: str | None) -> int | None:
    if not value:
        return None
    return absolute_ms(value)


def shift(moment: datetime, offset: str, default_unit: str, function: str) -> datetime:
    text = offset.strip()
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").strip()
    unit = body[-1] if body and body[-1].isalpha() else default_unit
    amount_text = body[:-1] if body and body[-1].isalpha() else body
    if not amount_text.isdigit():
        raise JqlError(f"Function '{function}' has an invalid argument '{offset}'.")
    amount = sign * int(amount_text)
    if unit in ("M", "y"):
        months = amount * (12 if unit == "y" else 1)
        month_index = moment.month - 1 + months
        year, month = moment.year + month_index // 12, month_index % 12 + 1
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    delta = relative_ms(f"{amount}{unit}")
    if delta is None:
        raise JqlError(f"Function '{function}' has an invalid argument '{offset}'.")
    return moment + timedelta(milliseconds=delta)


def period_start(moment: datetime, unit: str) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "w":  # weeks start on Sunday, as in Jira's default (en_US) locale
        return day - timedelta(days=(day.weekday() + 1) % 7)
    if unit == "M":
        return day.replace(day=1)
    if unit == "y":
        return day.replace(month=1, day=1)
    return day
