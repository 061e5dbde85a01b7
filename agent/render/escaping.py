"""Escaping untrusted text (ticket titles, comments) for each destination.

A ticket titled ``<!channel> deploy now`` must not ping a channel; a summary
holding ``<ac:structured-macro>`` must show as text on a Confluence page; a
comment quoting ``[~admin]`` must not mention anyone in Jira.
"""

from __future__ import annotations

import re

from markupsafe import Markup

# XML 1.0 forbids most C0 control characters even as references; drop them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters that start or end wiki markup: effects, links/mentions, macros, tables,
# images, lists, citations. A backslash before one renders it literally.
_JIRA_WIKI_SPECIAL = frozenset("*_-+^~{}[]|!#?")
_JIRA_BACKSLASH = "&#92;"  # "\\" is wiki for a line break, so a literal one becomes an entity
_JIRA_BLOCK_START = re.compile(r"^(\s*)(h[1-6]|bq)\.", re.IGNORECASE | re.MULTILINE)


class Mrkdwn(str):
    """Text already safe for Slack mrkdwn (built by the agent, e.g. a ``<@U123>`` mention)."""

    __slots__ = ()


class JiraWiki(str):
    """Text already safe for Jira wiki markup (built by the agent, e.g. a ``[~accountid:...]``)."""

    __slots__ = ()


def strip_xml_illegal(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def escape_xml(text: object) -> Markup:
    """Escape for Confluence storage XML (element text and attribute values)."""
    if isinstance(text, Markup):
        return text
    return Markup.escape(strip_xml_illegal(str(text)))


def escape_mrkdwn(text: object) -> Mrkdwn:
    """Escape ``&``, ``<`` and ``>`` as Slack requires; mentions and links become inert text."""
    if isinstance(text, Mrkdwn):
        return text
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Mrkdwn(value)


def _inert_in_jira(text: str, at: int) -> bool:
    """Whether the markup character at ``at`` means nothing where it stands, so a backslash
    would only clutter the stored text (``INC-6``, ``2026-12-04``, ``#ds-6`` mid-line).

    A hyphen between two letters or digits opens or closes no strikethrough and makes no
    dash or list; ``#`` numbers a list only at the start of a line and before a space.
    """
    char = text[at]
    before = text[at - 1] if at > 0 else "\n"
    after = text[at + 1] if at + 1 < len(text) else "\n"
    if char == "-":
        return before.isalnum() and after.isalnum()
    if char == "#":
        # A numbered list item is "# " (the marker, then a space: Jira's text formatting
        # notation, https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=lists),
        # so "#operator-support" is a channel name even where a value starts a line.
        return after.isalnum() or text[:at].rsplit("\n", 1)[-1].strip() != ""
    return False


def escape_jira_wiki(text: object) -> JiraWiki:
    """Text that renders exactly as written in Jira: no effects, links, mentions or macros.

    Only characters that would change meaning where they stand get a backslash.
    """
    if isinstance(text, JiraWiki):
        return text
    raw = str(text)
    out: list[str] = []
    for at, char in enumerate(raw):
        if char == "\\":
            out.append(_JIRA_BACKSLASH)
        elif char in _JIRA_WIKI_SPECIAL and not _inert_in_jira(raw, at):
            out.append("\\" + char)
        else:
            out.append(char)
    escaped = _JIRA_BLOCK_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\.", "".join(out))
    return JiraWiki(escaped)


def escape_jira_inline(text: str) -> JiraWiki:
    """Like :func:`escape_jira_wiki`, with line breaks as spaces (titles on one line)."""
    return escape_jira_wiki(" ".join(text.splitlines()))


# Slack's topic and purpose take no formatting (conversations.setTopic: "Does not support
# formatting or linkification"), so entities would show as typed: ticket text keeps its
# meaning with look-alike angle brackets, and a broadcast word is broken by a word joiner.
_ANGLES = str.maketrans({"<": "\u2039", ">": "\u203a"})
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def plain_slack_text(text: object) -> str:
    """Ticket text for a channel topic or purpose, on one line: no ``<!channel>``,
    ``<@U123>`` or ``<url|link>`` syntax and no ``@here`` that a client could turn live."""
    flat = " ".join(str(text).split()).translate(_ANGLES)
    return _BROADCAST.sub("@" + WORD_JOINER, flat)


def slack_mention(slack_user_id: str) -> Mrkdwn:
    """A real mention, from a Slack user id (never from a display name)."""
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", slack_user_id):
        raise ValueError(f"{slack_user_id!r} is not a Slack user id")
    return Mrkdwn(f"<@{slack_user_id}>")


def slack_channel(channel_id: str) -> Mrkdwn:
    """A channel link, ``<#C0123>``, from a channel id (Slack shows it by its current name)."""
    if not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel_id):
        raise ValueError(f"{channel_id!r} is not a Slack channel id")
    return Mrkdwn(f"<#{channel_id}>")


def slack_link(url: str, label: str) -> Mrkdwn:
    """``<url|label>`` with the label escaped and the URL checked."""
    if not re.fullmatch(r"https?://[^\s<>|]+", url):
        raise ValueError(f"{url!r} is not a plain http(s) URL")
    return Mrkdwn(f"<{url}|{escape_mrkdwn(label)}>")


def truncate(text: str, limit: int, marker: str = "…") -> tuple[str, bool]:
    """Cut ``text`` to at most ``limit`` characters at a word boundary when possible."""
    if len(text) <= limit:
        return text, False
    cut = text[: max(limit - len(marker), 0)]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut + marker, True
