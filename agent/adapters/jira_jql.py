"""Building JQL safely: a policy's query from its ``select:``, quoting, narrowing by ``updated``.

This is the one place JQL is written. A policy describes its tickets as data
(``agent.policy.schema.Select``) and :func:`policy_jql` turns that into a query;
every value interpolated anywhere goes through :func:`jql_quote`, so a hostile
ticket title or label cannot widen a query (``x" OR project = SECRET``). The
policy's own ``jql:`` fragment is written by its author and ANDed in as is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.policy.schema import Policy, Select

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


def jql_quote(value: str) -> str:
    """A JQL string literal: double quotes, with ``\\``, ``"`` and line breaks escaped."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in value) + '"'


def jql_in(field: str, values: Sequence[str]) -> str:
    """``field in ("a", "b")`` with every value quoted."""
    return f"{field} in ({', '.join(jql_quote(v) for v in values)})"


def select_clauses(select: Select) -> list[str]:
    """The conditions of a policy's ``select:``, to be ANDed.

    ``labels`` and ``fields_set`` form one "any of" condition, as
    ``agent.core.selection.selects`` reads them.
    """
    clauses = [jql_in("project", select.projects)]
    if select.issue_types:
        clauses.append(jql_in("issuetype", select.issue_types))
    if select.priorities:
        clauses.append(jql_in("priority", select.priorities))
    anyof = []
    if select.labels:
        anyof.append(jql_in("labels", select.labels))
    anyof.extend(f"{jql_quote(f)} is not EMPTY" for f in select.fields_set)
    if anyof:
        clauses.append(anyof[0] if len(anyof) == 1 else "(" + " OR ".join(anyof) + ")")
    if select.jql:
        clauses.append(f"({select.jql})")
    return clauses


def policy_jql(policy: Policy) -> str:
    """The JQL that fetches the policy's tickets, oldest first."""
    return " AND ".join(select_clauses(policy.select)) + " ORDER BY created ASC"


def window_jql(select: Select, start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """The tickets of a ``select:``'s projects and issue types (and its own ``jql:``) that
    were open at some moment from ``start`` to ``end``, for replaying a past window.

    Priority, labels and filled fields change over a ticket's life, so they are left to
    the planner, which reads them from the ticket as it was at each moment."""
    clauses = [jql_in("project", select.projects)]
    if select.issue_types:
        clauses.append(jql_in("issuetype", select.issue_types))
    if select.jql:
        clauses.append(f"({select.jql})")
    clauses.append(f"created <= {jql_quote(jql_datetime(end, zone))}")
    clauses.append(f"(resolved is EMPTY OR resolved >= {jql_quote(jql_datetime(start, zone))})")
    return " AND ".join(clauses) + " ORDER BY created ASC"


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
