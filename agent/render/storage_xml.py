"""Is a Confluence storage-format body well-formed? (XHTML with ``ac:``/``ri:``/``at:``.)

Shared by the agent (every rendered page is checked before upload) and the
sandbox (which refuses malformed bodies as Confluence does). Never loads DTDs
or external entities.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

NAMESPACES = {
    "ac": "http://atlassian.com/content",
    "ri": "http://atlassian.com/resource/identifier",
    "at": "http://atlassian.com/template",
}
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_ROOT_OPEN = "<storage-root {}>".format(
    " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
)
_ROOT_CLOSE = "</storage-root>"


def _html_entities_to_numeric(body: str) -> str:
    """HTML named entities (``&nbsp;``) as numeric references; unknown names left to fail."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};"

    return _NAMED_ENTITY.sub(replace, body)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        recover=False,
    )


def parse_storage(body: str) -> etree._Element:
    """The body's root (a wrapper element); raises ``etree.XMLSyntaxError`` when malformed."""
    wrapped = _ROOT_OPEN + _html_entities_to_numeric(body) + _ROOT_CLOSE
    return etree.fromstring(wrapped.encode("utf-8"), parser=_parser())


_ROOT_NAME = "storage-root"
_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)")


def _explain(message: str) -> str:
    """lxml's complaint in the body's own terms (our wrapper element never shows)."""
    match = _MISMATCH.match(message)
    if match:
        opened, closed = match.groups()
        if closed == _ROOT_NAME:
            return f"element <{opened}> is not closed"
        if opened == _ROOT_NAME:
            return f"stray closing tag </{closed}>"
    return message


def storage_problem(body: str) -> str | None:
    """None when ``body`` is well-formed storage format, else what is wrong and where."""
    if "<!DOCTYPE" in body.upper():
        return "a DOCTYPE declaration is not allowed in storage format"
    try:
        parse_storage(body)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (1, 0)
        if line == 1:
            column = max(column - len(_ROOT_OPEN), 1)  # positions in the caller's body
        message = _explain(str(exc.msg or exc).split(", line ")[0])
        return f"{message} at [row,col]: [{line},{column}]"
    return None


def storage_text(body: str) -> str:
    """The visible text of a storage body (search excerpts, CQL ``text ~``)."""
    try:
        root = parse_storage(body)
    except etree.XMLSyntaxError:
        return " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return " ".join(" ".join(root.itertext()).split())
