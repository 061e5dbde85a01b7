"""Compiling a parsed JQL query into a predicate and a sort over issue documents.

Values are resolved once per query (statuses, users, dates relative to the
sandbox clock), so the per-issue work is a few dict lookups: a page out of
10,000 issues stays well within the time budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog
from agent.sandbox.jira.jql_dates import absolute_ms, period_start, relative_ms, shift
from agent.sandbox.jira.jql_fields import JqlField, resolve
from agent.sandbox.jira.jql_parser import (
    And,
    Clause,
    Empty,
    Function,
    JqlError,
    Node,
    Not,
    Or,
    Query,
    Value,
    ValueList,
    parse,
)
from agent.sandbox.jira.jql_text import text_matcher
from agent.sandbox.store import Doc
from agent.sandbox.user_directory import user_zone

Predicate = Callable[[Doc], bool]
_DATE_FUNCTIONS = {
    "now",
    "startofday",
    "endofday",
    "startofweek",
    "endofweek",
    "startofmonth",
    "endofmonth",
    "startofyear",
    "endofyear",
}


@dataclass
class CompiledQuery:
    filters: list[Predicate]  # all must hold (a top-level AND, applied one after another)
    sort_keys: list[tuple[Callable[[Doc], Any], bool]]
    uses_clock: bool = False  # relative dates or date functions: results move with time

    def run(self, issues: list[Doc]) -> list[Doc]:
        """Matching issues in the query's order (id order breaks ties, as keys do).

        ``issues`` come in creation (id) order, so ties need no sort of their own.
        """
        matched = issues
        for keep in self.filters:
            matched = [doc for doc in matched if keep(doc)]
        descending_first = self.sort_keys[0][1] if self.sort_keys else True
        matched = matched[::-1] if descending_first else list(matched)
        for getter, descending in reversed(self.sort_keys):
            keyed = [(getter(doc), doc) for doc in matched]
            present = [pair for pair in keyed if pair[0] is not None]
            missing = [pair[1] for pair in keyed if pair[0] is None]
            present.sort(key=itemgetter(0), reverse=descending)
            ordered = [pair[1] for pair in present]
            matched = missing + ordered if descending else ordered + missing
        return matched


def compile_jql(ctx: SandboxContext, jql: str, actor: Doc) -> CompiledQuery:
    """Parse and compile; JqlError for anything Jira would answer 400 to."""
    query = parse(jql)
    return _Compiler(ctx, actor, ctx.clock.now()).query(query)


class _Compiler:
    def __init__(self, ctx: SandboxContext, actor: Doc, now: datetime) -> None:
        self.ctx = ctx
        self.actor = actor
        self.now = now
        self.uses_clock = False
        # Dates are read in the searching user's profile time zone (see jql_dates).
        self.zone = user_zone(actor)

    def query(self, query: Query) -> CompiledQuery:
        where = query.where
        parts = where.items if isinstance(where, And) else (() if where is None else (where,))
        filters = [self.node(part) for part in parts]
        sort_keys = []
        for key in query.order:
            field = resolve(self.ctx, key.field)
            if field.sort is None:
                raise JqlError(f"Field '{key.field}' does not support sorting.")
            sort_keys.append((field.sort, key.descending))
        return CompiledQuery(filters, sort_keys, self.uses_clock)

    def node(self, node: Node) -> Predicate:
        if isinstance(node, And):
            parts = [self.node(item) for item in node.items]
            return lambda doc: all(part(doc) for part in parts)
        if isinstance(node, Or):
            parts = [self.node(item) for item in node.items]
            return lambda doc: any(part(doc) for part in parts)
        if isinstance(node, Not):
            inner = self.node(node.item)
            return lambda doc: not inner(doc)
        return self.clause(node)

    # -- clauses ---------------------------------------------------------------------
    def clause(self, clause: Clause) -> Predicate:
        field = resolve(self.ctx, clause.field)
        operator = clause.operator.lower()
        operand = clause.operand
        if isinstance(operand, Empty) and operator in ("=", "!="):
            operator = "is" if operator == "=" else "is not"
        field.check_operator(operator)
        get = field.get
        if operator == "is":
            return lambda doc: get(doc) is None
        if operator == "is not":
            return lambda doc: get(doc) is not None
        if field.kind == "text":
            return self._text(field, operator, operand)
        if operator in (">", ">=", "<", "<="):
            return self._ordering(field, operator, operand)
        wanted, with_empty = self._values(field, operand)
        if operator in ("in", "not in") and not isinstance(operand, ValueList):
            raise JqlError(
                f"Error in the JQL Query: Expecting a list of values after '{operator}' "
                f"for the field '{field.name}'."
            )
        if field.kind == "multi":
            if operator in ("=", "in"):
                return lambda doc: bool(got & wanted) if (got := get(doc)) else with_empty
            return lambda doc: bool(got := get(doc)) and not (got & wanted)
        if operator in ("=", "in"):
            if with_empty:
                return lambda doc: (got := get(doc)) in wanted or got is None
            return _fast_in(field, wanted) or (lambda doc: get(doc) in wanted)
        if not with_empty and len(field.path) == 2:
            outer, inner = field.path
            excluded = wanted | {None}
            return lambda doc: doc[outer].get(inner) not in excluded
        return lambda doc: (got := get(doc)) is not None and got not in wanted

    def _text(self, field: JqlField, operator: str, operand: Any) -> Predicate:
        if not isinstance(operand, Value):
            raise JqlError(
                f"The operator '{operator}' on the field '{field.name}' needs a text value."
            )
        matcher = text_matcher(operand.text)
        get = field.get
        if operator == "~":
            return lambda doc: bool(words := get(doc)) and matcher(words)
        return lambda doc: bool(words := get(doc)) and not matcher(words)

    def _ordering(self, field: JqlField, operator: str, operand: Any) -> Predicate:
        if isinstance(operand, ValueList | Empty):
            raise JqlError(
                f"The operator '{operator}' is not supported by the '{field.name}' field "
                "with a list or EMPTY."
            )
        if field.kind == "date":
            bound: Any = self._date(field, operand)
            get = field.get
        elif field.name == "key":
            if not isinstance(operand, Value):
                raise JqlError("The field 'key' takes an issue key with this operator.")
            return _key_range(operator, _key_bound(operand.text))
        elif field.name == "priority":
            values, _ = self._values(field, operand)
            rank = catalog.PRIORITY_BY_ID[next(iter(values))].rank
            # "priority >= High" means at least as urgent: a lower rank number
            compare = _COMPARE[_FLIP[operator]]
            allowed = {p.id for p in catalog.PRIORITIES if compare(p.rank, rank)}
            return lambda doc: doc["fields"].get("priority") in allowed
        else:
            values, _ = self._values(field, operand)
            bound = next(iter(values))
            get = field.get
        compare = _COMPARE[operator]
        if len(field.path) == 2 and field.kind == "date":
            outer, inner = field.path
            return lambda doc: (got := doc[outer].get(inner)) is not None and compare(got, bound)
        return lambda doc: (got := get(doc)) is not None and compare(got, bound)

    # -- operands --------------------------------------------------------------------------
    def _values(self, field: JqlField, operand: Any) -> tuple[set[Any], bool]:
        items = operand.items if isinstance(operand, ValueList) else (operand,)
        wanted: set[Any] = set()
        with_empty = False
        for item in items:
            if isinstance(item, Empty):
                with_empty = True
            elif field.kind == "date":
                wanted.add(self._date(field, item))
            elif isinstance(item, Function):
                wanted |= self._function_values(field, item)
            else:
                wanted |= field.values(item.text)
        if None in wanted:
            wanted.discard(None)
            with_empty = True
        return wanted, with_empty

    def _function_values(self, field: JqlField, function: Function) -> set[Any]:
        name = function.name.lower()
        if name == "currentuser":
            if not field.user_field:
                raise JqlError(
                    f"The field '{field.name}' does not support the function 'currentUser'."
                )
            return {self.actor["accountId"]}
        if name in _DATE_FUNCTIONS:
            raise JqlError(
                f"The field '{field.name}' does not support the function '{function.name}'."
            )
        raise JqlError(f"Unable to find JQL function '{function.name}()'.")

    def _date(self, field: JqlField, operand: Any) -> int:
        if isinstance(operand, Function):
            return self._date_function(field, operand)
        if not isinstance(operand, Value):
            raise JqlError(f"The field '{field.name}' needs a date value.")
        relative = relative_ms(operand.text)
        self.uses_clock = self.uses_clock or relative is not None
        if relative is not None and not operand.text.strip().isdigit():
            return int(self.now.timestamp() * 1000) + relative
        # a due date is a calendar date, kept without a zone: compared as one
        absolute = absolute_ms(operand.text, UTC if field.name == "duedate" else self.zone)
        if absolute is None:
            raise JqlError(
                f"Date value '{operand.text}' for field '{field.name}' is invalid. Valid formats "
                "include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', "
                "or a period format e.g. '-5d', '4w 2d'."
            )
        return absolute

    def _date_function(self, field: JqlField, function: Function) -> int:
        self.uses_clock = True
        name = function.name.lower()
        if name not in _DATE_FUNCTIONS:
            if name == "currentuser":
                raise JqlError(
                    f"The field '{field.name}' does not support the function 'currentUser'."
                )
            raise JqlError(f"Unable to find JQL function '{function.name}()'.")
        if len(function.args) > 1:
            raise JqlError(f"Function '{function.name}' expected at most one argument.")
        unit = {"day": "d", "week": "w", "month": "M", "year": "y"}.get(
            next((u for u in ("day", "week", "month", "year") if name.endswith(u)), ""), "m"
        )
        moment = self.now.astimezone(self.zone)
        if function.args:
            moment = shift(moment, function.args[0], unit, function.name)
        if name == "now":
            return int(moment.timestamp() * 1000)
        start = period_start(moment, unit)
        if name.startswith("start"):
            return int(start.timestamp() * 1000)
        return int(period_start(shift(start, "1", unit, name), unit).timestamp() * 1000) - 1


def _fast_in(field: JqlField, wanted: set[Any]) -> Predicate | None:
    """A membership test reading the stored value directly (the hot path of a search)."""
    if len(field.path) == 1:
        (top,) = field.path
        return lambda doc: doc[top] in wanted
    if len(field.path) == 2:
        outer, inner = field.path
        return lambda doc: doc[outer].get(inner) in wanted
    return None


def _key_range(operator: str, bound: tuple[str, int]) -> Predicate:
    """``key > INC-5``: later issues of the same project (keys order within a project)."""
    project, number = bound
    compare = _COMPARE[operator]
    return lambda doc: doc["projectKey"] == project and compare(doc["number"], number)


def _key_bound(text: str) -> tuple[str, int]:
    project, _, number = text.rpartition("-")
    if not project or not number.isdigit():
        raise JqlError(f"The issue key '{text}' for field 'key' is invalid.")
    return project.upper(), int(number)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
