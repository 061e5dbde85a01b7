"""Plain domain objects the engine reasons about (no SDK objects, all times aware UTC).

Adapters translate Jira issues and Slack messages into these, so rules can be
tested with hand-built tickets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

StatusCategory = Literal["new", "indeterminate", "done"]


@dataclass(frozen=True)
class Person:
    """A Jira user; ``active`` is False for deactivated or deleted accounts."""

    account_id: str
    display_name: str
    email: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Comment:
    """A ticket comment. The agent's own comments carry ``agent_rule``/``agent_key`` (its
    comment property) and ``agent_author`` (written by the agent's Jira account, which
    holds even when Jira leaves the property out of its answer). ``public`` is False for
    a JSM internal note (property ``sd.public.comment`` internal, or ``jsdPublic`` false)."""

    id: str
    author: Person | None
    created: datetime
    body: str
    agent_rule: str | None = None
    agent_key: str | None = None
    agent_author: bool = False
    # False for a Jira Service Management internal note: the customer does not see it
    public: bool = True

    @property
    def by_agent(self) -> bool:
        return self.agent_author or self.agent_rule is not None or self.agent_key is not None


@dataclass(frozen=True)
class FieldChange:
    """One changed field: ``from_value``/``to_value`` as Jira shows them (``fromString``/
    ``toString``); ``field_id``, ``from_id`` and ``to_id`` are Jira's ``fieldId``, ``from`` and
    ``to`` (account ids, option and status ids), which a rebuilt past needs (``agent.replay``)."""

    field: str
    from_value: str | None
    to_value: str | None
    field_id: str | None = None
    from_id: str | None = None
    to_id: str | None = None


@dataclass(frozen=True)
class Change:
    """One changelog entry: who changed which fields when."""

    author: Person | None
    created: datetime
    items: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Subtask:
    key: str
    summary: str
    status_category: StatusCategory


@dataclass(frozen=True)
class ChatMessage:
    """A message in an escalation channel; counts as an update when the policy says so.

    ``user_email`` is filled by the adapter (Slack profile) and ``user_account_id``
    from ``AGENT_USER_MAP``, so the message can be matched to a role, whose people
    are known by Jira account and email (Jira may hide the email).
    """

    channel: str
    ts: str
    user_slack_id: str | None
    text: str
    at: datetime
    user_email: str | None = None
    user_account_id: str | None = None
    # The thread's parent ``ts`` for a reply (None, or ``ts`` itself, for a top-level one).
    thread_ts: str | None = None
    # Whether files (screenshots, logs) came with it.
    has_files: bool = False
    # A thread parent's newest reply ``ts`` (None: no replies), as the channel's history shows.
    latest_reply: str | None = None
    # The agent's own message (its Slack metadata says so): listed only among a channel's
    # top-level messages, where it starts the thread the agent opened for a ticket.
    by_agent: bool = False
    # The Slack user groups (handles, lower case, no ``@``) a policy names that the author
    # is a member of, as read this cycle: a role given as ``group:@handle`` is played by
    # its members, whom only Slack knows.
    author_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ticket:
    """A Jira issue as the rules see it; custom fields are keyed by their display NAME."""

    key: str
    id: str
    project: str
    summary: str
    issue_type: str
    status: str
    status_category: StatusCategory
    created: datetime
    updated: datetime
    priority: str | None = None
    labels: frozenset[str] = frozenset()
    assignee: Person | None = None
    reporter: Person | None = None
    resolution: str | None = None
    resolved_at: datetime | None = None
    due_date: datetime | None = None
    original_estimate_seconds: int | None = None
    description: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    comments: tuple[Comment, ...] = ()
    changelog: tuple[Change, ...] = ()
    subtasks: tuple[Subtask, ...] = ()
    attachment_count: int = 0
    link_count: int = 0
    watchers: tuple[Person, ...] = ()
    url: str = ""

    @property
    def is_open(self) -> bool:
        return self.status_category != "done"

    @property
    def number(self) -> str:
        """The numeric part of the key (``DS-42`` -> ``42``)."""
        return self.key.rsplit("-", 1)[-1]

    def field_value(self, name: str) -> Any:
        """A custom or built-in field by display name; None when empty."""
        builtin = _BUILTIN_FIELDS.get(name.lower())
        value = getattr(self, builtin) if builtin else self.fields.get(name)
        if not value and isinstance(value, (str, list, tuple, frozenset)):
            return None  # an empty text or list is an empty field
        return value


_BUILTIN_FIELDS = {
    "summary": "summary",
    "title": "summary",
    "description": "description",
    "priority": "priority",
    "assignee": "assignee",
    "reporter": "reporter",
    "labels": "labels",
    "due date": "due_date",
    "duedate": "due_date",
    "resolution": "resolution",
    "status": "status",
}
