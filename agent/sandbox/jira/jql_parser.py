"""JQL text to a small syntax tree, with lark (grammar in ``jql.lark``).

Parse errors become :class:`JqlError` with Jira's wording ("Error in the JQL
Query: ...") so the REST layer can answer 400 like Jira does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

_GRAMMAR = Path(__file__).with_name("jql.lark")


class JqlError(ValueError):
    """A query Jira would reject; ``str()`` is the message for ``errorMessages``."""


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Empty:
    pass


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...] = ()


Operand = Value | Empty | Function


@dataclass(frozen=True)
class ValueList:
    items: tuple[Operand, ...]


@dataclass(frozen=True)
class Clause:
    field: str
    operator: str  # = != > >= < <= ~ !~ in "not in" is "is not"
    operand: Operand | ValueList


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    where: Node | None
    order: tuple[SortKey, ...] = field(default_factory=tuple)


def _unquote(token: Token) -> tuple[str, bool]:
    text = str(token)
    if token.type == "STRING":
        inner = text[1:-1]
        out = []
        escaped = False
        for char in inner:
            if escaped:
                out.append({"n": "\n", "t": "\t"}.get(char, char))
                escaped = False
            elif char == "\\":
                escaped = True
            else:
                out.append(char)
        return "".join(out), True
    return text, False


class _ToAst(Transformer[Token, Any]):
    def start(self, children: list[Any]) -> Query:
        where = next((c for c in children if isinstance(c, Clause | And | Or | Not)), None)
        order = next((c for c in children if isinstance(c, tuple)), ())
        return Query(where, order)

    def or_(self, children: list[Node]) -> Or:
        items: list[Node] = []
        for child in children:
            items.extend(child.items if isinstance(child, Or) else (child,))
        return Or(tuple(items))

    def and_(self, children: list[Node]) -> And:
        items: list[Node] = []
        for child in children:
            items.extend(child.items if isinstance(child, And) else (child,))
        return And(tuple(items))

    def not_(self, children: list[Node]) -> Not:
        return Not(children[0])

    def field(self, children: list[Token]) -> str:
        return _unquote(children[0])[0]

    def value(self, children: list[Token]) -> Value:
        text, quoted = _unquote(children[0])
        return Value(text, quoted)

    def empty(self, _children: list[Token]) -> Empty:
        return Empty()

    def function(self, children: list[Any]) -> Function:
        name = str(children[0])
        args = tuple(_unquote(a)[0] for a in children[1:] if a is not None)
        return Function(name, args)

    def value_list(self, children: list[Any]) -> ValueList:
        items = [Value(*_unquote(c)) if isinstance(c, Token) else c for c in children]
        return ValueList(tuple(items))

    def compare(self, children: list[Any]) -> Clause:
        return Clause(children[0], str(children[1]), children[2])

    def in_(self, children: list[Any]) -> Clause:
        return Clause(children[0], "in", children[2])

    def not_in(self, children: list[Any]) -> Clause:
        return Clause(children[0], "not in", children[2])

    def is_empty(self, children: list[Any]) -> Clause:
        return Clause(children[0], "is", Empty())

    def is_not_empty(self, children: list[Any]) -> Clause:
        return Clause(children[0], "is not", Empty())

    def order_by(self, children: list[Any]) -> tuple[SortKey, ...]:
        return tuple(c for c in children if isinstance(c, SortKey))

    def sort_key(self, children: list[Any]) -> SortKey:
        descending = len(children) > 1 and str(children[1]).lower() == "desc"
        return SortKey(children[0], descending)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR.read_text(encoding="utf-8"), parser="lalr", maybe_placeholders=True)


@lru_cache(maxsize=512)
def parse(text: str) -> Query:
    """Parse JQL (cached: agents repeat the same queries)."""
    if not text.strip():
        return Query(None, ())
    try:
        tree = _parser().parse(text)
    except UnexpectedEOF as exc:
        raise JqlError(
            "Error in the JQL Query: Expecting either a value, list or function but got "
            f"end of query. (line 1, character {len(text)})"
        ) from exc
    except UnexpectedCharacters as exc:
        char = text[exc.pos_in_stream] if exc.pos_in_stream is not None else "?"
        raise JqlError(
            f"Error in the JQL Query: The character '{char}' is a reserved "
            "JQL character. You must enclose it in a string or use the escape '\\u"
            f"{ord(char):04x}' instead. (line {exc.line}, character {exc.column})"
        ) from exc
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        shown = "end of query" if token is None or token.type == "$END" else f"'{token}'"
        column = getattr(exc, "column", len(text))
        raise JqlError(
            f"Error in the JQL Query: Expecting a field, operator, value or keyword but got "
            f"{shown}. (line 1, character {column})"
        ) from exc
    result = _ToAst().transform(tree)
    assert isinstance(result, Query)
    return result
