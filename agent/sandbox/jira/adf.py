"""Atlassian Document Format: validation and plain-text conversion.

Jira's v3 API speaks ADF for rich-text fields (description, comment bodies,
multi-line custom fields) while v2 speaks plain strings, and the sandbox serves
both from one stored value. The validator is built once from the published
JSON schema (``adf_schema.json``, Apache-2.0, from ``@atlaskit/adf-schema``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

_SCHEMA_PATH = Path(__file__).with_name("adf_schema.json")
_BLOCKS_SEPARATED_BY_BLANK_LINE = {"paragraph", "heading", "codeBlock", "blockquote", "panel"}


@lru_cache(maxsize=1)
def _validator() -> Draft4Validator:
    schema = json.loads(_SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft4Validator(schema)


def adf_errors(doc: Any) -> list[str]:
    """Why ``doc`` is not a valid ADF document (empty when it is)."""
    if not isinstance(doc, dict) or doc.get("type") != "doc":
        return ["The value is not an Atlassian Document (type 'doc')."]
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors]


def is_adf(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc"


def text_to_adf(text: str) -> dict[str, Any]:
    """Plain text as ADF: blank-line separated paragraphs, single newlines as hard breaks."""
    content: list[dict[str, Any]] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block:
            continue
        inline: list[dict[str, Any]] = []
        for index, line in enumerate(block.split("\n")):
            if index:
                inline.append({"type": "hardBreak"})
            if line:
                inline.append({"type": "text", "text": line})
        content.append({"type": "paragraph", "content": inline})
    return {"type": "doc", "version": 1, "content": content}


def adf_to_text(doc: Any) -> str:
    """The readable text of an ADF document (mentions as Jira's ``[~accountid:...]``)."""
    if not isinstance(doc, dict):
        return ""
    return _blocks(doc.get("content") or []).strip("\n")


def _blocks(nodes: list[Any]) -> str:
    parts: list[str] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        if kind in ("bulletList", "orderedList"):
            for number, item in enumerate(node.get("content") or [], start=1):
                marker = "* " if kind == "bulletList" else f"{number}. "
                inner = _blocks(item.get("content") or []) if isinstance(item, dict) else ""
                parts.append(marker + inner.strip("\n"))
            continue
        if kind in ("table", "tableRow", "tableCell", "tableHeader", "expand", "layoutSection"):
            parts.append(_blocks(node.get("content") or []))
            continue
        if kind == "rule":
            parts.append("----")
            continue
        text = _inline(node)
        if kind in _BLOCKS_SEPARATED_BY_BLANK_LINE:
            parts.append(text + "\n")
        else:
            parts.append(text)
    return "\n".join(part for part in parts if part is not None)


def _inline(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "text":
        return str(node.get("text", ""))
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        attrs = node.get("attrs") or {}
        return f"[~accountid:{attrs.get('id', '')}]"
    if kind in ("emoji", "status"):
        attrs = node.get("attrs") or {}
        return str(attrs.get("text") or attrs.get("shortName") or "")
    if kind == "inlineCard":
        return str((node.get("attrs") or {}).get("url", ""))
    children = node.get("content") or []
    if any(isinstance(c, dict) and c.get("type") in ("paragraph", "bulletList") for c in children):
        return _blocks(children)
    return "".join(_inline(child) for child in children if isinstance(child, dict))


def as_text(value: Any) -> str:
    """Stored rich text (a string or ADF) as plain text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return adf_to_text(value)


def as_adf(value: Any) -> dict[str, Any] | None:
    """Stored rich text (a string or ADF) as ADF; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        return text_to_adf(value)
    return dict(value)
