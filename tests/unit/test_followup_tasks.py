"""Reading and editing Confluence tasks in storage format without touching anything else."""

from __future__ import annotations

from datetime import date

import pytest

from agent.adapters.confluence_tables import StorageSurgeryError
from agent.adapters.confluence_tasks import (
    complete_task,
    list_issue,
    read_tasks,
    reopen_task,
    show_issue,
)

PAGE = (
    "<h2>Actions</h2><p>Person's <strong>note</strong> &amp; more</p>"
    "<ac:task-list>\n"
    "<ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
    '<ac:task-body>Add an alert on <em>queue depth</em> <ac:link><ri:user ri:account-id="acc-1"/>'
    "</ac:link></ac:task-body></ac:task>\n"
    "<ac:task><ac:task-id>2</ac:task-id><ac:task-status>complete</ac:task-status>"
    '<ac:task-body>Write the runbook by <time datetime="2026-03-20"/></ac:task-body></ac:task>\n'
    "</ac:task-list><p>after</p>"
)


def test_tasks_are_read_with_owner_date_and_status() -> None:
    first, second = read_tasks(PAGE)
    assert (first.task_id, first.done, first.text, first.owner, first.due) == (
        "1",
        False,
        "Add an alert on queue depth",
        "acc-1",
        None,
    )
    assert (second.task_id, second.done, second.text, second.due) == (
        "2",
        True,
        "Write the runbook by",
        date(2026, 3, 20),
    )
    assert first.issue is None


def test_showing_an_issue_splices_a_macro_and_keeps_the_rest() -> None:
    shown = show_issue(PAGE, "1", "SUP-9")
    assert read_tasks(shown)[0].issue == "SUP-9"
    assert (
        shown.replace(
            ' <ac:structured-macro ac:name="jira" ac:schema-version="1">'
            '<ac:parameter ac:name="key">SUP-9</ac:parameter></ac:structured-macro>',
            "",
        )
        == PAGE
    )
    assert show_issue(shown, "1", "SUP-9") == shown  # idempotent


def test_completing_a_task_changes_only_its_status() -> None:
    done = complete_task(PAGE, "1")
    assert [t.done for t in read_tasks(done)] == [True, True]
    assert done == PAGE.replace("incomplete", "complete", 1)
    assert complete_task(done, "1") == done


def test_reopening_a_task_unticks_it_and_keeps_the_rest_byte_for_byte() -> None:
    reopened = reopen_task(PAGE, "2")
    assert [t.done for t in read_tasks(reopened)] == [False, False]
    assert reopened == PAGE.replace(
        "<ac:task-id>2</ac:task-id><ac:task-status>complete",
        "<ac:task-id>2</ac:task-id><ac:task-status>incomplete",
    )
    assert reopen_task(reopened, "2") == reopened


def test_a_deleted_task_is_a_clear_error() -> None:
    with pytest.raises(StorageSurgeryError, match="no task 7"):
        show_issue(PAGE, "7", "SUP-1")


def test_a_follow_up_made_in_jira_is_listed_at_the_end_of_the_actions_list_once() -> None:
    edited = list_issue(PAGE, "T-9", "Check <the> retries", done=True)
    before, added, after = edited.partition(
        "<ac:task><ac:task-id>3</ac:task-id><ac:task-status>complete</ac:task-status>"
    )
    assert added and before == PAGE[: len(before)] and after.endswith(PAGE[len(before) :])
    listed = read_tasks(edited)[-1]
    assert (listed.task_id, listed.done, listed.text, listed.issue) == (
        "3",
        True,
        "Check <the> retries",
        "T-9",
    )
    assert list_issue(edited, "t-9", "again") == edited


def test_a_page_without_a_task_list_gets_one_in_its_actions_section() -> None:
    page = "<h2>Actions</h2><p>Add tasks here.</p><h2>Timeline</h2><p>x</p>"
    edited = list_issue(page, "T-9", "Check retries")
    assert edited.startswith("<h2>Actions</h2><p>Add tasks here.</p><ac:task-list><ac:task>")
    assert edited.endswith("</ac:task-list><h2>Timeline</h2><p>x</p>")
    lost = list_issue("<p>a person removed the section</p>", "T-9", "Check retries")
    assert lost.startswith("<p>a person removed the section</p><h2>Actions</h2><ac:task-list>")
    assert [t.issue for t in read_tasks(lost)] == ["T-9"]


def test_a_data_center_mention_is_read_as_a_userkey_to_resolve() -> None:
    page = PAGE.replace('ri:account-id="acc-1"', 'ri:userkey="8a7f80b2"')
    (first, _second) = read_tasks(page)
    assert (first.owner, first.by_userkey) == ("8a7f80b2", True)
    assert read_tasks(PAGE)[0].by_userkey is False
