"""What the ``followups`` rules see: a page's tasks and the Jira issues made from them.

The runtime reads both before planning (``agent.runtime.read.followup_read``): the
tasks of the Actions section of the escalation's post-incident page, and the
follow-up issues in Jira, each carrying the page id and task id it was made
from in its entity property (``escalation-agent-followup``). Pure data.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from agent.core.model import Ticket
from agent.policy.rule_models import FollowupPage, Followups
from agent.policy.schema import Policy

FOLLOWUP_PROPERTY = "escalation-agent-followup"
"""Issue property on each follow-up: ``{"escalation", "page", "task", "key"}``, and
``"ticked": N`` while the agent's N-th tick of its task stands (see ``TICKED``)."""

TICKED = "ticked"
"""The field of ``FOLLOWUP_PROPERTY`` saying the agent ticked the issue's task (the
number of that tick), so a lost state file still tells its tick from a person's.
A property without it (every one written before it existed): not ticked by the agent."""


def search_since(created: datetime) -> date:
    """The first day a search for an escalation's follow-ups covers: the day before it was
    created, since JQL reads a date in the agent user's own zone, which may be behind UTC."""
    return created.date() - timedelta(days=1)


# The page rules an Actions section can live on, in the order an unset ``page`` picks.
PAGE_RULES: tuple[str, ...] = typing.get_args(FollowupPage)


def actions_page(policy: Policy) -> str | None:
    """The page rule whose page holds the policy's Actions (the ``followups`` rule's
    ``page``, else the policy's first page rule); None without a ``followups`` rule or
    without such a page."""
    rule = next((r for r in policy.rules if isinstance(r, Followups)), None)
    if rule is None:
        return None
    for candidate in policy.rules:
        name = candidate.kind
        if name in PAGE_RULES and (rule.page is None or rule.page == name):
            return name
    return None


@dataclass(frozen=True)
class PageTask:
    """One Confluence task (``<ac:task>``) as a person left it on the page.

    ``owner`` is the mentioned person as Jira assigns them: the Cloud
    ``ri:account-id``; on Data Center the username the reader found for the
    mention's ``ri:userkey`` (``by_userkey`` says the page named them that way and
    ``owner`` is still the key until resolved). ``due`` is the task's
    ``<time datetime>``, ``issue`` the Jira key a Jira macro in the task body shows
    (the agent writes it there)."""

    task_id: str
    done: bool
    text: str
    owner: str | None = None
    due: date | None = None
    issue: str | None = None
    by_userkey: bool = False


@dataclass(frozen=True)
class FollowupIssue:
    """A follow-up issue in Jira and the page task it was made from (None: made in Jira,
    found by its label and its link to the escalation); ``marker`` is its
    ``FOLLOWUP_PROPERTY`` as read ({} when it has none)."""

    ticket: Ticket
    page_id: str | None = None
    task_id: str | None = None
    marker: Mapping[str, str] = field(default_factory=dict)

    @property
    def agent_tick(self) -> int | None:
        """The number of the agent's tick of the task recorded on the issue, or None."""
        value = self.marker.get(TICKED, "")
        return int(value) if value.isdigit() else None

    def marked(self, tick: int | None) -> dict[str, Any]:
        """The issue's property saying the agent's tick ``tick`` stands (None: no tick)."""
        value: dict[str, Any] = {k: v for k, v in self.marker.items() if k != TICKED}
        if tick is not None:
            value[TICKED] = tick
        return value

    @property
    def key(self) -> str:
        return self.ticket.key

    @property
    def done(self) -> bool:
        return not self.ticket.is_open


@dataclass(frozen=True)
class FollowupsSeen:
    """An escalation's Actions page (its tasks) and its follow-up issues, as read this cycle.

    ``page_id`` is None while the page is not written yet; ``tasks`` is None when
    the page could not be read (nothing is planned from a partial picture)."""

    page_id: str | None
    page_title: str | None = None
    tasks: tuple[PageTask, ...] | None = None
    issues: tuple[FollowupIssue, ...] = ()

    def issue_for(self, task: PageTask) -> FollowupIssue | None:
        """The issue tracked by ``task``: made from it (found by its property), else a
        follow-up made in Jira that the task shows (the agent listed it there)."""
        for issue in self.issues:
            if issue.page_id == self.page_id and issue.task_id == task.task_id:
                return issue
        if task.issue is None:
            return None
        for issue in self.issues:
            if issue.page_id is None and issue.key.upper() == task.issue.upper():
                return issue
        return None

    def unlisted(self) -> tuple[FollowupIssue, ...]:
        """Follow-ups made in Jira that no task on the page shows yet."""
        shown = {t.issue.upper() for t in self.tasks or () if t.issue}
        return tuple(i for i in self.issues if i.page_id is None and i.key.upper() not in shown)
