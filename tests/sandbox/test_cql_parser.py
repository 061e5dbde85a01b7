"""CQL parsing (no server): the syntax tree, and the queries Confluence would refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agent.sandbox.confluence.cql import (
    And,
    Clause,
    CqlError,
    Function,
    Not,
    Or,
    Query,
    SortKey,
    parse_cql,
)
from agent.sandbox.confluence.cql_dates import compare_date, resolve_date

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)  # a Sunday


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    query = parse_cql("space = OPS and label = a or label = b")
    assert query.where == Or(
        (
            And((Clause("space", "=", ("OPS",)), Clause("label", "=", ("a",)))),
            Clause("label", "=", ("b",)),
        )
    )
    grouped = parse_cql("space = OPS and (label = a or label = b)")
    assert isinstance(grouped.where, And)
    assert isinstance(grouped.where.parts[1], Or)


def test_keywords_are_case_insensitive_and_words_starting_with_them_are_values() -> None:
    query = parse_cql('TYPE = page AnD NOT title ~ "notes" Or label = android')
    assert query.where == Or(
        (
            And((Clause("type", "=", ("page",)), Not(Clause("title", "~", ("notes",))))),
            Clause("label", "=", ("android",)),
        )
    )


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("title != x", Clause("title", "!=", ("x",))),
        ('title ~ "two words"', Clause("title", "~", ("two words",))),
        ("title !~ draft*", Clause("title", "!~", ("draft*",))),
        ("space in (A, 'B c')", Clause("space", "in", ("A", "B c"))),
        ("label not in (x,y)", Clause("label", "not in", ("x", "y"))),
        ("created > now('-4d')", Clause("created", ">", (Function("now", ("-4d",)),))),
        ('lastmodified <= "2026-11-01"', Clause("lastmodified", "<=", ("2026-11-01",))),
        ("created >= startOfDay()", Clause("created", ">=", (Function("startofday", ()),))),
        ("created < -2w", Clause("created", "<", ("-2w",))),
        ("creator = currentUser()", Clause("creator", "=", (Function("currentuser", ()),))),
        ("Space.Key = OPS", Clause("space.key", "=", ("OPS",))),
        ('title = "say \\"hi\\""', Clause("title", "=", ('say "hi"',))),
    ],
)
def test_every_operator_parses(text: str, clause: Clause) -> None:
    assert parse_cql(text).where == clause


def test_order_by_with_directions() -> None:
    query = parse_cql("space = OPS order by lastmodified desc, title ASC")
    assert query.order == (SortKey("lastmodified", True), SortKey("title", False))
    assert parse_cql("ORDER BY created") == Query(None, (SortKey("created", False),))


@pytest.mark.parametrize(
    "text",
    ["", "   ", "title =", "title == x", "(title = x", "title = x)", "and", "title x",
     "title in ()", "title = x order", "label = a b"],
)  # fmt: skip
def test_syntax_errors_are_cql_errors(text: str) -> None:
    with pytest.raises(CqlError) as caught:
        parse_cql(text)
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("colour = red", "No field exists with the name 'colour'"),
        ("text = words", "does not support the operator '='"),
        ("label ~ inc", "does not support the operator '~'"),
        ("space > A", "does not support the operator '>'"),
        ("created ~ today", "does not support the operator '~'"),
        ("title = x order by colour", "Cannot order by 'colour'"),
    ],
)
def test_unknown_fields_and_unsupported_operators(text: str, fragment: str) -> None:
    with pytest.raises(CqlError, match=fragment):
        parse_cql(text)


def test_date_values_resolve_to_intervals() -> None:
    day = resolve_date("2026-11-02", NOW)
    assert day == (datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    assert resolve_date("2026/11/02 10:15", NOW)[0] == datetime(2026, 11, 2, 10, 15, tzinfo=UTC)
    assert resolve_date("-4d", NOW)[0] == datetime(2026, 11, 18, 15, 30, tzinfo=UTC)
    assert resolve_date(Function("now", ("-1h",)), NOW)[0] == datetime(
        2026, 11, 22, 14, 30, tzinfo=UTC
    )
    assert resolve_date(Function("startofweek", ()), NOW)[0] == datetime(2026, 11, 16, tzinfo=UTC)
    end = resolve_date(Function("endofmonth", ()), NOW)[0]
    assert (end.month, end.day, end.hour) == (11, 30, 23)
    assert resolve_date(Function("startofyear", ("-1y",)), NOW)[0].year == 2025


def test_bad_dates_and_functions_are_cql_errors() -> None:
    with pytest.raises(CqlError, match="Unable to parse the date"):
        resolve_date("yesterday-ish", NOW)
    with pytest.raises(CqlError, match="Unknown CQL function"):
        resolve_date(Function("tomorrow", ()), NOW)
    with pytest.raises(CqlError, match="relative date"):
        resolve_date(Function("now", ("soon",)), NOW)


def test_date_comparisons_treat_a_day_as_a_whole() -> None:
    day = resolve_date("2026-11-02", NOW)
    morning = datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert compare_date(morning, "=", day)
    assert not compare_date(morning, "!=", day)
    assert compare_date(morning, ">=", day)
    assert compare_date(morning, "<=", day)
    assert not compare_date(morning, ">", day)
    assert not compare_date(morning, "<", day)
    assert compare_date(datetime(2026, 11, 3, tzinfo=UTC), ">", day)
    assert compare_date(datetime(2026, 11, 1, 23, tzinfo=UTC), "<", day)
