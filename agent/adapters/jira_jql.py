"""Building JQL safely: quoting values and narrowing a policy's query by ``updated``.

Policies hand over finished JQL; the adapter only ever appends to it, and every
value it interpolates goes through :func:`jql_quote`, so a hostile ticket title
or label cannot widen a query (``x" OR project = SECRET``).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


def jql_quote(value: str) -> str:
    """A JQL string literal: double quotes, with ``\\``, ``"`` and line breaks escaped."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in value) + '"'


def split_order_by(jql: str) -> tuple[str, str]:
    """``(condition, "ORDER BY ...")``; an ORDER BY inside a quoted string is not one."""
    for match in _ORDER_BY.finditer(jql):
        if not _inside_string(jql, match.start()):
            return jql[: match.start()].strip(), jql[match.start() :].strip()
    return jql.strip(), ""


def _inside_string(text: str, position: int) -> bool:
    quote: str | None = None
    escaped = False
    for char in text[:position]:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif quote is None and char in "\"'":
            quote = char
        elif char == quote:
            quote = None
    return quote is not None


def jql_datetime(moment: datetime, zone: ZoneInfo) -> str:
    """``yyyy/MM/dd HH:mm`` in the Jira user's zone (JQL reads dates in that zone).

    JQL has minute precision, so the moment is floored: ``>=`` then never misses
    an issue updated within the same minute.
    """
    if moment.tzinfo is None:
        raise ValueError("updated_since must be timezone-aware")
    local = moment.astimezone(zone).replace(second=0, microsecond=0)
    return local.strftime("%Y/%m/%d %H:%M")


def with_updated_since(jql: str, since: datetime, zone: ZoneInfo) -> str:
    """The policy's JQL narrowed to issues updated at or after ``since``.

    The condition is parenthesised so a policy's ``OR`` keeps its meaning, and a
    trailing ``ORDER BY`` stays at the end where JQL requires it.
    """
    condition, order_by = split_order_by(jql)
    stamp = jql_quote(jql_datetime(since, zone))
    clause = f"updated >= {stamp}"
    narrowed = f"({condition}) AND {clause}" if condition else clause
    return f"{narrowed} {order_by}".strip()
