"""The "actions: N of M done" lozenge in an issue's log row, nothing else touched."""

from __future__ import annotations

import pytest

from agent.adapters.confluence_row_status import actions_status, set_row_status
from agent.adapters.confluence_tables import StorageSurgeryError

JIRA = '<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">{}</ac:parameter>' + (
    "</ac:structured-macro>"
)
LOG = (
    "<p>A person's <em>note</em></p><table><tbody>"
    "<tr><th><p>Date</p></th><th><p>Issue</p></th><th><p>Mine</p></th></tr>\n"
    f"<tr><td><p>1 Mar</p></td><td><p>{JIRA.format('T-1')}</p></td><td /></tr>\n"
    f"<tr><td><p>2 Mar</p></td><td><p>{JIRA.format('T-2')}</p></td><td>x</td></tr>\n"
    "</tbody></table>"
)


def test_the_lozenge_goes_into_the_issue_cell_and_is_replaced_not_repeated() -> None:
    first = set_row_status(LOG, "T-2", actions_status(1, 3), ["Date", "Issue"])
    cell = f"<td><p>{JIRA.format('T-2')}</p><p>{actions_status(1, 3)}</p></td>"
    assert first == LOG.replace(f"<td><p>{JIRA.format('T-2')}</p></td>", cell)
    assert "Yellow" in actions_status(1, 3) and "Green" in actions_status(3, 3)
    assert set_row_status(first, "T-2", actions_status(1, 3)) == first
    second = set_row_status(first, "T-2", actions_status(3, 3))
    assert second == first.replace(actions_status(1, 3), actions_status(3, 3))
    assert second.count("actions:") == 1


def test_a_row_a_person_removed_is_a_clear_error() -> None:
    with pytest.raises(StorageSurgeryError, match="no row for T-9"):
        set_row_status(LOG, "T-9", actions_status(0, 1))


def test_a_lozenge_the_editor_saved_in_its_own_form_is_left_when_it_shows_the_count() -> None:
    first = set_row_status(LOG, "T-2", actions_status(1, 2))
    saved = first.replace(
        '<ac:structured-macro ac:name="status" ac:schema-version="1">',
        '<ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="ab-12">',
    )
    assert saved != first
    assert set_row_status(saved, "T-2", actions_status(1, 2)) == saved  # nothing to write
    back = set_row_status(
        set_row_status(saved, "T-2", actions_status(2, 2)), "T-2", actions_status(1, 2)
    )
    assert back.count("actions:") == 1 and "actions: 1 of 2 done" in back and "Yellow" in back
