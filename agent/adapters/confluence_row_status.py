"""One status lozenge in an issue's log row ("actions: 2 of 3 done"), touching nothing else.

The row is found as :func:`agent.adapters.confluence_tables.table_has_key`
finds it (a Jira macro for the key, or a cell starting with it). The lozenge is
Confluence's status macro
(https://confluence.atlassian.com/doc/status-macro-223222355.html) whose title
starts with ``actions:``; it sits in the row's issue cell. Setting it again
replaces that macro only, so a row keeps one lozenge and every other character of
the page stays as it was. Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from agent.adapters.confluence_tables import (
    StorageSurgeryError,
    _cells,
    _jira_macro_keys,
    _key_pattern,
    _Located,
    _log_table,
    _row_has_key,
    _rows,
    _text,
)
from agent.render.escaping import escape_xml
from agent.render.storage_xml import NAMESPACES, parse_storage

_AC = f"{{{NAMESPACES['ac']}}}"
PREFIX = "actions:"


def actions_status(done: int, total: int) -> str:
    """``actions: 2 of 3 done``, green once every action is done."""
    colour = "Green" if done >= total else "Yellow"
    return (
        '<ac:structured-macro ac:name="status" ac:schema-version="1">'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter>'
        f'<ac:parameter ac:name="title">{escape_xml(f"{PREFIX} {done} of {total} done")}'
        "</ac:parameter></ac:structured-macro>"
    )


def _parameter(macro: etree._Element, name: str) -> str:
    for parameter in macro.iter(f"{_AC}parameter"):
        if parameter.get(f"{_AC}name") == name:
            return _text(parameter)
    return ""


def _title(macro: etree._Element) -> str:
    return _parameter(macro, "title")


def _shows(macro: etree._Element) -> tuple[str, str]:
    """What a lozenge shows a reader: its title and colour (the editor may add a
    ``ac:macro-id`` or reorder parameters; that is no change)."""
    return _parameter(macro, "title").strip(), _parameter(macro, "colour").strip().casefold()


def set_row_status(body: str, key: str, status_xml: str, header_titles: Sequence[str] = ()) -> str:
    """The body with the issue's row showing ``status_xml`` (replacing its earlier
    ``actions:`` lozenge, else added to its issue cell); unchanged when it shows the same
    title and colour already, so setting a count again writes nothing."""
    located = _Located(body)
    wanted = _shows(next(parse_storage(status_xml).iter(f"{_AC}structured-macro")))
    table = _log_table(located.root, header_titles)
    pattern = _key_pattern(key)
    row = next(
        (r for r in (_rows(table) if table is not None else ()) if _row_has_key(r, key, pattern)),
        None,
    )
    if row is None:
        raise StorageSurgeryError(f"the log has no row for {key} (a person may have removed it)")
    for macro in row.iter(f"{_AC}structured-macro"):
        if macro.get(f"{_AC}name") == "status" and _title(macro).casefold().startswith(PREFIX):
            if _shows(macro) == wanted:
                return body
            span = located.span(macro)
            return body[: span.start] + status_xml + body[span.end :]
    cells = _cells(row)
    if not cells:
        raise StorageSurgeryError(f"the row for {key} has no cells")
    cell = next(
        (c for c in cells if key.upper() in _jira_macro_keys(c) or pattern.match(_text(c))),
        cells[-1],
    )
    span = located.span(cell)
    added = f"<p>{status_xml}</p>"
    if span.self_closing:
        opened = body[span.start : span.open_end - 2].rstrip() + ">"
        return body[: span.start] + opened + added + f"</{span.name}>" + body[span.end :]
    return body[: span.close_start] + added + body[span.close_start :]
