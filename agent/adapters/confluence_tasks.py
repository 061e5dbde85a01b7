"""Reading and editing the Confluence tasks of a page, touching nothing else.

A task in storage format (https://confluence.atlassian.com/doc/confluence-storage-format-790796544.html,
"Task lists"):

    <ac:task-list><ac:task><ac:task-id>1</ac:task-id>
    <ac:task-status>incomplete</ac:task-status>
    <ac:task-body>Add an alert <ac:link><ri:user ri:account-id="..."/></ac:link>
    <time datetime="2026-03-20"/></ac:task-body></ac:task></ac:task-list>

The mention is ``ri:account-id`` on Cloud, ``ri:userkey`` on Data Center. As for
log rows (``agent.adapters.confluence_tables``), the body is never re-serialised:
lxml finds the task, the exact scan gives its offsets, and an edit is spliced in,
so everything a person wrote stays byte for byte. Pure functions, no I/O.
"""

from __future__ import annotations

from datetime import date

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from agent.adapters.confluence_tables import (
    StorageSurgeryError,
    _jira_macro_keys,
    _local,
    _Located,
    _text,
)
from agent.core.followups import PageTask
from agent.render.escaping import escape_xml
from agent.render.storage_xml import NAMESPACES

_AC = f"{{{NAMESPACES['ac']}}}"
_RI = f"{{{NAMESPACES['ri']}}}"
COMPLETE = "complete"
INCOMPLETE = "incomplete"
# Jira's summary holds at most 255 characters.
SUMMARY_LIMIT = 255


def _child(task: etree._Element, name: str) -> etree._Element | None:
    for child in task:
        if isinstance(child.tag, str) and child.tag == f"{_AC}{name}":
            return child
    return None


def _task_text(body: etree._Element | None) -> str:
    """The task's words without its mentions, dates and Jira macros."""
    if body is None:
        return ""
    parts: list[str] = [body.text or ""]
    for child in body:
        if isinstance(child.tag, str) and _local(child) not in ("link", "structured-macro", "time"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _owner(body: etree._Element | None) -> tuple[str | None, bool]:
    """The first mention's person, and whether it names them by Data Center ``userkey``."""
    if body is None:
        return None, False
    for user in body.iter(f"{_RI}user"):
        if user.get(f"{_RI}account-id"):
            return str(user.get(f"{_RI}account-id")), False
        if user.get(f"{_RI}userkey"):
            return str(user.get(f"{_RI}userkey")), True
    return None, False


def _due(body: etree._Element | None) -> date | None:
    if body is None:
        return None
    for moment in body.iter("time"):
        try:
            return date.fromisoformat(str(moment.get("datetime") or "")[:10])
        except ValueError:
            continue
    return None


def _tasks(located: _Located) -> list[etree._Element]:
    return list(located.root.iter(f"{_AC}task"))


def read_tasks(body: str) -> list[PageTask]:
    """Every task on the page, in page order (nested lists included)."""
    found = []
    for task in _tasks(_Located(body)):
        ident = _child(task, "task-id")
        status = _child(task, "task-status")
        content = _child(task, "task-body")
        task_id = _text(ident) if ident is not None else ""
        if not task_id:
            continue  # Confluence gives every task an id; one without is not a task yet
        keys = sorted(_jira_macro_keys(content)) if content is not None else []
        owner, by_userkey = _owner(content)
        found.append(
            PageTask(
                task_id=task_id,
                done=status is not None and _text(status).lower() == COMPLETE,
                text=_task_text(content)[:SUMMARY_LIMIT],
                owner=owner,
                by_userkey=by_userkey,
                due=_due(content),
                issue=keys[0] if keys else None,
            )
        )
    return found


def _find(located: _Located, task_id: str) -> etree._Element:
    for task in _tasks(located):
        ident = _child(task, "task-id")
        if ident is not None and _text(ident) == task_id:
            return task
    raise StorageSurgeryError(f"the page has no task {task_id} (a person may have deleted it)")


def jira_macro(key: str) -> str:
    return (
        '<ac:structured-macro ac:name="jira" ac:schema-version="1">'
        f'<ac:parameter ac:name="key">{escape_xml(key)}</ac:parameter></ac:structured-macro>'
    )


def show_issue(body: str, task_id: str, issue_key: str) -> str:
    """The body with a Jira macro for ``issue_key`` at the end of the task's body;
    unchanged when the task shows it already."""
    located = _Located(body)
    task = _find(located, task_id)
    content = _child(task, "task-body")
    if content is not None and issue_key.upper() in _jira_macro_keys(content):
        return body
    macro = " " + jira_macro(issue_key)
    if content is None:
        span = located.span(task)
        at = span.close_start if not span.self_closing else span.end
        return body[:at] + f"<ac:task-body>{macro}</ac:task-body>" + body[at:]
    span = located.span(content)
    if span.self_closing:
        return body[: span.start] + f"<ac:task-body>{macro}</ac:task-body>" + body[span.end :]
    return body[: span.close_start] + macro + body[span.close_start :]


def complete_task(body: str, task_id: str) -> str:
    """The body with the task's status ``complete``; unchanged when it is already."""
    return _with_status(body, task_id, COMPLETE)


def reopen_task(body: str, task_id: str) -> str:
    """The body with the task's status ``incomplete`` (its issue was reopened);
    unchanged when it is not complete."""
    return _with_status(body, task_id, INCOMPLETE)


def _with_status(body: str, task_id: str, wanted: str) -> str:
    located = _Located(body)
    task = _find(located, task_id)
    status = _child(task, "task-status")
    if (_text(status).lower() if status is not None else INCOMPLETE) == wanted:
        return body
    if status is None:
        span = located.span(_child(task, "task-id") or task)
        at = span.end if _child(task, "task-id") is not None else span.open_end
        return body[:at] + f"<ac:task-status>{wanted}</ac:task-status>" + body[at:]
    span = located.span(status)
    if span.self_closing:
        return body[: span.start] + f"<ac:task-status>{wanted}</ac:task-status>" + body[span.end :]
    return body[: span.open_end] + wanted + body[span.close_start :]


def _heading(element: etree._Element) -> bool:
    return _local(element) in ("h1", "h2")


def _next_task_id(located: _Located) -> str:
    """One past the page's highest numeric task id (Confluence numbers a page's tasks)."""
    numbers = [0]
    for task in _tasks(located):
        ident = _child(task, "task-id")
        text = _text(ident) if ident is not None else ""
        if text.isdigit():
            numbers.append(int(text))
    return str(max(numbers) + 1)


def list_issue(body: str, issue_key: str, summary: str, *, done: bool = False) -> str:
    """The body with a task showing ``issue_key`` (a follow-up made in Jira) at the end of
    the Actions section's task list (a new list at the end of the section when it has
    none, and a new section at the end of a page that lost it); unchanged when a task
    shows the issue already."""
    located = _Located(body)
    if any(t.issue and t.issue.upper() == issue_key.upper() for t in read_tasks(body)):
        return body
    status = COMPLETE if done else INCOMPLETE
    task = (
        f"<ac:task><ac:task-id>{_next_task_id(located)}</ac:task-id>"
        f"<ac:task-status>{status}</ac:task-status><ac:task-body>"
        f"{escape_xml(summary[:SUMMARY_LIMIT])} {jira_macro(issue_key)}</ac:task-body></ac:task>"
    )
    new_list = f"<ac:task-list>{task}</ac:task-list>"
    in_actions = False
    section_end: int | None = None
    for element in located.root.iter():
        if not isinstance(element.tag, str) or element is located.root:
            continue
        if _heading(element):
            if in_actions:
                section_end = located.span(element).start
                break
            in_actions = _text(element).casefold() == "actions"
            continue
        if in_actions and _local(element) == "task-list":
            span = located.span(element)
            if span.self_closing:
                return body[: span.start] + new_list + body[span.end :]
            return body[: span.close_start] + task + body[span.close_start :]
    if not in_actions and section_end is None:
        return body + "<h2>Actions</h2>" + new_list
    at = len(body) if section_end is None else section_end
    return body[:at] + new_list + body[at:]
