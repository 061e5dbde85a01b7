"""JQL quoting, a policy's query, ``updated_since`` narrowing, wiki-markup escaping (no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from agent.adapters.jira_jql import (
    jql_datetime,
    jql_quote,
    policy_jql,
    split_order_by,
    window_jql,
    with_updated_since,
)
from agent.policy import load_policy_text
from agent.render.escaping import escape_jira_inline as escape_inline
from agent.render.escaping import escape_jira_wiki

UTC_ZONE = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("C:\\temp\\", '"C:\\\\temp\\\\"'),
        ('x" OR 1=1 OR summary ~ "', '"x\\" OR 1=1 OR summary ~ \\""'),
        ("\\", '"\\\\"'),
        ("two\nlines", '"two\\nlines"'),
        ("", '""'),
    ],
)
def test_jql_quote_escapes_backslash_and_quote(value: str, quoted: str) -> None:
    assert jql_quote(value) == quoted


def test_a_quoted_value_is_one_string_token() -> None:
    """Whatever the value holds, the quoted form opens and closes exactly one string."""
    hostile = 'a\\" OR project = SECRET OR summary ~ "\\'
    text = jql_quote(hostile)
    body = text[1:-1]
    index, unescaped_quotes = 0, 0
    while index < len(body):
        if body[index] == "\\":
            index += 2
            continue
        unescaped_quotes += body[index] == '"'
        index += 1
    assert unescaped_quotes == 0 and index == len(body)


def test_jql_quotes_and_escapes_values() -> None:
    text = (
        "name: demo\ndescription: d\n"
        "select:\n"
        "  projects: [DS]\n"
        "  issue_types: [Bug]\n"
        "  priorities: [Highest]\n"
        "  labels: ['say \"hi\"', 'back\\slash']\n"
        "  fields_set: [Escalation Reason]\n"
        "  jql: 'status != Done'\n"
        "rules:\n  - rule: pmo_notify\n"
    )
    policy = load_policy_text(text)
    assert policy_jql(policy) == (
        'project in ("DS") AND issuetype in ("Bug") AND priority in ("Highest") AND '
        '(labels in ("say \\"hi\\"", "back\\\\slash") OR "Escalation Reason" is not EMPTY) '
        "AND (status != Done) ORDER BY created ASC"
    )


def test_a_policys_query_quotes_its_values_as_every_other_query_does() -> None:
    """A label or field name with a line break is one escaped JQL string, not two lines."""
    text = (
        "name: demo\ndescription: d\n"
        "select:\n"
        "  projects: [DS]\n"
        '  labels: ["two\\nlines"]\n'
        '  fields_set: ["Tab\\tField"]\n'
        "rules:\n  - rule: pmo_notify\n"
    )
    jql = policy_jql(load_policy_text(text))
    assert jql == (
        'project in ("DS") AND (labels in ("two\\nlines") OR '
        '"Tab\\tField" is not EMPTY) ORDER BY created ASC'
    )
    assert "\n" not in jql and "\t" not in jql


def test_a_replay_window_asks_for_projects_and_types_open_in_it_in_the_users_zone() -> None:
    select = load_policy_text(
        "name: demo\ndescription: d\n"
        "select: {projects: [DS], issue_types: [Bug], labels: [ESC], jql: 'status != Done'}\n"
        "rules:\n  - rule: pmo_notify\n"
    ).select
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC)
    assert window_jql(select, start, end, ZoneInfo("Europe/Berlin")) == (
        'project in ("DS") AND issuetype in ("Bug") AND (status != Done) AND '
        'created <= "2026/03/08 01:00" AND '
        '(resolved is EMPTY OR resolved >= "2026/03/01 01:00") ORDER BY created ASC'
    )


def test_updated_since_is_floored_to_the_minute_in_the_users_zone() -> None:
    moment = datetime(2026, 11, 22, 9, 59, 59, tzinfo=UTC)
    assert jql_datetime(moment, UTC_ZONE) == "2026/11/22 09:59"
    assert jql_datetime(moment, ZoneInfo("Europe/Berlin")) == "2026/11/22 10:59"
    with pytest.raises(ValueError, match="timezone-aware"):
        jql_datetime(datetime(2026, 1, 1), UTC_ZONE)  # naive on purpose


def test_updated_since_keeps_or_inside_and_order_by_at_the_end() -> None:
    since = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    jql = 'project = DS OR labels = "escalated" ORDER BY created DESC'
    assert with_updated_since(jql, since, UTC_ZONE) == (
        '(project = DS OR labels = "escalated") AND updated >= "2026/11/22 10:00" '
        "ORDER BY created DESC"
    )
    assert with_updated_since("", since, UTC_ZONE) == 'updated >= "2026/11/22 10:00"'
    assert with_updated_since("order by key", since, UTC_ZONE) == (
        'updated >= "2026/11/22 10:00" order by key'
    )


def test_order_by_inside_a_string_is_not_split() -> None:
    jql = 'summary ~ "sort ORDER BY hand" AND project = X'
    assert split_order_by(jql) == (jql, "")
    assert split_order_by('summary ~ "a \\" order by" order by rank') == (
        'summary ~ "a \\" order by"',
        "order by rank",
    )


def test_wiki_markup_and_mentions_cannot_be_injected() -> None:
    title = "[~accountid:5b10ac8d] *URGENT* {code}rm -rf{code} [click|http://evil] !img.png!"
    escaped = escape_jira_wiki(title)
    assert "[~" not in escaped.replace("\\[~", "")
    for token in ("*", "{", "}", "[", "]", "|", "!", "-"):
        assert all(escaped[i - 1] == "\\" for i, char in enumerate(escaped) if char == token), token
    assert escape_jira_wiki("a\\\\b") == "a&#92;&#92;b"  # "\\\\" would be a line break


def test_block_markup_at_line_start_is_neutralised() -> None:
    assert escape_jira_wiki("h1. Big\nbq. quote\n# item") == "h1\\. Big\nbq\\. quote\n\\# item"
    assert escape_inline("line one\nh2. two") == "line one h2. two"
    assert escape_jira_wiki("Plain words, 10:30 UTC.") == "Plain words, 10:30 UTC."
