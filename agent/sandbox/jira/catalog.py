"""Jira's fixed configuration in the sandbox: priorities, statuses, issue types,
resolutions, the workflow's transitions and the system fields.

These are the same for every project (one simplified workflow, as a fresh Jira
Cloud site has), so they are constants rather than stored documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Priority:
    id: str
    name: str
    rank: int  # 1 is the most urgent, as Jira's priority sequence
    color: str


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category_id: int
    category_key: str
    category_name: str
    category_color: str
    order: int  # position in the workflow, used by ORDER BY status


@dataclass(frozen=True)
class IssueType:
    id: str
    name: str
    subtask: bool
    description: str


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to_status: str  # status id


PRIORITIES = (
    Priority("1", "Highest", 1, "#d04437"),
    Priority("2", "High", 2, "#f15C75"),
    Priority("3", "Medium", 3, "#f79232"),
    Priority("4", "Low", 4, "#707070"),
    Priority("5", "Lowest", 5, "#999999"),
)
DEFAULT_PRIORITY_ID = "3"

STATUSES = (
    Status("10000", "To Do", 2, "new", "To Do", "blue-gray", 0),
    Status("3", "In Progress", 4, "indeterminate", "In Progress", "yellow", 1),
    Status("10001", "Done", 3, "done", "Done", "green", 2),
)
INITIAL_STATUS_ID = "10000"
DONE_CATEGORY = "done"

STATUS_CATEGORIES = {
    2: ("new", "To Do", "blue-gray"),
    4: ("indeterminate", "In Progress", "yellow"),
    3: ("done", "Done", "green"),
}

ISSUE_TYPES = (
    IssueType("10001", "Task", False, "A small, distinct piece of work."),
    IssueType("10004", "Bug", False, "A problem or error."),
    IssueType("10005", "Incident", False, "A service disruption that needs a response."),
    IssueType("10003", "Sub-task", True, "A small piece of work that's part of a larger task."),
)

RESOLUTIONS = ({"id": "10000", "name": "Done", "description": "Work has been completed."},)
DONE_RESOLUTION_ID = "10000"

TRANSITIONS = (
    Transition("11", "To Do", "10000"),
    Transition("21", "In Progress", "3"),
    Transition("31", "Done", "10001"),
)

PRIORITY_BY_ID = {p.id: p for p in PRIORITIES}
STATUS_BY_ID = {s.id: s for s in STATUSES}
ISSUE_TYPE_BY_ID = {t.id: t for t in ISSUE_TYPES}
RESOLUTION_BY_ID = {r["id"]: r for r in RESOLUTIONS}
TRANSITION_BY_ID = {t.id: t for t in TRANSITIONS}


def _by_name(items: tuple[Any, ...]) -> dict[str, Any]:
    return {item.name.lower(): item for item in items}


PRIORITY_BY_NAME: dict[str, Priority] = _by_name(PRIORITIES)
STATUS_BY_NAME: dict[str, Status] = _by_name(STATUSES)
ISSUE_TYPE_BY_NAME: dict[str, IssueType] = _by_name(ISSUE_TYPES)
RESOLUTION_BY_NAME = {r["name"].lower(): r for r in RESOLUTIONS}


def find_priority(ref: Any) -> Priority | None:
    """A priority from ``{"id"}``/``{"name"}``, an id or a name (case-insensitive)."""
    return _find(ref, PRIORITY_BY_ID, PRIORITY_BY_NAME)


def find_issue_type(ref: Any) -> IssueType | None:
    return _find(ref, ISSUE_TYPE_BY_ID, ISSUE_TYPE_BY_NAME)


def find_status(ref: Any) -> Status | None:
    return _find(ref, STATUS_BY_ID, STATUS_BY_NAME)


def find_resolution(ref: Any) -> dict[str, str] | None:
    return _find(ref, RESOLUTION_BY_ID, RESOLUTION_BY_NAME)


def _find(ref: Any, by_id: dict[str, T], by_name: dict[str, T]) -> T | None:
    if isinstance(ref, dict):
        if ref.get("id") is not None:
            return by_id.get(str(ref["id"]))
        if isinstance(ref.get("name"), str):
            return by_name.get(ref["name"].lower())
        return None
    if isinstance(ref, str | int) and not isinstance(ref, bool):
        text = str(ref)
        return by_id.get(text) or by_name.get(text.lower())
    return None


# -- system fields (GET /field) ------------------------------------------------


def _system(
    field_id: str,
    name: str,
    schema: dict[str, Any] | None,
    clauses: list[str] | None = None,
    *,
    orderable: bool = True,
    navigable: bool = True,
    searchable: bool = True,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": field_id,
        "key": field_id,
        "name": name,
        "custom": False,
        "orderable": orderable,
        "navigable": navigable,
        "searchable": searchable,
        "clauseNames": clauses if clauses is not None else [field_id],
    }
    if schema is not None:
        doc["schema"] = schema
    return doc


def _s(type_: str, system: str, items: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": type_, "system": system}
    if items:
        schema["items"] = items
    return schema


SYSTEM_FIELDS: tuple[dict[str, Any], ...] = (
    _system("summary", "Summary", _s("string", "summary")),
    _system("description", "Description", _s("string", "description")),
    _system("project", "Project", _s("project", "project")),
    _system("issuetype", "Issue Type", _s("issuetype", "issuetype"), ["issuetype", "type"]),
    _system("priority", "Priority", _s("priority", "priority")),
    _system("status", "Status", _s("status", "status"), orderable=False),
    _system(
        "statusCategory",
        "Status Category",
        _s("statusCategory", "statusCategory"),
        orderable=False,
    ),
    _system("resolution", "Resolution", _s("resolution", "resolution")),
    _system("resolutiondate", "Resolved", _s("datetime", "resolutiondate"), orderable=False),
    _system("labels", "Labels", _s("array", "labels", "string")),
    _system("assignee", "Assignee", _s("user", "assignee")),
    _system("reporter", "Reporter", _s("user", "reporter")),
    _system("creator", "Creator", _s("user", "creator"), orderable=False),
    _system("created", "Created", _s("datetime", "created"), ["created", "createdDate"]),
    _system("updated", "Updated", _s("datetime", "updated"), ["updated", "updatedDate"]),
    _system("duedate", "Due date", _s("date", "duedate"), ["due", "duedate"]),
    _system("timetracking", "Time tracking", _s("timetracking", "timetracking"), []),
    _system("parent", "Parent", None, ["parent"]),
    _system("subtasks", "Sub-tasks", _s("array", "subtasks", "issuelinks"), ["subtasks"]),
    _system("comment", "Comment", _s("comments-page", "comment"), ["comment"], navigable=False),
    _system("attachment", "Attachment", _s("array", "attachment", "attachment"), ["attachments"]),
    _system("watches", "Watchers", _s("watches", "watches"), ["watcher", "watchers"]),
    _system("issuelinks", "Linked Issues", _s("array", "issuelinks", "issuelinks"), ["issue"]),
    _system("issuekey", "Key", None, ["id", "issue", "issuekey", "key"], orderable=False),
    _system("thumbnail", "Images", None, [], searchable=False, orderable=False),
)

NON_NAVIGABLE = frozenset({"comment"})
SYSTEM_FIELD_IDS = frozenset(f["id"] for f in SYSTEM_FIELDS) - {"issuekey", "thumbnail"}
