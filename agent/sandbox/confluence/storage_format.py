"""Confluence's storage format, checked the way Confluence checks a page body on a write.

Written from Atlassian's description of the format, and deliberately sharing no
code with the agent's own renderer and checks (``agent/render``): a construct the
agent wrongly believes valid must fail here, not pass the same mistaken test twice.

The storage format is XHTML plus Atlassian's elements
(https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html):
``ac:`` (``http://atlassian.com/content``) for macros, links, images, tasks and
layouts, ``ri:`` (``http://atlassian.com/resource/identifier``) for what they
point at, ``at:`` in templates. A body is a fragment: several top-level
elements, with XHTML named entities (``&nbsp;``) allowed. Confluence refuses a
body that is not well-formed, or whose Atlassian elements it cannot read, with
400 "Error parsing xhtml"; a macro it does not know is stored as written and
shown as "Unknown macro" (its app may be installed later).

No DTD is loaded and no entity is resolved beyond the XHTML named ones.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint
from typing import Final

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from agent.sandbox.api_errors import ApiError

AC: Final = "http://atlassian.com/content"
RI: Final = "http://atlassian.com/resource/identifier"
AT: Final = "http://atlassian.com/template"
PREFIXES: Final = {AC: "ac", RI: "ri", AT: "at"}
_ROOT: Final = "confluence-storage-fragment"
_OPEN: Final = f'<{_ROOT} xmlns:ac="{AC}" xmlns:ri="{RI}" xmlns:at="{AT}">'
_CLOSE: Final = f"</{_ROOT}>"

# The ac: elements of the storage format, each with the ac: attributes it must carry.
AC_ELEMENTS: Final[dict[str, tuple[str, ...]]] = {
    "structured-macro": ("name",),
    "macro": ("name",),  # the older (pre-5.0) macro element, still read
    "parameter": ("name",),  # may be empty: a macro's default parameter
    "rich-text-body": (),
    "plain-text-body": (),
    "link": (),
    "link-body": (),
    "plain-text-link-body": (),
    "image": (),
    "emoticon": ("name",),
    "task-list": (),
    "task": (),
    "task-id": (),
    "task-uuid": (),
    "task-status": (),
    "task-body": (),
    "layout": (),
    "layout-section": (),
    "layout-cell": (),
    "placeholder": (),
    "inline-comment-marker": ("ref",),
    "adf-extension": (),
    "adf-node": (),
    "adf-attribute": (),
    "adf-content": (),
    "adf-fallback": (),
    "adf-mark": (),
}
# The ri: resource identifiers, each with the attribute that names the resource.
RI_ELEMENTS: Final[dict[str, tuple[str, ...]]] = {
    "page": ("content-title",),
    "blog-post": ("content-title", "posting-day"),
    "attachment": ("filename",),
    "url": ("value",),
    "shortcut": ("key", "parameter"),
    "user": (),  # ri:account-id on Cloud, ri:userkey (or ri:username) on Data Center
    "space": ("space-key",),
    "content-entity": ("content-id",),
}
_USER_IDS: Final = ("account-id", "userkey", "username")
# Macros Confluence ships; any other name is an app's (stored, shown as "Unknown macro").
KNOWN_MACROS: Final = frozenset(
    {
        "anchor",
        "attachments",
        "chart",
        "children",
        "code",
        "column",
        "contentbylabel",
        "content-report-table",
        "create-from-template",
        "details",
        "detailssummary",
        "excerpt",
        "excerpt-include",
        "expand",
        "gallery",
        "include",
        "info",
        "jira",
        "jiracharts",
        "livesearch",
        "multimedia",
        "noformat",
        "note",
        "pagetree",
        "panel",
        "profile",
        "recently-updated",
        "roadmap",
        "section",
        "status",
        "tasks-report-macro",
        "tip",
        "toc",
        "warning",
        "widget",
    }
)
_XML_ENTITIES: Final = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY: Final = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


class StorageFormatError(ApiError):
    """A body Confluence refuses: always a 400 "Error parsing xhtml"."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Error parsing xhtml: {detail}")


def _numeric_entities(body: str) -> str:
    """XHTML's named entities as character references (XML knows only five names)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)  # an unknown name stays, and fails the parse
        return f"&#{name2codepoint[name]};"

    return _ENTITY.sub(one, body)


def parse(body: str) -> etree._Element:
    """The body under a wrapper element; ``etree.XMLSyntaxError`` when not well-formed."""
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True, recover=False
    )
    wrapped = _OPEN + _numeric_entities(body) + _CLOSE
    return etree.fromstring(wrapped.encode("utf-8"), parser=parser)


def check_storage(body: str) -> None:
    """Raise :class:`StorageFormatError` unless Confluence would store ``body``."""
    if re.search(r"<!(DOCTYPE|ENTITY)", body, re.IGNORECASE):
        raise StorageFormatError("DTDs and entity declarations are not allowed")
    try:
        root = parse(body)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position or (1, 0)
        if line == 1:
            column = max(1, column - len(_OPEN))
        message = _in_confluence_words(str(exc.msg or exc).split(", line ")[0])
        raise StorageFormatError(f"{message} at [row,col]:[{line},{column}]") from exc
    for element in root.iter():
        if isinstance(element.tag, str) and element is not root:
            _check_element(element)


_MISMATCH: Final = re.compile(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)")


def _in_confluence_words(message: str) -> str:
    """A parser complaint as Confluence's XML reader words the common ones."""
    match = _MISMATCH.match(message)
    if match is None:
        return message
    opened, closed = match.groups()
    if closed == _ROOT:
        return f"Unexpected EOF; was expecting a close tag for element <{opened}>"
    if opened == _ROOT:
        return f"Unexpected close tag </{closed}>; no element is open"
    return f"Unexpected close tag </{closed}>; expected </{opened}>"


def _check_element(element: etree._Element) -> None:
    qname = etree.QName(element)
    prefix = PREFIXES.get(qname.namespace or "")
    if qname.namespace and prefix is None:
        raise StorageFormatError(f"elements of namespace {qname.namespace} are not storage format")
    if prefix == "ac":
        _require(element, "ac", AC, AC_ELEMENTS, qname.localname)
    elif prefix == "ri":
        _require(element, "ri", RI, RI_ELEMENTS, qname.localname)
        if qname.localname == "user" and not any(
            element.get(f"{{{RI}}}{name}") for name in _USER_IDS
        ):
            raise StorageFormatError("ri:user needs ri:account-id (or ri:userkey on Data Center)")


def _require(
    element: etree._Element,
    prefix: str,
    namespace: str,
    known: dict[str, tuple[str, ...]],
    local: str,
) -> None:
    if local not in known:
        raise StorageFormatError(f"unknown element <{prefix}:{local}>")
    for attribute in known[local]:
        if element.get(f"{{{namespace}}}{attribute}") is None:
            raise StorageFormatError(f"<{prefix}:{local}> needs a {prefix}:{attribute} attribute")


def macro_names(body: str) -> list[str]:
    """The names of the macros in a (valid) body, in document order."""
    root = parse(body)
    return [str(m.get(f"{{{AC}}}name", "")) for m in root.iter(f"{{{AC}}}structured-macro")]


def plain_text(body: str) -> str:
    """The visible text of a body, for CQL ``text ~`` and search excerpts."""
    try:
        root = parse(body)
    except etree.XMLSyntaxError:
        return " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return " ".join(" ".join(root.itertext()).split())
