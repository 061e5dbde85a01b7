"""Parsing CQL (Confluence Query Language) into a small syntax tree.

The grammar is in ``cql.lark``. A query that does not parse, names a field the
sandbox does not know, or uses an operator a field does not support raises
:class:`CqlError` (a 400 with Confluence's message), never an empty result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import LarkError, VisitError

from agent.sandbox.api_errors import ApiError

EQUALITY = ("=", "!=", "in", "not in")
TEXT = ("~", "!~")
ORDERING = ("=", "!=", ">", "<", ">=", "<=", "in", "not in")
FIELDS: dict[str, tuple[str, ...]] = {
    "title": EQUALITY + TEXT,
    "space": EQUALITY,
    "space.key": EQUALITY,
    "label": EQUALITY,
    "parent": EQUALITY,
    "ancestor": EQUALITY,
    "type": EQUALITY,
    "id": EQUALITY,
    "content": EQUALITY,
    "creator": EQUALITY,
    "contributor": EQUALITY,
    "created": ORDERING,
    "lastmodified": ORDERING,
    "text": TEXT,
}
SORTABLE = ("title", "created", "lastmodified", "id", "type", "space", "space.key")


class CqlError(ApiError):
    """A CQL query Confluence would refuse with a 400."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[Value, ...]


Value = str | Function


@dataclass(frozen=True)
class Clause:
    field: str
    op: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    where: Node | None
    order: tuple[SortKey, ...]


def _unquote(text: str) -> str:
    inner = text[1:-1]
    out = []
    escaped = False
    for char in inner:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


class _ToAst(Transformer[Token, Any]):
    """Turns lark's parse tree into the dataclasses above, checking fields and operators."""

    def field(self, names: list[Token]) -> str:
        return ".".join(str(n) for n in names).lower()

    def quoted(self, items: list[Token]) -> str:
        return _unquote(str(items[0]))

    def bare(self, items: list[Token]) -> str:
        return str(items[0])

    def function(self, items: list[Any]) -> Function:
        name, *args = items
        return Function(str(name).lower(), tuple(a for a in args if a is not None))

    def compare(self, items: list[Any]) -> Clause:
        field, op, value = items
        return _clause(field, str(op), (value,))

    def in_list(self, items: list[Any]) -> Clause:
        return _clause(items[0], "in", tuple(items[1:]))

    def not_in_list(self, items: list[Any]) -> Clause:
        return _clause(items[0], "not in", tuple(items[1:]))

    def and_expr(self, items: list[Node]) -> And:
        return And(tuple(items))

    def or_expr(self, items: list[Node]) -> Or:
        return Or(tuple(items))

    def negation(self, items: list[Node]) -> Not:
        return Not(items[0])

    def sort_key(self, items: list[Any]) -> SortKey:
        field = items[0]
        if field not in SORTABLE:
            raise CqlError(f"Cannot order by '{field}': it is not a sortable field.")
        descending = len(items) > 1 and str(items[1]).lower() == "desc"
        return SortKey(field, descending)

    def order_by(self, items: list[SortKey]) -> tuple[SortKey, ...]:
        return tuple(items)

    def start(self, items: list[Any]) -> Query:
        where: Node | None = None
        order: tuple[SortKey, ...] = ()
        for item in items:
            if isinstance(item, tuple):
                order = item
            elif item is not None:
                where = item
        return Query(where, order)


def _clause(field: str, op: str, values: tuple[Value, ...]) -> Clause:
    if field not in FIELDS:
        raise CqlError(
            "CQL was parsed but the search manager was unable to execute the search. "
            f"Error message: No field exists with the name '{field}'"
        )
    if op not in FIELDS[field]:
        raise CqlError(
            "CQL was parsed but the search manager was unable to execute the search. "
            f"Error message: The field '{field}' does not support the operator '{op}'"
        )
    return Clause(field, op, values)


_PARSE_LOCK = threading.Lock()  # one shared parser; requests arrive on many threads


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "cql.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", maybe_placeholders=True)


def parse_cql(text: str | None) -> Query:
    """Parse a CQL string; raises :class:`CqlError` on anything Confluence would refuse."""
    if text is None or not text.strip():
        raise CqlError("The CQL query parameter 'cql' is required.")
    try:
        with _PARSE_LOCK:
            tree: Tree[Token] = _parser().parse(text)
        query: Query = _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, CqlError):
            raise exc.orig_exc from exc
        raise CqlError(f"Could not parse cql : {text}") from exc
    except LarkError as exc:
        raise CqlError(f"Could not parse cql : {text}") from exc
    if query.where is None and not query.order:
        raise CqlError(f"Could not parse cql : {text}")
    return query
