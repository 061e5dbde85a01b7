"""Converting Jira's JSON value shapes (users, timestamps, ADF) into plain Python.

Each function accepts exactly what Jira sends and raises :class:`ValueProblem`
for anything else, so the converter can record a problem and carry on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from agent.core.model import Person

_BLOCK_NODES = frozenset(
    {
        "paragraph",
        "heading",
        "blockquote",
        "codeBlock",
        "listItem",
        "panel",
        "rule",
        "tableRow",
        "mediaSingle",
        "expand",
        "decisionItem",
        "taskItem",
    }
)


def as_dict(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (for optional nested members)."""
    return value if isinstance(value, dict) else {}


class ValueProblem(ValueError):
    """A value whose shape is not what its field's type promises."""


def parse_jira_datetime(value: Any) -> datetime:
    """``2026-11-22T10:30:00.000+0000`` (and ISO variants) -> aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise ValueProblem(f"expected a date-time string, got {value!r}")
    text = value.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-4:].isdigit():
        text = f"{text[:-2]}:{text[-2:]}"  # +0000 -> +00:00 (fromisoformat in 3.11 wants it)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueProblem(f"not a Jira date-time: {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_jira_date(value: Any) -> datetime:
    """A date field (``2026-11-22``) as midnight UTC of that day."""
    if not isinstance(value, str):
        raise ValueProblem(f"expected a date string, got {value!r}")
    try:
        day = date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise ValueProblem(f"not a Jira date: {value!r}") from exc
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def person_from_json(value: Any, *, datacenter: bool = False) -> Person:
    """A Jira user object -> :class:`Person` (Cloud ``accountId``; Data Center ``name``/``key``).

    Data Center names people by username in requests (watchers, user pickers),
    so its ``name`` wins there even when an ``accountId`` is present too.
    A hidden email becomes None; deactivated and deleted users keep ``active=False``.
    """
    if not isinstance(value, dict):
        raise ValueProblem(f"expected a user object, got {type(value).__name__}")
    order = ("name", "key", "accountId") if datacenter else ("accountId", "name", "key")
    ident = next((value[k] for k in order if isinstance(value.get(k), str) and value[k]), None)
    if not isinstance(ident, str) or not ident:
        raise ValueProblem("user object has no accountId, name or key")
    display = value.get("displayName")
    email = value.get("emailAddress")
    return Person(
        account_id=ident,
        display_name=display if isinstance(display, str) and display else ident,
        email=email if isinstance(email, str) and email else None,
        active=value.get("active") is not False,
    )


def adf_to_text(document: Any) -> str:
    """Plain text of an Atlassian Document Format tree (v3 bodies); blocks end in newlines."""
    parts: list[str] = []
    _walk_adf(document, parts)
    return "".join(parts).strip("\n")


def _walk_adf(node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for child in node:
            _walk_adf(child, parts)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    attrs = as_dict(node.get("attrs"))
    if kind == "text":
        parts.append(str(node.get("text", "")))
    elif kind == "hardBreak":
        parts.append("\n")
    elif kind in ("mention", "emoji", "status", "date", "inlineCard"):
        parts.append(str(attrs.get("text") or attrs.get("shortName") or attrs.get("url") or ""))
    _walk_adf(node.get("content"), parts)
    if kind in _BLOCK_NODES and parts and not parts[-1].endswith("\n"):
        parts.append("\n")


def text_value(value: Any) -> str:
    """A text field: v2 strings as they are, v3 ADF documents flattened."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("type") == "doc":
        return adf_to_text(value)
    raise ValueProblem(f"expected text, got {type(value).__name__}")
