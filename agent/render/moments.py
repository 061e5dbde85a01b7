"""Moments for people: in the policy's time zone with the zone named, or as Slack date tokens.

A nudge read in Kyiv, Berlin and Malta should show each reader their own clock:
Slack does that for ``<!date^EPOCH^{date_short_pretty} {time}|fallback>``
(https://api.slack.com/reference/surfaces/formatting#date-formatting); the
fallback, shown where tokens are not rendered (notifications, old clients),
is the time in the policy's zone with the zone named. Jira and Confluence
have no such token, so they get that same text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NOT_SET = "not set"
SLACK_DATE_FORMAT = "{date_short_pretty} {time}"


def parse_moment(moment: datetime | str | None) -> datetime | None:
    """A moment as contexts carry it (aware datetime or ISO-8601 text); None if it is none."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, datetime):
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def zone_label(local: datetime, zone: str) -> str:
    """``EET``, ``CET``, ``EST``; the zone's name where it has no lettered abbreviation."""
    abbreviation = local.tzname() or ""
    return abbreviation if abbreviation.isalpha() else zone


def local_text(moment: datetime | str | None, zone: str = "UTC") -> str:
    """``Fri 4 Dec 2026, 16:40 EET``: the moment in ``zone``, the zone named.

    Text that is not a moment (a custom field holding words) is returned as it is.
    """
    parsed = parse_moment(moment)
    if parsed is None:
        return NOT_SET if moment in (None, "") else str(moment)
    local = parsed.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {zone_label(local, zone)}"


def day_text(moment: date | datetime | str | None, zone: str = "UTC") -> str:
    """``4 Dec 2026``: the day of a moment (or a date) in ``zone``."""
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return f"{moment.day} {moment:%b %Y}"
    if isinstance(moment, str) and len(moment) == 10:
        try:
            return day_text(date.fromisoformat(moment), zone)
        except ValueError:
            return moment
    parsed = parse_moment(moment)
    if parsed is None:
        return NOT_SET if moment in (None, "") else str(moment)
    local = parsed.astimezone(ZoneInfo(zone))
    return f"{local.day} {local:%b %Y}"


def slack_date_token(moment: datetime | str | None, zone: str = "UTC") -> str:
    """``<!date^1796402400^{date_short_pretty} {time}|Fri 4 Dec 2026, 16:40 EET>``: each
    reader sees it in their own Slack time zone. Plain text when it is not a moment."""
    parsed = parse_moment(moment)
    if parsed is None:
        return local_text(moment, zone)
    fallback = local_text(parsed, zone)
    return f"<!date^{int(parsed.timestamp())}^{SLACK_DATE_FORMAT}|{fallback}>"
