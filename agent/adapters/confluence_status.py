"""Reading the status lozenge a person sets on a page (DRAFT -> DONE), from storage XML.

The post-mortem page starts with a Confluence status macro titled DRAFT; the
person who finishes it changes the title. The body is parsed with the same
hardened lxml parser every storage body goes through (no DTDs, no entities),
so a title written as ``D&#79;NE`` or split over CDATA reads as it displays.

Pure functions, no I/O.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from agent.render.storage_xml import NAMESPACES, parse_storage, storage_problem

_AC = f"{{{NAMESPACES['ac']}}}"


class StatusReadError(ValueError):
    """The page body cannot be parsed, so its status cannot be read."""


def _parameter(macro: etree._Element, name: str) -> str | None:
    for parameter in macro.iter(f"{_AC}parameter"):
        if parameter.get(f"{_AC}name") == name:
            return "".join(parameter.itertext())
    return None


def status_title(body: str) -> str | None:
    """The title of the body's first status macro, stripped and upper-case.

    None when the page has no status macro, or its first one has no title (a
    person removed it: the page says nothing about being done).
    """
    problem = storage_problem(body)
    if problem is not None:
        raise StatusReadError(f"the page body is not well-formed storage format: {problem}")
    for macro in parse_storage(body).iter(f"{_AC}structured-macro"):
        if macro.get(f"{_AC}name") != "status":
            continue
        title = _parameter(macro, "title")
        if title is None or not title.strip():
            return None
        return " ".join(title.split()).upper()
    return None
