"""Row surgery on storage-format bodies: only the row is added, every other byte stays."""

from __future__ import annotations

import pytest

from agent.adapters.confluence_tables import (
    StorageSurgeryError,
    insert_row,
    new_table,
    table_has_key,
)
from agent.render.storage_xml import parse_storage, storage_problem

TITLES = ("Key", "Summary", "Resolved")
ROW = "<tr><td><p>DS-9</p></td><td><p>Checkout down</p></td><td><p>2026-11-20</p></td></tr>"
HEADER = "<tr><th><p>Key</p></th><th><p>Summary</p></th><th><p>Resolved</p></th></tr>"


def jira_cell(key: str) -> str:
    return (
        '<td><ac:structured-macro ac:name="jira" ac:schema-version="1">'
        f'<ac:parameter ac:name="key">{key}</ac:parameter></ac:structured-macro></td>'
    )


def splice_at(before: str, after: str, inserted: str) -> int:
    """Where ``inserted`` went into ``before`` to give ``after``; asserts nothing else changed."""
    position = after.find(inserted)
    assert position >= 0, f"{inserted!r} is not in the result"
    assert after[:position] + after[position + len(inserted) :] == before
    return position


def rows_of_first_table(body: str) -> list[str]:
    """Texts of the rows of the first top-level table (for checking where the row went)."""
    root = parse_storage(body)
    table = next(t for t in root.iter("table") if not list(t.iterancestors("table")))
    rows = [r for r in table.iter("tr") if next(r.iterancestors("table")) is table]
    return [" ".join(" ".join("".join(c.itertext()).split()) for c in r) for r in rows]


# -- byte-for-byte preservation ------------------------------------------------------------
def test_text_before_and_after_with_emoji_and_rtl_is_kept_byte_for_byte() -> None:
    before = (
        "<h1>Incident log 🚨</h1>\n"
        '<p dir="rtl">سجل الحوادث — يرجى عدم الحذف</p>\n'
        "<p>Owner: <strong>Ops</strong>&nbsp;&amp; friends 👩‍💻</p>\n"
        f"<table><tbody>{HEADER}<tr>{jira_cell('DS-1')}<td><p>Login</p></td>"
        "<td><p>2026-11-01</p></td></tr></tbody></table>\n"
        "<p>Notes after the table ✅ <em>do not touch</em></p>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert after[position + len(ROW) :].startswith("</tbody></table>\n<p>Notes after")
    assert storage_problem(after) is None
    assert rows_of_first_table(after)[-1] == "DS-9 Checkout down 2026-11-20"


def test_single_line_body_as_confluence_stores_it() -> None:
    before = f'<p>Log</p><table data-layout="wide"><tbody>{HEADER}</tbody></table><p>end</p>'
    after = insert_row(before, ROW, TITLES)
    assert after == before.replace("</tbody>", ROW + "</tbody>")


def test_indentation_between_rows_is_repeated_for_the_new_row() -> None:
    before = (
        "<table>\n  <tbody>\n    " + HEADER + "\n    <tr><td><p>DS-1</p></td><td><p>a</p></td>"
        "<td><p>b</p></td></tr>\n  </tbody>\n</table>\n"
    )
    after = insert_row(before, ROW, TITLES)
    assert "</tr>\n    " + ROW + "\n  </tbody>" in after
    splice_at(before, after, "\n    " + ROW)


def test_entities_comments_and_attributes_holding_gt_are_left_alone() -> None:
    before = (
        "<!-- <table><tr><td>not a table</td></tr></table> -->"
        '<p title="a &gt; b" class="x>y">x &lt; y &nbsp;&copy; &#169;</p>'
        f"<table><tbody>{HEADER}</tbody></table>"
    )
    after = insert_row(before, ROW, TITLES)
    splice_at(before, after, ROW)
    assert after.startswith("<!-- <table><tr><td>not a table</td></tr></table> -->")


# -- which table, and where in it -------------------------------------------------------------
def test_nested_table_in_a_cell_does_not_catch_the_row() -> None:
    nested = "<table><tbody><tr><td><p>inner</p></td></tr></tbody></table>"
    before = (
        f"<table><tbody>{HEADER}"
        f"<tr>{jira_cell('DS-1')}<td>{nested}</td><td><p>x</p></td></tr>"
        "</tbody></table>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert position == before.rindex("</tbody></table>")  # the outer table's end, not the inner
    assert rows_of_first_table(after)[-1] == "DS-9 Checkout down 2026-11-20"


def test_a_log_moved_into_a_layout_table_is_found_by_its_header() -> None:
    log = f"<table><tbody>{HEADER}<tr><td><p>DS-1</p></td><td/><td/></tr></tbody></table>"
    before = (
        f"<table><tbody><tr><td><p>Contacts: Ann, Bob</p></td><td>{log}</td></tr></tbody></table>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert position == before.index("</tbody></table></td>")
    assert table_has_key(after, "DS-9", TITLES) is True
    # without titles the outer (layout) table is the first table
    assert table_has_key(after, "DS-1") is False


def test_table_inside_a_macro_body_is_used_when_its_header_matches() -> None:
    other = (
        "<table><tbody><tr><th><p>Legend</p></th></tr><tr><td><p>P1</p></td></tr></tbody></table>"
    )
    before = (
        f"{other}"
        '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Log</ac:parameter>'
        f"<ac:rich-text-body><table><tbody>{HEADER}</tbody></table></ac:rich-text-body>"
        "</ac:structured-macro>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert position > len(other)
    assert after.endswith(ROW + "</tbody></table></ac:rich-text-body></ac:structured-macro>")


def test_cloud_editor_layout_and_local_ids_are_handled() -> None:
    before = (
        '<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default">'
        "<ac:layout-cell><p>Left column</p></ac:layout-cell><ac:layout-cell>"
        '<table data-table-width="760" data-layout="default" ac:local-id="1f2e">'
        '<tbody><tr ac:local-id="a1"><th><p><strong>Key</strong></p></th>'
        "<th><p><strong>Summary</strong></p></th><th><p><strong>Resolved</strong></p></th></tr>"
        "</tbody></table></ac:layout-cell></ac:layout-section></ac:layout>"
    )
    after = insert_row(before, ROW, TITLES)
    assert splice_at(before, after, ROW) == before.index("</tbody>")
    assert table_has_key(after, "DS-9", TITLES) is True


def test_first_table_is_used_when_no_header_matches() -> None:
    before = "<table><tbody><tr><td><p>a</p></td></tr></tbody></table><table><tbody/></table>"
    after = insert_row(before, "<tr><td><p>DS-9</p></td></tr>", ("Nope",))
    assert after.startswith("<table><tbody><tr><td><p>a</p></td></tr><tr><td><p>DS-9</p>")


def test_cdata_holding_a_closing_table_tag_is_not_taken_for_markup() -> None:
    code = (
        '<ac:structured-macro ac:name="code"><ac:plain-text-body>'
        "<![CDATA[print('</table></tbody><table>')]]></ac:plain-text-body></ac:structured-macro>"
    )
    before = (
        f"<table><tbody>{HEADER}<tr><td><p>DS-1</p></td><td>{code}</td><td/></tr></tbody></table>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert position == before.rindex("</tbody></table>")


def test_self_closing_tags_in_cells_and_an_empty_self_closing_tbody() -> None:
    before = (
        '<p>a<br/>b</p><ac:emoticon ac:name="smile" />'
        "<table><colgroup><col /><col/></colgroup><tbody /></table><p />"
    )
    after = insert_row(before, "<tr><td><p /></td></tr>", ())
    assert after == (
        '<p>a<br/>b</p><ac:emoticon ac:name="smile" />'
        "<table><colgroup><col /><col/></colgroup>"
        "<tbody><tr><td><p /></td></tr></tbody></table><p />"
    )
    assert storage_problem(after) is None


def test_header_in_thead_and_footer_rows_stay_last() -> None:
    before = (
        f"<table><thead>{HEADER}</thead><tbody><tr><td><p>DS-1</p></td><td/><td/></tr></tbody>"
        "<tfoot><tr><td><p>Total: 1</p></td><td/><td/></tr></tfoot></table>"
    )
    after = insert_row(before, ROW, TITLES)
    position = splice_at(before, after, ROW)
    assert after[position + len(ROW) :].startswith("</tbody><tfoot>")


def test_header_only_table_without_tbody_gets_the_row_after_the_header() -> None:
    before = f"<table>{HEADER}</table>"
    assert insert_row(before, ROW, TITLES) == f"<table>{HEADER}{ROW}</table>"


def test_empty_table_gets_a_tbody() -> None:
    assert insert_row("<table></table>", ROW) == f"<table><tbody>{ROW}</tbody></table>"
    assert insert_row("<table/>", ROW) == f"<table><tbody>{ROW}</tbody></table>"


def test_page_without_a_table_gets_one_at_the_end() -> None:
    before = "<p>Started by the PM &amp; team</p>"
    after = insert_row(before, ROW, ("Key", "Summary & notes", "Resolved"))
    assert after.startswith(before)
    assert after[len(before) :] == new_table(("Key", "Summary & notes", "Resolved"), ROW)
    assert "<th><p>Summary &amp; notes</p></th>" in after
    assert storage_problem(after) is None
    assert rows_of_first_table(after) == [
        "Key Summary & notes Resolved",
        "DS-9 Checkout down 2026-11-20",
    ]


# -- a person's column changes ----------------------------------------------------------------
def test_a_persons_extra_column_gets_an_empty_cell_in_its_place() -> None:
    header = (
        "<tr><th><p>Key</p></th><th><p>Owner (added by Ann)</p></th>"
        "<th><p>Summary</p></th><th><p>Resolved</p></th></tr>"
    )
    before = f"<table><tbody>{header}</tbody></table>"
    after = insert_row(before, ROW, TITLES)
    expected = (
        "<tr><td><p>DS-9</p></td><td><p /></td><td><p>Checkout down</p></td>"
        "<td><p>2026-11-20</p></td></tr>"
    )
    assert splice_at(before, after, expected) == before.index("</tbody>")


def test_reordered_columns_get_their_cells_and_titles_match_loosely() -> None:
    header = (
        "<tr><th><p><strong>resolved</strong></p></th><th><p>  Key </p></th>"
        "<th><p>Summary</p></th></tr>"
    )
    before = f"<table><tbody>{header}</tbody></table>"
    expected = (
        "<tr><td><p>2026-11-20</p></td><td><p>DS-9</p></td><td><p>Checkout down</p></td></tr>"
    )
    splice_at(before, insert_row(before, ROW, TITLES), expected)


def test_a_row_narrower_than_an_unmatched_table_is_padded() -> None:
    before = "<table><tbody><tr><td>a</td><td>b</td><td>c</td></tr></tbody></table>"
    expected = "<tr><td>DS-9</td><td><p /></td><td><p /></td></tr>"
    splice_at(before, insert_row(before, "<tr><td>DS-9</td></tr>"), expected)


# -- refusing what cannot be handled ------------------------------------------------------------
@pytest.mark.parametrize(
    "row",
    ["<td>DS-9</td>", "<tr><td>a</td></tr><tr><td>b</td></tr>", "text <tr><td/></tr>", "<tr><td>"],
)
def test_a_row_that_is_not_one_tr_is_refused(row: str) -> None:
    with pytest.raises(StorageSurgeryError):
        insert_row(f"<table><tbody>{HEADER}</tbody></table>", row)


def test_a_malformed_body_is_refused_with_the_parsers_words() -> None:
    with pytest.raises(StorageSurgeryError, match=r"not well-formed.*<table> is not closed"):
        insert_row("<p>ok</p><table><tbody></tbody>", ROW)
    with pytest.raises(StorageSurgeryError):
        table_has_key("<p>", "DS-1")


# -- is the issue already logged? ------------------------------------------------------------
LOGGED = (
    f"<p>DS-7 is mentioned above the table</p><table><tbody>{HEADER}"
    f"<tr>{jira_cell('DS-1')}<td><p>Login</p></td><td/></tr>"
    "<tr><td><p>DS-2 Checkout broken</p></td><td><p>Duplicate of DS-3</p></td><td/></tr>"
    '<tr><td><p><a href="https://x.atlassian.net/browse/DS-4">DS-4</a></p></td><td/><td/></tr>'
    "<tr><td><p>DS-6</p><p>Payments<!-- by Ann --></p></td><td/><td/></tr>"
    '<tr><td><p>see</p></td><td><p>Ticket <ac:structured-macro ac:name="jira">'
    '<ac:parameter ac:name="server">System JIRA</ac:parameter>'
    '<ac:parameter ac:name="key">DS-8</ac:parameter></ac:structured-macro></p></td><td/></tr>'
    "</tbody></table>"
    f"<table><tbody><tr><th><p>Related</p></th></tr><tr>{jira_cell('DS-5')}</tr></tbody></table>"
)


@pytest.mark.parametrize(
    ("key", "present"),
    [
        ("DS-1", True),  # a Jira macro in the row
        ("ds-1", True),  # keys compare case-insensitively
        ("DS-2", True),  # a cell starting with the key
        ("DS-4", True),  # a link whose text is the key
        ("DS-6", True),  # the key in its own paragraph, more text below
        ("DS-8", True),  # a Jira macro in any cell, whatever the cell says first
        ("DS-3", False),  # only mentioned in another incident's row
        ("DS-12", False),
        ("DS-5", False),  # in another table
        ("DS-7", False),  # outside any table
    ],
)
def test_table_has_key(key: str, present: bool) -> None:
    assert table_has_key(LOGGED, key, TITLES) is present


def test_key_check_follows_the_header_choice_and_prefix_keys_do_not_match() -> None:
    body = (
        "<table><tbody><tr><th><p>Related</p></th></tr><tr><td><p>DS-12</p></td></tr></tbody></table>"
        f"<table><tbody>{HEADER}<tr><td><p>DS-123</p></td><td/><td/></tr></tbody></table>"
    )
    assert table_has_key(body, "DS-12", TITLES) is False
    assert table_has_key(body, "DS-12") is True  # no titles: the first table is the log
    assert table_has_key(body, "DS-123", TITLES) is True
    assert table_has_key("<p>no table</p>", "DS-1") is False


def test_inserted_row_is_found_afterwards() -> None:
    body = f"<table><tbody>{HEADER}</tbody></table>"
    assert table_has_key(body, "DS-9", TITLES) is False
    assert table_has_key(insert_row(body, ROW, TITLES), "DS-9", TITLES) is True
