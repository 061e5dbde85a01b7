"""Date values in CQL: absolute dates, relative offsets and date functions.

``created >= "2026-11-01"``, ``lastmodified > "-4d"``, ``created < now("-1w")``,
``created >= startOfDay()``. A value resolves to a half-open interval so that
``created = "2026-11-02"`` means "some time that day".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from agent.sandbox.confluence.cql import CqlError, Function, Value

Interval = tuple[datetime, datetime]
_RELATIVE = re.compile(r"^([+-]?)(\d+)([ywdhm])$")
_UNITS = {"y": timedelta(days=365), "w": timedelta(weeks=1), "d": timedelta(days=1),
          "h": timedelta(hours=1), "m": timedelta(minutes=1)}  # fmt: skip
_FORMATS = (("%Y-%m-%d %H:%M", timedelta(minutes=1)), ("%Y/%m/%d %H:%M", timedelta(minutes=1)),
            ("%Y-%m-%d", timedelta(days=1)), ("%Y/%m/%d", timedelta(days=1)))  # fmt: skip


def _offset(text: str) -> timedelta:
    match = _RELATIVE.match(text.strip())
    if not match:
        raise CqlError(f"Unable to parse the relative date '{text}' (use e.g. -4d, 2w, -3h).")
    sign, amount, unit = match.groups()
    delta = _UNITS[unit] * int(amount)
    return -delta if sign == "-" else delta


def _start_of(unit: str, moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _next(unit: str, start: datetime) -> datetime:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(weeks=1)
    if unit == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def _function(func: Function, now: datetime) -> Interval:
    args = [a for a in func.args if isinstance(a, str)]
    if len(args) != len(func.args) or len(args) > 1:
        raise CqlError(f"Function {func.name}() takes at most one text argument.")
    shift = _offset(args[0]) if args else timedelta(0)
    if func.name == "now":
        moment = now + shift
        return moment, moment
    match = re.match(r"^(start|end)of(day|week|month|year)$", func.name)
    if not match:
        raise CqlError(f"Unknown CQL function '{func.name}()'.")
    edge, unit = match.groups()
    start = _start_of(unit, now + shift)
    moment = start if edge == "start" else _next(unit, start) - timedelta(microseconds=1)
    return moment, moment


def resolve_date(value: Value, now: datetime) -> Interval:
    """The interval a CQL date value stands for (``lo == hi`` for an instant)."""
    if isinstance(value, Function):
        return _function(value, now)
    text = value.strip()
    if _RELATIVE.match(text):
        moment = now + _offset(text)
        return moment, moment
    for fmt, width in _FORMATS:
        try:
            start = datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        return start, start + width
    raise CqlError(
        f"Unable to parse the date '{value}': use yyyy-MM-dd, yyyy/MM/dd, "
        "'yyyy-MM-dd HH:mm' or a relative date such as -4d."
    )


def compare_date(moment: datetime, op: str, interval: Interval) -> bool:
    low, high = interval
    inside = moment == low if low == high else low <= moment < high
    if op == "=":
        return inside
    if op == "!=":
        return not inside
    if op == ">":
        return moment >= high if low != high else moment > low  # after the whole day
    if op == ">=":
        return moment >= low
    if op == "<":
        return moment < low
    if op == "<=":
        return moment < high if low != high else moment <= low  # through the whole day
    raise CqlError(f"Operator '{op}' cannot compare dates.")
