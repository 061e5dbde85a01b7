"""What the ``followups`` rules see: each resolved escalation's Actions tasks and follow-ups.

Before planning, for every policy with a ``followups`` rule, the runtime reads:

- the page the agent wrote for the rule's page rule (the newest done page
  effect of that rule on the escalation, from the effect log; a lost log is
  rebuilt by the page action's own reconciliation, by its marker, a cycle later)
  and its tasks (``agent.adapters.confluence_tasks``);
- the follow-up issues in Jira: one search per policy for the agent's own issues
  in the follow-up projects created since the oldest escalation, with their
  ``escalation-agent-followup`` property (``agent.adapters.jira_followups``).
  Jira is the truth here, not the store: a lost state file still finds them.
  The same search finds the follow-ups people create in Jira: issues carrying
  one of the rule's labels and linked to the escalation (no property: they are
  made from no task, and the ``followups`` rule lists them on the page).

A page that cannot be read gives ``tasks=None`` (nothing is planned from a
partial picture); a failed search leaves the policy's escalations out this
cycle. Both are reported, never swallowed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from agent.adapters.confluence_port import ConfluencePort
from agent.adapters.confluence_tables import StorageSurgeryError
from agent.adapters.confluence_tasks import read_tasks
from agent.adapters.jira_followups import FoundFollowup
from agent.adapters.service_errors import NotFound, ServiceError
from agent.core.actions import ActionKind
from agent.core.followups import (
    FollowupIssue,
    FollowupsSeen,
    PageTask,
    actions_page,
    search_since,
)
from agent.core.model import Ticket
from agent.core.selection import governs
from agent.policy import Policy
from agent.policy.rule_models import Followups
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, StateStore

log = logging.getLogger(__name__)

SeenByIssue = dict[str, FollowupsSeen]


@runtime_checkable
class FollowupSearch(Protocol):
    """What the Jira adapter offers to find follow-ups (``JiraAdapter.followup_issues``)."""

    def followup_issues(
        self, projects: Sequence[str], since: date, labels: Sequence[str] = ()
    ) -> list[FoundFollowup]: ...


def agent_page(store: StateStore, issue: str, rule: str) -> str | None:
    """The newest page the agent wrote for ``rule`` on ``issue`` (from the effect log)."""
    newest: tuple[datetime, str] | None = None
    for record in store.effects_for_issue(issue):
        if record.rule != rule or record.kind != ActionKind.CONFLUENCE_PAGE.value:
            continue
        if record.status is not EffectStatus.DONE:
            continue
        page = (record.external_ref or {}).get("page")
        if page and (newest is None or record.updated_at > newest[0]):
            newest = (record.updated_at, str(page))
    return newest[1] if newest is not None else None


@runtime_checkable
class UserKeys(Protocol):
    """What the Confluence adapter offers for Data Center mentions (``username_of_key``)."""

    def username_of_key(self, user_key: str) -> str | None: ...


def _assignable(
    confluence: ConfluencePort, issue: str, tasks: Sequence[PageTask], report: CycleReport
) -> tuple[PageTask, ...]:
    """The tasks with each Data Center mention (``ri:userkey``) as the username Jira Data
    Center assigns by; a key nobody has leaves the task to the escalation's assignee, said
    while the task still waits for its issue."""
    resolved: list[PageTask] = []
    keys = confluence if isinstance(confluence, UserKeys) else None
    for task in tasks:
        if not (task.by_userkey and task.owner):
            resolved.append(task)
            continue
        name = keys.username_of_key(task.owner) if keys is not None else None
        if name is None and task.issue is None:
            report.add_problems(
                [
                    f"{issue} [followups]: task {task.task_id} mentions a person Confluence "
                    f"does not know (userkey {task.owner}); its issue goes to {issue}'s "
                    "assignee. Mention someone who exists, or reassign the issue in Jira"
                ]
            )
        resolved.append(replace(task, owner=name, by_userkey=False))
    return tuple(resolved)


def _page(
    confluence: ConfluencePort, issue: str, page_id: str, report: CycleReport
) -> FollowupsSeen:
    try:
        page = confluence.get_page(page_id)
        tasks = _assignable(confluence, issue, read_tasks(page.body), report)
        return FollowupsSeen(page_id, page.title, tasks)
    except NotFound:
        log.info("%s: the page %s is gone; its follow-ups are only chased", issue, page_id)
        return FollowupsSeen(None)
    except (ServiceError, StorageSurgeryError) as exc:
        message = f"cannot read the Actions of page {page_id} ({exc}); trying again next cycle"
        log.warning("%s: %s", issue, message)
        report.add_problems([f"{issue} [followups]: {message}"])
        return FollowupsSeen(page_id)


def read_followups(
    confluence: ConfluencePort | None,
    jira: object,
    store: StateStore,
    tickets: Iterable[Ticket],
    policies: Sequence[Policy],
    *,
    report: CycleReport,
) -> SeenByIssue:
    """issue -> its Actions page and follow-up issues, for resolved escalations of the
    policies with a ``followups`` rule (see the module doc)."""
    found: SeenByIssue = {}
    if not isinstance(jira, FollowupSearch):
        return found
    resolved = [t for t in tickets if not t.is_open]
    for policy in policies:
        rule = next((r for r in policy.rules if isinstance(r, Followups)), None)
        if rule is None:
            continue
        pages = actions_page(policy)
        if not pages:
            continue
        # Only an escalation whose Actions page the agent wrote can have tasks, and so
        # follow-ups: the others cost no search and no page read (a steady cycle stays
        # one search per policy).
        page_of = {
            t.key: page
            for t in resolved
            if governs(policy, t) and t.key not in found
            for page in [agent_page(store, t.key, pages)]
            if page is not None
        }
        mine = [t for t in resolved if t.key in page_of]
        if not mine:
            continue
        try:
            issues = _issues(jira, rule, mine)
        except ServiceError as exc:
            message = f"cannot search the follow-up issues ({exc}); trying again next cycle"
            log.warning("policy %s: %s", policy.name, message)
            report.add_problems([f"{t.key} [followups]: {message}" for t in mine[:1]])
            continue
        for ticket in mine:
            page_id = page_of[ticket.key]
            seen = FollowupsSeen(None)
            if page_id is not None and confluence is not None:
                seen = _page(confluence, ticket.key, page_id, report)
            found[ticket.key] = FollowupsSeen(
                seen.page_id, seen.page_title, seen.tasks, tuple(issues.get(ticket.key, ()))
            )
    return found


def _issues(
    jira: FollowupSearch, rule: Followups, escalations: Sequence[Ticket]
) -> dict[str, list[FollowupIssue]]:
    projects = sorted({rule.project or t.project for t in escalations})
    since = search_since(min(t.created for t in escalations))
    keys = {t.key for t in escalations}
    labels = set(rule.labels)
    by_escalation: dict[str, list[FollowupIssue]] = {}
    for found in jira.followup_issues(projects, since, sorted(labels)):
        escalation = found.marker.get("escalation")
        if escalation:
            issue = FollowupIssue(
                found.ticket,
                page_id=found.marker.get("page"),
                task_id=found.marker.get("task"),
                marker=found.marker,
            )
            by_escalation.setdefault(escalation, []).append(issue)
            continue
        if not labels & found.ticket.labels:
            continue  # one of the agent's issues that is not a follow-up
        for linked in sorted(found.links & keys):
            by_escalation.setdefault(linked, []).append(
                FollowupIssue(found.ticket, marker=found.marker)
            )
    return by_escalation
