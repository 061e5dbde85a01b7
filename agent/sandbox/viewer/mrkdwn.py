"""Slack message text ("mrkdwn") -> safe HTML, lightly: ``*bold*``, ``_italic_``,
``~strike~``, `` `code` ``, ``<@U..>`` as @name, ``<#C..|name>``, ``<!here>``,
``<url|label>`` links (http(s) and mailto only). Everything else is escaped text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from markupsafe import Markup, escape

from agent.sandbox.viewer.storage_html import safe_href

_ANGLE = re.compile(r"<([^<>\n]+)>")
# A token held out of the text while it is styled (private-use characters, never in input).
_HELD, _HELD_END = "\ue000", "\ue001"
_HELD_TOKEN = re.compile(f"{_HELD}(\\d+){_HELD_END}")
_STYLES = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), "strong"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), "em"),
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])"), "s"),
)
_CODE = re.compile(r"`([^`\n]+)`")
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
# The shortcodes the agent's templates and the demo's people use, as Slack draws them.
EMOJI = {
    "rotating_light": "🚨",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "pushpin": "📌",
    "fire": "🔥",
    "eyes": "👀",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "memo": "📝",
    "telephone_receiver": "📞",
    "arrow_double_up": "⏫",
    "arrow_up": "⬆️",
    "arrow_forward": "▶️",
    "pause_button": "⏸️",
    "bar_chart": "📊",
    "calendar": "📆",
    "file_cabinet": "🗄️",
    "white_square": "⬜",
    "thumbsup": "👍",
    "+1": "👍",
    "pray": "🙏",
    "tada": "🎉",
    "x": "❌",
    "heavy_check_mark": "✔️",
    "mag": "🔍",
    "bell": "🔔",
}
# <!date^EPOCH^FORMAT|fallback> (https://api.slack.com/reference/surfaces/formatting#date-formatting)
_DATE = re.compile(r"date\^(\d+)\^[^|]*")


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


def mrkdwn_to_html(
    text: str,
    user_name: Callable[[str], str],
    group_name: Callable[[str], str | None] = lambda _id: None,
) -> Markup:
    """The message text as HTML; ``user_name`` turns a Slack user id into a name and
    ``group_name`` a user group id into its ``@handle``.

    Styles span tokens as in Slack (``*Incident <url|SUP-6>*`` is bold, link and all): each
    ``<...>`` token is held out as a placeholder while the text is styled, then put back."""
    tokens: list[Markup] = []

    def hold(match: re.Match[str]) -> str:
        tokens.append(_token(match.group(1), match.group(0), user_name, group_name))
        return f"{_HELD}{len(tokens) - 1}{_HELD_END}"

    plain = text.replace(_HELD, "\ufffd").replace(_HELD_END, "\ufffd")
    styled = str(_styled(_ANGLE.sub(hold, plain)))
    return Markup(_HELD_TOKEN.sub(lambda m: str(tokens[int(m.group(1))]), styled))  # noqa: S704 - escaped text and built tokens


def _date(epoch: str, fallback: str) -> Markup:
    """A date token: the fallback, turned into the reader's local time by the page's script
    (``time.slack-date``), as Slack shows each reader their own clock."""
    moment = datetime.fromtimestamp(int(epoch), UTC).isoformat()
    return Markup('<time class="slack-date" datetime="{0}" title="{1}">{1}</time>').format(
        moment, _unslack(fallback)
    )


def _token(
    inner: str,
    whole: str,
    user_name: Callable[[str], str],
    group_name: Callable[[str], str | None],
) -> Markup:
    target, _, label = inner.partition("|")
    date = _DATE.fullmatch(target[1:]) if target.startswith("!") else None
    if date is not None:
        return _date(date.group(1), label)
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
            handle = group_name(special.removeprefix("subteam^"))
            shown = label or (f"@{handle}" if handle else "@group")
            return Markup('<span class="mention">{0}</span>').format(shown)
        name = label or f"@{special.split('^')[0]}"
        return Markup('<span class="mention loud">{0}</span>').format(name)
    href = safe_href(_unslack(target))
    if href is not None and not href.startswith("/"):
        return Markup('<a href="{0}" rel="noopener noreferrer">{1}</a>').format(
            href, _unslack(label) or href
        )
    return _styled(whole)
