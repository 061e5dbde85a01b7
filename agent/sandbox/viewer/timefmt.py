"""Timestamps of the three services, shown the same way: ``2026-11-22 09:15 UTC``."""

from __future__ import annotations

from datetime import UTC, datetime


def from_jira(text: str | None) -> str:
    """Jira (``...000+0000``) and Confluence (``...000Z``) timestamps."""
    if not text:
        return ""
    cleaned = text.replace("Z", "+00:00")
    if len(cleaned) >= 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit():
        cleaned = cleaned[:-2] + ":" + cleaned[-2:]
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return text  # shown as stored rather than hidden
    return shown(moment)


def from_slack_ts(ts: str) -> str:
    try:
        return shown(datetime.fromtimestamp(float(ts), UTC))
    except (ValueError, OverflowError):
        return ts


def shown(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
