"""Slack message text ("mrkdwn") -> safe HTML, lightly: ``*bold*``, ``_italic_``,
``~strike~``, `` `code` ``, ``<@U..>`` as @name, ``<#C..|name>``, ``<!here>``,
``<url|label>`` links (http(s) and mailto only). Everything else is escaped text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from agent.sandbox.viewer.storage_html import safe_href

_ANGLE = re.compile(r"<([^<>\n]+)>")
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
)
_CODE = re.compile(r"`([^`\n]+)`")
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
EMOJI = {
    "rotating_light": "🚨",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "pushpin": "📌",
    "fire": "🔥",
    "eyes": "👀",
}


def _unslack(text: str) -> str:
    """Slack sends ``<``, ``>`` and ``&`` as entities inside text; undo that before escaping."""
    for entity, char in _SLACK_ENTITIES:
        text = text.replace(entity, char)
    return text


def _wrapper(tag: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"<{tag}>{match.group(1)}</{tag}>"


def _styled(text: str) -> Markup:
    """Plain text (no <...> tokens) escaped, then bold/italic/strike/code added."""
    html = str(escape(_unslack(text)))
    pieces = _CODE.split(html)  # odd items are code spans: no styling inside them
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"<code>{piece}</code>")
            continue
        styled = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), piece)
        for pattern, tag in _STYLES:
            styled = pattern.sub(_wrapper(tag), styled)
        out.append(styled)
    return Markup("".join(out).replace("\n", "<br>"))  # noqa: S704 - built from escaped text


def mrkdwn_to_html(text: str, user_name: Callable[[str], str]) -> Markup:
    """The message text as HTML; ``user_name`` turns a Slack user id into a name."""
    parts: list[Markup] = []
    position = 0
    for match in _ANGLE.finditer(text):
        parts.append(_styled(text[position : match.start()]))
        parts.append(_token(match.group(1), match.group(0), user_name))
        position = match.end()
    parts.append(_styled(text[position:]))
    return Markup("").join(parts)


def _token(inner: str, whole: str, user_name: Callable[[str], str]) -> Markup:
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return Markup('<span class="mention">@{0}</span>').format(user_name(target[1:]))
    if target.startswith("#"):
        shown = label or target[1:]
        return Markup('<a class="mention" href="/view/slack/{0}">#{1}</a>').format(
            target[1:], shown
        )
    if target.startswith("!"):
        special = target[1:]
        if special.startswith("subteam^"):
            return Markup('<span class="mention">{0}</span>').format(label or "@group")
        name = label or f"@{special.split('^')[0]}"
        return Markup('<span class="mention loud">{0}</span>').format(name)
    href = safe_href(_unslack(target))
    if href is not None and not href.startswith("/"):
        return Markup('<a href="{0}" rel="noopener noreferrer">{1}</a>').format(
            href, _unslack(label) or href
        )
    return _styled(whole)
