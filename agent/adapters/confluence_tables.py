"""Adding one row to a log table in a Confluence storage body, touching nothing else.

People edit the log pages by hand (an extra column, a note above the table,
emoji, a formatted cell), so the body is never round-tripped through an XML
serialiser: lxml *finds* the table and reads its header and rows, an exact
tag scan of the original text gives the byte offsets, and the new row is
spliced in by string slicing. Everything before and after the insertion point
stays byte for byte as the person left it.

Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from agent.render.escaping import escape_xml
from agent.render.storage_xml import NAMESPACES, parse_storage, storage_problem

_AC = f"{{{NAMESPACES['ac']}}}"
_ROW_GROUPS = ("thead", "tbody", "tfoot")
_CELLS = ("td", "th")
_EMPTY_CELL = "<td><p /></td>"
_BLOCKS = frozenset(
    {"p", "br", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
    | {"blockquote", "parameter", "rich-text-body", "plain-text-body"}
)
# libxml2 keeps line numbers in 16 bits unless told otherwise: past this, sourceline saturates
_MAX_RELIABLE_LINE = 65535

_START_TAG = re.compile(
    r"<(?P<name>[^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(?P<empty>/?)>"
)
_END_TAG = re.compile(r"</(?P<name>[^\s>]+)\s*>")
_SKIPPED = (("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>"))


class StorageSurgeryError(ValueError):
    """The body or the row cannot be handled (malformed, or not shaped as expected)."""


# -- an exact scan of the original text ------------------------------------------------
@dataclass
class _Span:
    """One element of the original text: where its start tag begins and where it ends."""

    name: str  # as written, e.g. "tbody" or "ac:structured-macro"
    start: int  # offset of "<" of the start tag
    open_end: int  # offset just after the start tag's ">"
    end: int = -1  # offset just after the end tag (== open_end when self-closing)
    close_start: int = -1  # offset of "</" of the end tag (-1 when self-closing)
    line: int = 1

    @property
    def self_closing(self) -> bool:
        return self.close_start < 0

    @property
    def local_name(self) -> str:
        return self.name.rsplit(":", 1)[-1]


def _scan(body: str) -> list[_Span]:
    """Every element of a well-formed body, in document order (start tags' order).

    Comments, CDATA sections and processing instructions are skipped whole, so a
    ``</table>`` written inside a code macro's CDATA is never taken for a tag.
    """
    spans: list[_Span] = []
    open_stack: list[_Span] = []
    position = 0
    line = 1
    while True:
        found = body.find("<", position)
        if found < 0:
            break
        line += body.count("\n", position, found)
        position = found
        skipped = next((end for begin, end in _SKIPPED if body.startswith(begin, found)), None)
        if skipped is not None:
            close = body.find(skipped, found)
            if close < 0:
                raise StorageSurgeryError(f"unterminated markup section at offset {found}")
            position = close + len(skipped)
            line += body.count("\n", found, position)
            continue
        closing = _END_TAG.match(body, found)
        if closing is not None:
            if not open_stack or open_stack[-1].name != closing.group("name"):
                raise StorageSurgeryError(f"unexpected </{closing.group('name')}> at {found}")
            span = open_stack.pop()
            span.close_start = found
            span.end = position = closing.end()
        else:
            opening = _START_TAG.match(body, found)
            if opening is None:
                raise StorageSurgeryError(f"cannot read the tag at offset {found}")
            span = _Span(opening.group("name"), found, opening.end(), line=line)
            spans.append(span)
            if opening.group("empty"):
                span.end = opening.end()
            else:
                open_stack.append(span)
            position = opening.end()
        line += body.count("\n", found, position)
    if open_stack:
        raise StorageSurgeryError(f"element <{open_stack[-1].name}> is not closed")
    return spans


# -- the parsed view, tied to the scan -------------------------------------------------
def _local(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


class _Located:
    """A parsed body whose elements each know their exact place in the original text."""

    def __init__(self, body: str) -> None:
        problem = storage_problem(body)
        if problem is not None:
            raise StorageSurgeryError(f"the page body is not well-formed storage format: {problem}")
        self.body = body
        self.root = parse_storage(body)
        elements = [el for el in self.root.iter() if isinstance(el.tag, str)][1:]  # not the wrapper
        spans = _scan(body)
        if len(elements) != len(spans):
            raise StorageSurgeryError(
                f"could not locate the elements ({len(elements)} parsed, {len(spans)} scanned)"
            )
        self.spans: dict[etree._Element, _Span] = {}
        for element, span in zip(elements, spans, strict=True):
            line_known = span.line < _MAX_RELIABLE_LINE and element.sourceline is not None
            if _local(element) != span.local_name or (
                line_known and element.sourceline != span.line
            ):
                raise StorageSurgeryError(
                    f"could not locate <{span.name}> on line {span.line} of the page body"
                )
            self.spans[element] = span

    def span(self, element: etree._Element) -> _Span:
        return self.spans[element]


def _text(element: etree._Element) -> str:
    """Visible text, whitespace collapsed; block elements (paragraphs, cells) are separated."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        block = _local(node) in _BLOCKS
        if block:
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str):
                walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append(" ")

    walk(element)
    return " ".join("".join(parts).split())


def _inside_table(element: etree._Element) -> bool:
    return any(_local(a) == "table" for a in element.iterancestors() if isinstance(a.tag, str))


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows (direct, or in thead/tbody/tfoot), never a nested table's."""
    rows: list[etree._Element] = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if _local(child) == "tr":
            rows.append(child)
        elif _local(child) in _ROW_GROUPS:
            rows.extend(r for r in child if isinstance(r.tag, str) and _local(r) == "tr")
    return rows


def _cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if isinstance(c.tag, str) and _local(c) in _CELLS]


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _header_columns(table: etree._Element) -> list[str]:
    """The normalised texts of the table's first row (its header)."""
    rows = _rows(table)
    return [_norm(_text(cell)) for cell in _cells(rows[0])] if rows else []


def _matches(table: etree._Element, header_titles: Sequence[str]) -> bool:
    columns = _header_columns(table)
    return bool(header_titles) and all(_norm(t) in columns for t in header_titles)


def _log_table(root: etree._Element, header_titles: Sequence[str]) -> etree._Element | None:
    """The first table whose header has every given title, else the first outer table.

    A log a person moved into a layout table (nested in a cell), or into a macro
    body (an expand, a panel), is still found by its header; without a header
    match, a table nested in another table's cell is never taken for the log.
    """
    tables = [t for t in root.iter() if isinstance(t.tag, str) and _local(t) == "table"]
    for table in tables:
        if _matches(table, header_titles):
            return table
    outer = [t for t in tables if not _inside_table(t)]
    return outer[0] if outer else None


def log_row_count(body: str, header_titles: Sequence[str] = ()) -> int:
    """How many rows the log table (chosen as :func:`insert_row` would) holds, header aside."""
    table = _log_table(parse_storage(body), header_titles)
    if table is None:
        return 0
    rows = _rows(table)
    headed = bool(rows) and all(_local(cell) == "th" for cell in _cells(rows[0]))
    return len(rows) - (1 if headed else 0)


# -- does the log already hold this issue? ---------------------------------------------
def _key_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(key.strip())}(?![A-Za-z0-9])", re.IGNORECASE)


def _jira_macro_keys(row: etree._Element) -> set[str]:
    keys: set[str] = set()
    for macro in row.iter(f"{_AC}structured-macro"):
        if macro.get(f"{_AC}name") != "jira":
            continue
        for parameter in macro.iter(f"{_AC}parameter"):
            if parameter.get(f"{_AC}name") == "key":
                keys.add(_text(parameter).upper())
    return keys


def _row_has_key(row: etree._Element, key: str, pattern: re.Pattern[str]) -> bool:
    """A Jira macro for the key anywhere in the row, or a cell whose text starts with it.

    "Duplicate of DS-123" in another incident's row is not DS-123's row; "DS-123"
    or "DS-123 Checkout down" in a cell is.
    """
    if key.strip().upper() in _jira_macro_keys(row):
        return True
    return any(pattern.match(_text(cell)) for cell in _cells(row))


def table_has_key(body: str, key: str, header_titles: Sequence[str] = ()) -> bool:
    """True when the log table (chosen as :func:`insert_row` would) has a row for ``key``."""
    if not key.strip():
        raise ValueError("an issue key is needed to look for its row")
    problem = storage_problem(body)
    if problem is not None:
        raise StorageSurgeryError(f"the page body is not well-formed storage format: {problem}")
    table = _log_table(parse_storage(body), header_titles)
    if table is None:
        return False
    pattern = _key_pattern(key)
    return any(_row_has_key(row, key, pattern) for row in _rows(table))


# -- the row to add ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Row:
    """The new row's text and the exact text of each of its cells."""

    start_tag: str  # "<tr>" or "<tr class=...>"
    cells: tuple[str, ...]
    text: str


def _parse_row(row_xml: str) -> _Row:
    text = row_xml.strip()
    problem = storage_problem(text)
    if problem is not None:
        raise StorageSurgeryError(f"the row is not well-formed storage format: {problem}")
    located = _Located(text)
    root = located.root
    children = [c for c in root if isinstance(c.tag, str)]
    if len(children) != 1 or _local(children[0]) != "tr" or (root.text or "").strip():
        raise StorageSurgeryError("the row must be exactly one <tr>...</tr> element")
    row_span = located.span(children[0])
    cells = tuple(
        text[located.span(cell).start : located.span(cell).end] for cell in _cells(children[0])
    )
    return _Row(text[row_span.start : row_span.open_end], cells, text)


def _arranged(row: _Row, table: etree._Element, header_titles: Sequence[str]) -> str:
    """The row shaped for this table's columns.

    When the table's header has the given titles (maybe reordered, maybe with a
    person's extra columns) and the row has one cell per title, each cell goes
    under its title and extra columns get an empty cell. Otherwise the row is
    used as written, padded with empty cells up to the header's width.
    """
    columns = _header_columns(table)
    if _matches(table, header_titles) and len(row.cells) == len(header_titles):
        by_title = {_norm(t): cell for t, cell in zip(header_titles, row.cells, strict=True)}
        if len(by_title) == len(header_titles) and len(set(columns)) == len(columns):
            cells = [by_title.get(column, _EMPTY_CELL) for column in columns]
            return row.start_tag + "".join(cells) + "</tr>"
    missing = len(columns) - len(row.cells)
    if missing > 0 and row.cells:
        return row.start_tag + "".join(row.cells) + _EMPTY_CELL * missing + "</tr>"
    return row.text


# -- where it goes ----------------------------------------------------------------------
def _separator(located: _Located, rows: list[etree._Element]) -> str:
    """The whitespace a person (or Confluence) put between the last two rows, if any."""
    if len(rows) < 2:
        return ""
    gap = located.body[located.span(rows[-2]).end : located.span(rows[-1]).start]
    return gap if gap.isspace() else ""


def _splice(body: str, at: int, text: str) -> str:
    return body[:at] + text + body[at:]


def _insert_into(located: _Located, table: etree._Element, row_text: str) -> str:
    body = located.body
    rows = _rows(table)
    bodies = [c for c in table if isinstance(c.tag, str) and _local(c) == "tbody"]
    if bodies and not any(r.getparent() is bodies[-1] for r in rows):
        # an empty tbody: the row goes inside it
        group = located.span(bodies[-1])
        if group.self_closing:
            opened = body[group.start : group.open_end - 2].rstrip() + ">"
            return body[: group.start] + opened + row_text + "</tbody>" + body[group.end :]
        return _splice(body, group.close_start, row_text)
    body_rows = [r for r in rows if _local(r.getparent()) != "tfoot"]
    if body_rows:
        gap = _separator(located, body_rows)
        return _splice(body, located.span(body_rows[-1]).end, gap + row_text)
    span = located.span(table)
    wrapped = f"<tbody>{row_text}</tbody>"
    if span.self_closing:
        opened = body[span.start : span.open_end - 2].rstrip() + ">"
        return body[: span.start] + opened + wrapped + "</table>" + body[span.end :]
    return _splice(body, span.close_start, wrapped)


def new_table(header_titles: Sequence[str], row_xml: str) -> str:
    """A log table with a header row of ``header_titles`` (escaped) and one row."""
    header = "".join(f"<th><p>{escape_xml(title)}</p></th>" for title in header_titles)
    head_row = f"<tr>{header}</tr>" if header else ""
    return f"<table><tbody>{head_row}{row_xml.strip()}</tbody></table>"


def insert_row(body: str, row_xml: str, header_titles: Sequence[str] = ()) -> str:
    """``body`` with ``row_xml`` added as the last row of its log table.

    The log table is the first table whose header row holds every one of
    ``header_titles``, else the first table; a page without a table gets a new
    one (header + row) at the end. Only the row is inserted: every other
    character of ``body`` is kept as it was. Raises :class:`StorageSurgeryError`
    for a malformed body or a ``row_xml`` that is not one ``<tr>``.
    """
    row = _parse_row(row_xml)
    located = _Located(body)
    table = _log_table(located.root, header_titles)
    if table is None:
        return body + new_table(header_titles, row.text)
    return _insert_into(located, table, _arranged(row, table, header_titles))
