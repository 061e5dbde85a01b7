"""Jira comment and description bodies as Jira draws them: wiki markup (v2, Data Center)
or ADF (v3, Cloud) -> safe HTML.

The wiki subset is what people and the agent write: ``*bold*``, ``_italic_``,
``-strike-``, ``{{monospace}}``, ``[label|url]`` links, ``* bullets``, ``# numbered``,
``||heading||`` and ``|cell|`` table rows, backslash escapes and ``&#92;`` (a literal
backslash). Effects follow Jira's rule that they open after a non-word character and
close before one, so ``INC-6`` and ``2026-12-04`` stay as written
(https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=texteffects).
Anything else is escaped text.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from agent.sandbox.viewer.storage_html import safe_href

_ESCAPED = re.compile(r"\\([*_\-+^~{}\[\]|!#?.\\])")
_PLACEHOLDER = "\x00{}\x00"
_RESTORE = re.compile(r"\x00(\d+)\x00")
_LINK = re.compile(r"\[([^\[\]|]*)\|([^\[\]|\s]+)\]")
_MONO = re.compile(r"\{\{(.+?)\}\}")
_EFFECTS = (
    ("*", "strong"),
    ("_", "em"),
    ("-", "del"),
    ("+", "ins"),
)


def _effect(mark: str, tag: str) -> re.Pattern[str]:
    m = re.escape(mark)
    return re.compile(rf"(?<![\w{m}]){m}(?=\S)([^\n]+?)(?<=\S){m}(?![\w{m}])")


_EFFECT_PATTERNS = [(_effect(mark, tag), tag) for mark, tag in _EFFECTS]


def _inline(text: str) -> str:
    """One line of wiki markup as HTML (escaped first; escapes and links kept aside)."""
    kept: list[str] = []

    def keep(html: str) -> str:
        kept.append(html)
        return _PLACEHOLDER.format(len(kept) - 1)

    text = text.replace("&#92;", keep("\\"))
    text = _ESCAPED.sub(lambda m: keep(str(escape(m.group(1)))), text)

    def link(match: re.Match[str]) -> str:
        href = safe_href(match.group(2))
        label = match.group(1) or match.group(2)
        if href is None:
            return keep(str(escape(match.group(0))))
        return keep(str(Markup('<a href="{0}">{1}</a>').format(href, label)))

    text = _LINK.sub(link, text)
    text = _MONO.sub(lambda m: keep(str(Markup("<code>{0}</code>").format(m.group(1)))), text)
    html = str(escape(text))
    for pattern, tag in _EFFECT_PATTERNS:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    while _RESTORE.search(html):
        html = _RESTORE.sub(lambda m: kept[int(m.group(1))], html)
    return html


def _table_row(line: str) -> str:
    heading = line.startswith("||")
    cells = [c for c in re.split(r"\|\|" if heading else r"(?<!\\)\|", line.strip()) if c != ""]
    tag = "th" if heading else "td"
    return "<tr>" + "".join(f"<{tag}>{_inline(c.strip())}</{tag}>" for c in cells) + "</tr>"


def wiki_to_html(text: str) -> Markup:
    """A wiki-markup body as HTML: paragraphs, lists, tables and inline effects."""
    out: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith("|"):
            rows = []
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                rows.append(_table_row(lines[index].lstrip()))
                index += 1
            out.append("<table class='wiki'>" + "".join(rows) + "</table>")
            continue
        bullet = re.match(r"([*#])\s+(.*)", stripped)
        if bullet and not re.match(r"\*[^\s*].*\*", stripped):
            tag = "ul" if bullet.group(1) == "*" else "ol"
            items = []
            while index < len(lines):
                found = re.match(rf"\{bullet.group(1)}\s+(.*)", lines[index].lstrip())
                if not found:
                    break
                items.append(f"<li>{_inline(found.group(1))}</li>")
                index += 1
            out.append(f"<{tag}>" + "".join(items) + f"</{tag}>")
            continue
        if stripped:
            paragraph = [line]
            index += 1
            while (
                index < len(lines)
                and lines[index].strip()
                and not re.match(r"\s*([|]|[*#]\s)", lines[index])
            ):
                paragraph.append(lines[index])
                index += 1
            out.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
            continue
        index += 1
    return Markup("".join(out))  # noqa: S704 - every piece built from escaped text


_ADF_BLOCK = {"paragraph": "p", "bulletList": "ul", "orderedList": "ol", "listItem": "li"}
_ADF_MARK = {"strong": "strong", "em": "em", "strike": "del", "code": "code", "underline": "u"}


def _adf_text(node: dict[str, Any]) -> str:
    html = str(escape(str(node.get("text", ""))))
    for mark in node.get("marks") or []:
        kind = mark.get("type") if isinstance(mark, dict) else None
        if kind in _ADF_MARK:
            tag = _ADF_MARK[kind]
            html = f"<{tag}>{html}</{tag}>"
        elif kind == "link":
            href = safe_href(str((mark.get("attrs") or {}).get("href", "")))
            if href is not None:
                html = str(Markup('<a href="{0}">').format(href)) + html + "</a>"
    return html


def _adf_nodes(nodes: Any) -> str:
    out: list[str] = []
    for node in nodes if isinstance(nodes, list) else []:
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if kind == "text":
            out.append(_adf_text(node))
        elif kind == "hardBreak":
            out.append("<br>")
        elif kind == "heading":
            out.append(f"<h4>{_adf_nodes(node.get('content'))}</h4>")
        elif kind == "mention":
            name = str((node.get("attrs") or {}).get("text", "@someone"))
            out.append(str(Markup('<span class="mention">{0}</span>').format(name)))
        elif kind == "emoji":
            attrs = node.get("attrs") or {}
            out.append(str(escape(str(attrs.get("text") or attrs.get("shortName", "")))))
        elif kind in _ADF_BLOCK:
            tag = _ADF_BLOCK[kind]
            out.append(f"<{tag}>{_adf_nodes(node.get('content'))}</{tag}>")
        else:
            out.append(_adf_nodes(node.get("content")))
    return "".join(out)


def body_to_html(body: Any) -> Markup:
    """A stored body (wiki text or an ADF document) as HTML."""
    if isinstance(body, dict):
        return Markup(_adf_nodes(body.get("content")))  # noqa: S704 - built from escaped text
    return wiki_to_html(str(body or ""))
