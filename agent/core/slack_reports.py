"""Reports made in Slack: what a message says, and which Jira ticket holds it.

Procedure 002 has operators report an issue in the pre-agreed Slack channel,
"ideally including" a title, the product impacted, a description, the impact, a
severity P1-P4, the time of occurrence and evidence. :func:`read_report` reads
a message the way support would: the first line is the title, the rest the
description, labelled lines (``Impact: ...``) fill the named items, a ``P1``-
``P4`` anywhere names the severity, an attachment or a link is evidence.

A ticket made from a report carries the label :func:`report_label` (the
channel id and the message ``ts``). A Jira label is searchable by JQL, so the
agent finds the ticket of a message again before making another, even when its
own state was lost; an issue entity property would not do, because JQL only
searches properties an installed app declares for indexing
(https://developer.atlassian.com/cloud/jira/platform/modules/entity-property/).
The label also gives every later cycle the report's thread and time.

A ticket made in Jira gets its thread too: the agent posts a top-level message
for it in the channel and labels the ticket :func:`thread_label` (the same
channel id and ``ts``). :func:`incident_thread` is the thread of either kind;
only a report's label moves the report's time (:func:`reported_at`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from agent.core.model import ChatMessage, Ticket

REPORT_LABEL_PREFIX = "slack-report-"
# A ticket made in Jira: the thread the agent opened for it in the intake channel.
THREAD_LABEL_PREFIX = "slack-thread-"
# Jira's summary holds at most 255 characters.
SUMMARY_MAX = 255

# The report items of procedure 002, in its order, as the rule names them.
REPORT_ITEMS: tuple[str, ...] = (
    "title",
    "product impacted",
    "description",
    "impact",
    "severity",
    "time",
    "evidence",
)
# How operators label each item on a line of their message (lower case, no colon).
_ITEM_LABELS: dict[str, tuple[str, ...]] = {
    "title": ("title", "summary", "subject"),
    "product impacted": ("product impacted", "product", "products", "impacted product"),
    "description": ("description", "details", "problem"),
    "impact": ("impact", "business impact", "impact on operations"),
    "severity": ("severity", "severity level", "priority"),
    "time": ("timestamp", "time", "time of occurrence", "when", "started", "occurred"),
    "evidence": ("evidence", "screenshot", "screenshots", "logs", "log", "screenshot/logs"),
}
_LABEL_OF = {label: item for item, labels in _ITEM_LABELS.items() for label in labels}
_LABELLED = re.compile(
    r"^[\s>*_•\-]*(?P<label>[A-Za-z][A-Za-z /]{0,40}?)[*_]*\s*:[*_]*\s*(?P<value>.*)$"
)
_SEVERITY = re.compile(r"(?<![A-Za-z0-9])P([1-4])(?![A-Za-z0-9])", re.IGNORECASE)
_CLOCK_TIME = re.compile(r"(?<!\d)([01]?\d|2[0-3])[:.h][0-5]\d(?!\d)")
_LINK = re.compile(r"<(https?://[^>|]+)(?:\|([^>]*))?>")
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_URL = re.compile(r"https?://")
_CHANNEL_ID = re.compile(r"^[A-Z0-9]{2,40}$")
_TS = re.compile(r"^\d{1,12}\.\d{1,6}$")


@dataclass(frozen=True)
class SlackThread:
    """A message in a channel (by id) and its ``ts``: a report and the thread it starts."""

    channel: str
    ts: str

    @property
    def at(self) -> datetime:
        return ts_moment(self.ts)


@dataclass(frozen=True)
class Report:
    """What a report message says, as plain text (Slack's markup resolved)."""

    summary: str
    description: str
    severity: str | None
    missing: tuple[str, ...]


def ts_moment(ts: str) -> datetime:
    """The UTC moment of a Slack ``ts`` (``"1700000000.000100"``), to the microsecond."""
    seconds, _, fraction = ts.partition(".")
    micros = int((fraction + "000000")[:6])
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=int(seconds), microseconds=micros)


def report_label(thread: SlackThread) -> str:
    """``slack-report-<channel id>-<ts>``: a Jira label (no spaces), unique per message."""
    return _label(REPORT_LABEL_PREFIX, thread)


def thread_label(thread: SlackThread) -> str:
    """``slack-thread-<channel id>-<ts>``: the label of a ticket made in Jira whose
    incident thread the agent opened with the message ``ts``."""
    return _label(THREAD_LABEL_PREFIX, thread)


def _label(prefix: str, thread: SlackThread) -> str:
    if not _CHANNEL_ID.match(thread.channel) or not _TS.match(thread.ts):
        raise ValueError(f"not a Slack channel id and message ts: {thread!r}")
    return f"{prefix}{thread.channel}-{thread.ts}"


def report_thread(ticket: Ticket) -> SlackThread | None:
    """The Slack message a ticket was made from (its :func:`report_label`), if any."""
    return _labelled(ticket.labels, REPORT_LABEL_PREFIX)


def incident_thread(ticket: Ticket) -> SlackThread | None:
    """The ticket's thread in the intake channel: its report's, else the one the agent
    opened for it (:func:`thread_label`); None while it has neither."""
    return thread_in_labels(ticket.labels)


def thread_in_labels(labels: Iterable[str]) -> SlackThread | None:
    """:func:`incident_thread` of a ticket with these labels (as Jira lists them)."""
    found = frozenset(labels)
    return _labelled(found, REPORT_LABEL_PREFIX) or _labelled(found, THREAD_LABEL_PREFIX)


def _labelled(labels: frozenset[str], prefix: str) -> SlackThread | None:
    for label in sorted(labels):
        if not label.startswith(prefix):
            continue
        channel, _, ts = label.removeprefix(prefix).partition("-")
        if _CHANNEL_ID.match(channel) and _TS.match(ts):
            return SlackThread(channel, ts)
    return None


def reported_at(ticket: Ticket) -> datetime:
    """When the issue was reported: its Slack message's time when it came from one (the
    ticket is made up to a cycle later), else when the ticket was created."""
    thread = report_thread(ticket)
    return min(ticket.created, thread.at) if thread is not None else ticket.created


def is_report(message: ChatMessage, bot_user: str | None) -> bool:
    """A top-level message a person wrote: replies, joins and the bot's own are not reports."""
    if message.thread_ts not in (None, message.ts) or message.by_agent:
        return False
    if not message.user_slack_id or message.user_slack_id == bot_user:
        return False
    return bool(plain_text(message.text).strip()) or message.has_files


def plain_text(mrkdwn: str) -> str:
    """Slack message text as plain text: ``<url|label>`` -> ``label (url)``, mentions by
    their label or id, and ``&amp;``/``&lt;``/``&gt;`` undone (Slack escapes only those)."""

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        return f"{label} ({url})" if label and label != url else url

    def mention(match: re.Match[str]) -> str:
        sigil, ident, label = match.groups()
        if label:
            return f"{'#' if sigil == '#' else '@'}{label}"
        return f"@{ident}" if sigil != "#" else f"#{ident}"

    text = _MENTION.sub(mention, _LINK.sub(link, mrkdwn))
    return html.unescape(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def read_report(
    text: str,
    *,
    has_files: bool = False,
    levels: Sequence[str] = (),
    wanted: Sequence[str] = REPORT_ITEMS,
) -> Report:
    """The report's summary, description, severity and which ``wanted`` items it lacks.

    ``levels`` are the policy's severity names, recognised besides ``P1``-``P4``."""
    lines = [line.rstrip() for line in plain_text(text).strip().splitlines()]
    found: dict[str, str] = {}
    free: list[str] = []
    for line in lines[1:]:
        match = _LABELLED.match(line)
        item = _LABEL_OF.get(match.group("label").strip().lower()) if match else None
        if match and item:
            found.setdefault(item, match.group("value").strip())
        elif line.strip():
            free.append(line.strip())
    first = lines[0].strip() if lines else ""
    title_match = _LABELLED.match(first)
    if title_match and _LABEL_OF.get(title_match.group("label").strip().lower()) == "title":
        first = title_match.group("value").strip()
    summary = " ".join(first.split())[:SUMMARY_MAX].rstrip() or "Report from Slack"
    description = "\n".join(lines[1:]).strip()
    severity = _severity(plain_text(text), levels)
    present = {
        "title": bool(first),
        "product impacted": bool(found.get("product impacted")),
        "description": bool(found.get("description")) or bool(free),
        "impact": bool(found.get("impact")),
        "severity": severity is not None,
        "time": bool(found.get("time")) or _CLOCK_TIME.search(description) is not None,
        "evidence": has_files or bool(found.get("evidence")) or _URL.search(text) is not None,
    }
    missing = tuple(item for item in wanted if not present.get(item, False))
    return Report(summary=summary, description=description, severity=severity, missing=missing)


def _severity(text: str, levels: Sequence[str]) -> str | None:
    """The first severity the text names: one of ``levels`` as a word, else ``P1``-``P4``."""
    hits: list[tuple[int, str]] = []
    for level in levels:
        match = re.search(rf"(?<![A-Za-z0-9]){re.escape(level)}(?![A-Za-z0-9])", text, re.I)
        if match:
            hits.append((match.start(), level))
    if hits:
        return min(hits)[1]
    match = _SEVERITY.search(text)
    return f"P{match.group(1)}" if match else None
