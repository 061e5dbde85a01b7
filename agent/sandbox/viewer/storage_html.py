"""Confluence storage format -> safe, readable HTML for the viewer.

Page bodies are untrusted. The body is parsed with lxml and new HTML is built
from the parsed elements: only a small set of tags and attributes is copied
(links only to http(s), mailto or the viewer itself), every text is escaped,
and the ``ac:``/``ri:`` elements people meet most are turned into something
readable: ``jira`` as a link to the ticket view, ``status`` as a coloured
badge, ``chart`` drawn as an SVG bar chart of its data table (``chart_svg``)
above the table, panels as boxes, and
a macro Confluence does not ship as "Unknown macro: 'name'", as Confluence
shows it. Raw storage is never passed through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from markupsafe import Markup, escape

from agent.sandbox.confluence.storage_format import AC, KNOWN_MACROS, PREFIXES, RI, parse
from agent.sandbox.viewer.chart_svg import bar_chart, chart_data

# storage tag -> HTML tag written (same name unless mapped)
_KEPT = {
    "p": "p",
    "h1": "h1",
    "h2": "h2",
    "h3": "h3",
    "h4": "h4",
    "h5": "h5",
    "h6": "h6",
    "ul": "ul",
    "ol": "ol",
    "li": "li",
    "table": "table",
    "thead": "thead",
    "tbody": "tbody",
    "tfoot": "tfoot",
    "tr": "tr",
    "th": "th",
    "td": "td",
    "strong": "strong",
    "b": "strong",
    "em": "em",
    "i": "em",
    "u": "u",
    "s": "s",
    "del": "del",
    "sub": "sub",
    "sup": "sup",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "span": "span",
    "div": "div",
    "a": "a",
}
_VOID = {"br": "br", "hr": "hr"}
_CELL_ATTRS = ("colspan", "rowspan")
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
STATUS_COLOURS = ("grey", "red", "yellow", "green", "blue", "purple")
_PANELS = ("info", "note", "warning", "tip", "panel", "expand")


def safe_href(url: str) -> str | None:
    """The URL if a person may follow it from the viewer, else None."""
    cleaned = url.strip()
    lowered = cleaned.lower()
    if lowered.startswith(_SAFE_SCHEMES) or (
        cleaned.startswith("/") and not cleaned.startswith("//")
    ):
        return cleaned
    return None


@dataclass(frozen=True)
class Links:
    """How references inside a body become viewer URLs (the caller knows the store)."""

    page: Callable[[str | None, str], str | None]  # (space key or None, title) -> URL
    children: Callable[[], list[tuple[str, str]]]  # the page's children as (URL, title)
    user: Callable[[str], str]  # account id -> display name


def storage_to_html(body: str, links: Links) -> Markup:
    """The body as HTML; a malformed body is shown as escaped text with a note."""
    try:
        root = parse(body)
    except etree.XMLSyntaxError as exc:
        return Markup(
            '<p class="warn">This body is not well-formed storage format ({0}); '
            "its raw text:</p><pre>{1}</pre>"
        ).format(str(exc), body)
    return _Converter(links).inner(root)


def _name(element: etree._Element) -> tuple[str, str]:
    """(namespace prefix, local name); prefix is "" for plain XHTML."""
    qname = etree.QName(element)
    return PREFIXES.get(qname.namespace or "", ""), qname.localname


def _child(element: etree._Element, prefix: str, local: str) -> etree._Element | None:
    for kid in element:
        if isinstance(kid.tag, str) and _name(kid) == (prefix, local):
            return kid
    return None


def _size(text: str | None, default: int) -> int:
    """A chart's ``width``/``height`` parameter in pixels (``700``, ``700px``)."""
    digits = (text or "").strip().removesuffix("px")
    return int(digits) if digits.isdigit() else default


def _text(element: etree._Element | None) -> str:
    return "" if element is None else "".join(element.itertext())


class _Converter:
    def __init__(self, links: Links) -> None:
        self.links = links

    def inner(self, element: etree._Element) -> Markup:
        """The element's text and children (each followed by its tail), converted."""
        parts = [escape(element.text or "")]
        for kid in element:
            if isinstance(kid.tag, str):
                parts.append(self.element(kid))
            parts.append(escape(kid.tail or ""))
        return Markup("").join(parts)

    def element(self, element: etree._Element) -> Markup:
        prefix, local = _name(element)
        if prefix == "ac":
            return self.atlassian(element, local)
        if prefix:
            return Markup("")  # ri:/at: outside an ac: element carry nothing to show
        if local in _VOID:
            return Markup(f"<{_VOID[local]}>")  # noqa: S704 - a tag name from our own table
        if local not in _KEPT:
            return self.inner(element)  # unknown tag: keep its text, drop the tag
        tag = _KEPT[local]
        attrs = ""
        if tag == "a":
            href = safe_href(element.get("href", ""))
            if href is None:
                return self.inner(element)
            attrs = Markup(' href="{0}" rel="noopener noreferrer"').format(href)
        elif tag in ("td", "th"):
            for name in _CELL_ATTRS:
                value = element.get(name, "")
                if value.isdigit():
                    attrs += Markup(' {0}="{1}"').format(name, value)
        opening = Markup(f"<{tag}")  # noqa: S704 - a tag name from our own table
        closing = Markup(f"</{tag}>")  # noqa: S704 - a tag name from our own table
        return opening + attrs + Markup(">") + self.inner(element) + closing

    # -- ac: elements -------------------------------------------------------------
    def atlassian(self, element: etree._Element, local: str) -> Markup:
        if local == "structured-macro":
            return self.macro(element)
        if local == "link":
            return self.link(element)
        if local in ("rich-text-body", "layout", "layout-section", "layout-cell"):
            return self.inner(element)
        if local == "task-list":
            items = [self.task(t) for t in element if isinstance(t.tag, str)]
            return Markup('<ul class="tasks">') + Markup("").join(items) + Markup("</ul>")
        if local == "image":
            return Markup('<span class="macro">[image]</span>')
        if local == "emoticon":
            name = element.get(f"{{{AC}}}name", "emoticon")
            return Markup('<span class="macro">:{0}:</span>').format(name)
        return Markup("")  # parameters, placeholders...: nothing to show on their own

    def task(self, task: etree._Element) -> Markup:
        done = _text(_child(task, "ac", "task-status")).strip() == "complete"
        body = _child(task, "ac", "task-body")
        mark = "☑" if done else "☐"
        content = self.inner(body) if body is not None else Markup("")
        return Markup("<li>{0} ").format(mark) + content + Markup("</li>")

    def parameters(self, macro: etree._Element) -> dict[str, str]:
        found: dict[str, str] = {}
        for kid in macro:
            if isinstance(kid.tag, str) and _name(kid) == ("ac", "parameter"):
                found[kid.get(f"{{{AC}}}name", "")] = _text(kid).strip()
        return found

    def body_of(self, macro: etree._Element) -> Markup:
        rich = _child(macro, "ac", "rich-text-body")
        if rich is not None:
            return self.inner(rich)
        plain = _child(macro, "ac", "plain-text-body")
        if plain is not None:
            return Markup("<pre>{0}</pre>").format(_text(plain))
        return Markup("")

    def macro(self, macro: etree._Element) -> Markup:
        name = macro.get(f"{{{AC}}}name", "")
        params = self.parameters(macro)
        if name == "jira":
            key = params.get("key", "")
            if not key:
                return Markup('<span class="macro">[jira: JQL query]</span>')
            return Markup('<a class="jira-key" href="/view/jira/{0}">{1}</a>').format(
                quote(key, safe=""), key
            )
        if name == "status":
            colour = params.get("colour", "grey").lower()
            colour = colour if colour in STATUS_COLOURS else "grey"
            title = params.get("title", "") or colour
            return Markup('<span class="status status-{0}">{1}</span>').format(colour, title)
        if name == "chart":
            return self.chart(macro, params)
        if name in _PANELS:
            title = params.get("title", "")
            heading = Markup("<strong>{0}</strong>").format(title) if title else Markup("")
            return (
                Markup('<div class="panel panel-{0}">').format(name)
                + heading
                + self.body_of(macro)
                + Markup("</div>")
            )
        if name == "code":
            return self.body_of(macro)
        if name == "children":
            kids = self.links.children()
            if not kids:
                return Markup('<p class="muted">(no child pages)</p>')
            items = [
                Markup('<li><a href="{0}">{1}</a></li>').format(url, title) for url, title in kids
            ]
            return Markup('<ul class="children">') + Markup("").join(items) + Markup("</ul>")
        if name not in KNOWN_MACROS:
            # Confluence stores a macro it does not know and shows this box in its place
            return Markup('<div class="macro unknown-macro">Unknown macro: {0}</div>').format(
                repr(name)
            )
        return Markup('<span class="macro">[{0}]</span>').format(name) + self.body_of(macro)

    def chart(self, macro: etree._Element, params: dict[str, str]) -> Markup:
        """The chart as Confluence draws it (bars of its body's first table), then the
        table; a chart with no numbers to draw says so instead."""
        title = params.get("title", "") or "untitled"
        rich = _child(macro, "ac", "rich-text-body")
        rows = [
            [_text(cell).strip() for cell in row if _name(cell) in (("", "td"), ("", "th"))]
            for row in (rich.iter() if rich is not None else ())
            if isinstance(row.tag, str) and _name(row) == ("", "tr")
        ]
        data = chart_data(rows, vertical=params.get("dataOrientation", "").lower() == "vertical")
        if data is None:
            picture = Markup("<figcaption>[chart: {0}] (no data to draw)</figcaption>").format(
                title
            )
        else:
            picture = bar_chart(
                data,
                title=title,
                width=_size(params.get("width"), 700),
                height=_size(params.get("height"), 300),
                stacked=params.get("stacked", "").lower() == "true",
            )
        return (
            Markup('<figure class="chart">') + picture + self.body_of(macro) + Markup("</figure>")
        )

    def link(self, element: etree._Element) -> Markup:
        label_el = _child(element, "ac", "plain-text-link-body")
        body_el = _child(element, "ac", "link-body")
        page = _child(element, "ri", "page")
        user = _child(element, "ri", "user")
        if body_el is not None:
            label = self.inner(body_el)
        elif label_el is not None:
            label = escape(_text(label_el))
        else:
            label = Markup("")
        if page is not None:
            title = page.get(f"{{{RI}}}content-title", "")
            url = self.links.page(page.get(f"{{{RI}}}space-key"), title)
            label = label or escape(title)
            if url is None:
                return Markup('<span class="missing-link">{0}</span>').format(label)
            return Markup('<a href="{0}">').format(url) + label + Markup("</a>")
        if user is not None:
            name = self.links.user(user.get(f"{{{RI}}}account-id", ""))
            return Markup('<span class="mention">@{0}</span>').format(name)
        url_el = _child(element, "ri", "url")
        if url_el is not None:
            href = safe_href(url_el.get(f"{{{RI}}}value", ""))
            if href is not None:
                return (
                    Markup('<a href="{0}" rel="noopener noreferrer">').format(href)
                    + (label or escape(href))
                    + Markup("</a>")
                )
        return label
