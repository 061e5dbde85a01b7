"""Follow-ups: the Actions of a post-incident page become Jira issues, tracked both ways.

``followups`` plans, for an escalation resolved and paperworked, from what the
runtime read (``ctx.followups``: the page's tasks, the follow-up issues found by
their entity property):

- a task with no issue yet: ``jira.create_issue`` keyed ``task:<page>:<task>``
  (the handler looks for an issue carrying that page and task before creating
  one), then ``confluence.task`` ``...:show`` writing the issue's Jira macro into
  the task (the key comes from the create's result, ``issue_from_ref``);
- an issue whose task does not show it (a crash between the create and the page
  write): ``...:show`` with the key;
- an issue resolved while its task is open: ``...:complete`` ticks the task
  (``...:complete:N`` for the N-th time after N reopens, see below);
- a task the agent ticked whose issue is open again (a person reopened it in
  Jira): ``...:reopened:N`` unticks the task, once per reopen, and the issue
  hears nothing (the tick was the agent's, not a person's). The agent's tick is
  known from its done ``:complete`` effects, and from the issue's property
  (``ticked``, written after the tick, cleared before the untick), so a lost
  state file still tells it from a person's;
- a task a person ticked while its issue is open: a comment on the issue
  ``...:ticked``, and with the rule's ``transition`` the issue moved there
  ``...:ticked:transition``;
- a follow-up a person made in Jira (linked to the escalation, with the label):
  a task showing it is added to the Actions ``listed:<page>:<issue>``, and from
  then on tracked like the others through that task;
- an issue whose task a person deleted: one comment saying the issue is left
  alone ``...:deleted``.

``followup_overdue`` makes each open follow-up with a due date an obligation due
when the date has passed (the end of that day in the policy's zone), nudging the
issue's assignee (else the escalation's), repeating and climbing the chain like
the other clock rules; ``warn_before`` adds one heads-up before it is due.

Pure: what the page and Jira say comes in ``ctx.followups``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from agent.core.actions import DUE_SOON_EVENT, ActionKind, Recipient
from agent.core.followups import (
    FOLLOWUP_PROPERTY,
    FollowupIssue,
    FollowupsSeen,
    PageTask,
    search_since,
)
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.closure import resolved_at
from agent.core.rules.kind import Family, RuleKind
from agent.policy.rule_models import FollowupOverdue, Followups
from agent.timekeeping.calendar import BusinessCalendar


def business_days_after(calendar: BusinessCalendar, moment: datetime, days: int) -> date:
    """The ``days``-th business day after ``moment``'s local day (that day itself for 0)."""
    day = calendar.local(moment).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_business_day(day):
            counted += 1
    return day


def due_date(ctx: RuleContext, rule: Followups, task: PageTask, resolved: datetime) -> date:
    """The task's own date, else resolution plus the severity's allowance in business days."""
    if task.due is not None:
        return task.due
    days = rule.due_days.get(ctx.severity or "", rule.default_due_days)
    return business_days_after(ctx.calendar, resolved, days)


def _owner(ctx: RuleContext, task: PageTask) -> str | None:
    if task.owner:
        return task.owner
    return ctx.ticket.assignee.account_id if ctx.ticket.assignee else None


def _create(
    ctx: RuleContext, rule: Followups, seen: FollowupsSeen, task: PageTask, slot: str
) -> None:
    resolved = resolved_at(ctx)
    due = due_date(ctx, rule, task, resolved)
    page_title = seen.page_title or "the post-incident page"
    summary = task.text or f"Follow-up {task.task_id} from {page_title}"
    ctx.action(
        ActionKind.JIRA_CREATE_ISSUE,
        slot,
        reason=f"Task {task.task_id} on {page_title} becomes a follow-up issue, due {due}.",
        due=resolved,
        template=None,
        context=lambda: ctx.context(
            create={
                "project": rule.project or ctx.ticket.project,
                "issue_type": rule.issue_type,
                "summary": summary,
                "description": (
                    f"Follow-up of {ctx.issue} from task {task.task_id} of the page "
                    f"'{page_title}'. Resolve this issue and the task on the page is "
                    "completed; tick the task and this issue hears of it."
                ),
                "labels": list(rule.labels),
                "assignee": _owner(ctx, task),
                "due": due.isoformat(),
                "link_type": rule.link_type,
                "link_to": ctx.issue,
                "property_key": FOLLOWUP_PROPERTY,
                "property": {
                    "escalation": ctx.issue,
                    "page": seen.page_id,
                    "task": task.task_id,
                    "key": ctx.key(slot),
                },
                "since": search_since(ctx.ticket.created).isoformat(),
            },
        ),
    )


def _task_edit(
    ctx: RuleContext, slot: str, seen: FollowupsSeen, task: PageTask, op: str, **extra: Any
) -> None:
    what = {
        "show": "shows its follow-up issue",
        "complete": "is completed",
        "reopen": "is open again, as its reopened issue",
        "list": "is added for a follow-up made in Jira",
    }[op]
    ctx.action(
        ActionKind.CONFLUENCE_TASK,
        slot,
        reason=f"Task {task.task_id} on {seen.page_title or 'the page'} {what}.",
        due=ctx.now,
        template=None,
        context=lambda: ctx.context(
            page_id=seen.page_id, task_id=task.task_id, op=op, page_title=seen.page_title, **extra
        ),
    )


def _comment_on(
    ctx: RuleContext, slot: str, issue: FollowupIssue, *, reason: str, what: str, data: Any
) -> None:
    ctx.action(
        ActionKind.JIRA_COMMENT,
        slot,
        reason=reason,
        due=ctx.now,
        template="jira/followup_note.j2",
        context=lambda: ctx.context(on_issue=issue.key, followup_key=issue.key, what=what, **data),
    )


def _ticked(
    ctx: RuleContext, rule: Followups, seen: FollowupsSeen, task: PageTask, issue: FollowupIssue
) -> None:
    slot = f"task:{seen.page_id}:{task.task_id}"
    _comment_on(
        ctx,
        f"{slot}:ticked",
        issue,
        reason=f"Task {task.task_id} was ticked on the page; {issue.key} hears of it.",
        what="ticked",
        data={"page_title": seen.page_title, "transition": rule.transition},
    )
    if rule.transition is None:
        return
    ctx.action(
        ActionKind.JIRA_TRANSITION,
        f"{slot}:ticked:transition",
        reason=f"Task {task.task_id} was ticked on the page; {issue.key} moves to "
        f"{rule.transition}.",
        due=ctx.now,
        template=None,
        context=lambda: ctx.context(on_issue=issue.key, transition=rule.transition),
    )


def _ticks(ctx: RuleContext, slot: str, issue: FollowupIssue) -> tuple[int, int | None]:
    """The number of the agent's next tick of the task of ``slot``, and of its tick that
    still stands (None: a ticked task is a person's).

    The store keeps each tick (``:complete``, then ``:complete:1``...) and each untick
    (``:reopened:N``); the issue's property keeps the standing tick too (``TICKED``),
    so a lost state file still knows the agent's tick from a person's."""
    count = 0
    while ctx.done(_completion(slot, count)) or ctx.done(_reopening(slot, count)):
        count += 1
    last = next((n for n in reversed(range(count)) if ctx.done(_completion(slot, n))), None)
    if last is not None and not ctx.done(_reopening(slot, last)):
        return count, last
    recorded = issue.agent_tick
    if recorded is not None and not ctx.done(_reopening(slot, recorded)):
        return max(count, recorded + 1), recorded
    return count, None


def _completion(slot: str, n: int) -> str:
    """The key of the agent's ``n``-th tick of a task (the first keeps its old key)."""
    return f"{slot}:complete" if n == 0 else f"{slot}:complete:{n}"


def _reopening(slot: str, n: int) -> str:
    """The key of the agent taking back its ``n``-th tick (the issue was reopened)."""
    return f"{slot}:reopened:{n}"


def _jira_to_page(
    ctx: RuleContext,
    rule: Followups,
    seen: FollowupsSeen,
    task: PageTask,
    issue: FollowupIssue,
) -> None:
    """The task follows its issue: resolved ticks it, reopened unticks the agent's tick;
    a person's tick on an open issue is heard by the issue. Each tick and untick also
    says so in the issue's property (``marked``)."""
    slot = f"task:{seen.page_id}:{task.task_id}"
    count, standing = _ticks(ctx, slot, issue)
    if issue.done and not task.done:
        # a tick a person took back while the issue stays resolved is left alone
        n = count if standing is None else standing
        _task_edit(
            ctx,
            _completion(slot, n),
            seen,
            task,
            "complete",
            issue_key=issue.key,
            property_key=FOLLOWUP_PROPERTY,
            property=issue.marked(n),
        )
    elif task.done and not issue.done:
        if standing is not None:
            _task_edit(
                ctx,
                _reopening(slot, standing),
                seen,
                task,
                "reopen",
                issue_key=issue.key,
                property_key=FOLLOWUP_PROPERTY,
                property=issue.marked(None),
            )
        else:
            _ticked(ctx, rule, seen, task, issue)


def followups(ctx: RuleContext, rule: Followups) -> None:
    """Page to Jira and back for a resolved escalation (see the module doc)."""
    seen = ctx.followups
    if ctx.ticket.is_open or seen is None or seen.page_id is None or seen.tasks is None:
        return
    page = seen.page_id
    present = {task.task_id for task in seen.tasks}
    for task in seen.tasks:
        slot = f"task:{page}:{task.task_id}"
        issue = seen.issue_for(task)
        if issue is None:
            if task.issue is not None or task.done:
                continue  # a person's own Jira macro, or done before it was ever tracked
            _create(ctx, rule, seen, task, slot)
            _task_edit(ctx, f"{slot}:show", seen, task, "show", issue_from_ref=ctx.key(slot))
            continue
        if task.issue is None or task.issue.upper() != issue.key.upper():
            _task_edit(ctx, f"{slot}:show", seen, task, "show", issue_key=issue.key)
        _jira_to_page(ctx, rule, seen, task, issue)
    for issue in seen.unlisted():
        ctx.action(
            ActionKind.CONFLUENCE_TASK,
            f"listed:{page}:{issue.key}",
            reason=f"{issue.key}, a follow-up made in Jira, is listed in the page's Actions.",
            due=ctx.now,
            template=None,
            context=lambda i=issue: ctx.context(
                page_id=page,
                op="list",
                issue_key=i.key,
                summary=i.ticket.summary,
                done=i.done,
                page_title=seen.page_title,
            ),
        )
    for issue in seen.issues:
        if issue.page_id != page or issue.task_id is None or issue.task_id in present:
            continue
        if issue.done:
            continue
        _comment_on(
            ctx,
            f"task:{page}:{issue.task_id}:deleted",
            issue,
            reason=f"Task {issue.task_id} was deleted from the page; {issue.key} is left alone.",
            what="deleted",
            data={"page_title": seen.page_title},
        )


def _owner_of(ctx: RuleContext, issue: FollowupIssue) -> Callable[[], tuple[Recipient, ...]]:
    person = issue.ticket.assignee or ctx.ticket.assignee

    def audience() -> tuple[Recipient, ...]:
        if person is None:
            ctx.problem(f"follow-up {issue.key} has no assignee, nor has {ctx.issue}")
            return ()
        return (
            Recipient(
                role="follow-up owner",
                account_id=person.account_id,
                email=person.email,
                display_name=person.display_name,
            ),
        )

    return audience


def _day(moment: date) -> str:
    """``6 Mar 2026``: a due date as people write it, in a reason they read."""
    return f"{moment.day} {moment:%b %Y}"


def followup_due(calendar: BusinessCalendar, day: date) -> datetime:
    """A due date has passed at the end of that day (the next midnight, the policy's zone)."""
    return calendar.at_local(day + timedelta(days=1), time(0, 0))


def followup_overdue(ctx: RuleContext, rule: FollowupOverdue) -> None:
    """Each open follow-up with a due date is owed by then (see the module doc)."""
    seen = ctx.followups
    if seen is None:
        return
    for issue in seen.issues:
        if issue.ticket.due_date is None:
            continue
        due = followup_due(ctx.calendar, issue.ticket.due_date.date())
        audience = _owner_of(ctx, issue)
        data = {
            "followup_key": issue.key,
            "followup_summary": issue.ticket.summary,
            "followup_url": issue.ticket.url,
            "followup_due": issue.ticket.due_date.date().isoformat(),
        }
        targets = rule.notify or ["dm"]
        warn = rule.warn_before
        if warn is not None and not issue.done and due - warn <= ctx.now < due:
            ctx.speak_once(
                f"followup:{issue.key}:warn@{iso(due)}",
                targets=targets,
                reason=f"Follow-up {issue.key} is due on {_day(issue.ticket.due_date)}.",
                due=due - warn,
                template=ctx.template("followup_overdue"),
                audience=audience,
                context=lambda d=data: ctx.context(**d, heads_up=True),
                event=DUE_SOON_EVENT,  # a heads-up like every rule's, for integrators
            )
        ctx.obligation(
            f"followup:{issue.key}",
            due=due,
            met=issue.done,
            reason=(
                f"Follow-up {issue.key} was due on {_day(issue.ticket.due_date)}: "
                f"{issue.ticket.summary}"
            ),
            template=ctx.template("followup_overdue"),
            audience=audience,
            targets=targets,
            context=lambda d=data: ctx.context(**d),
        )


FAMILY = Family(
    "followups",
    "Follow-ups",
    "Action items from the pages, tracked as Jira issues.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=Followups,
        handler=followups,
        family=FAMILY,
        description=(
            "Each task a person adds to the Actions task list of the escalation's "
            "post-incident page becomes one Jira issue (in `project`, of `issue_type`, with "
            "`labels`, linked to the escalation by `link_type`), assigned to the person the "
            "task mentions (else the escalation's assignee) and due on the task's date (else "
            "`due_days` business days after resolution); the task then shows the issue. "
            "Resolving the issue completes the task, and reopening it in Jira unticks that "
            "task again; a person ticking the task while its issue is open comments on the "
            "issue (and with `transition`, moves it there). A follow-up a person creates in Jira "
            "(with one of `labels`, linked to the escalation, in `project`) is listed in the "
            "Actions as a task showing it, and tracked the same way. An issue carrying one of "
            "`labels` is a follow-up, never an escalation of the policy itself. "
            "A deleted task leaves its issue alone and says so once on it. Each issue carries "
            "the page and task in its `escalation-agent-followup` property, so no task makes "
            "two issues, and whether the agent ticked the task, so a lost state file still "
            "tells its tick from a person's. A task as a person pastes it in the page's "
            "storage format (Cloud mentions by `ri:account-id`, Data Center by `ri:userkey`): "
            "`<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
            "<ac:task-body>Add an alert on queue depth <ac:link><ri:user "
            'ri:account-id="5b10ac8d82e05b22cc7d4ef5"/></ac:link> <time datetime="2026-03-20"/>'
            "</ac:task-body></ac:task></ac:task-list>`."
        ),
        words="tracked the page's action items as Jira issues",
        params={
            "page": (
                "The page rule whose page holds the Actions task list; unset: the policy's "
                "first page rule (post-mortem, summary, lessons learned, response report)."
            ),
            "project": "Jira project of the follow-up issues; unset: the escalation's.",
            "issue_type": "Issue type of the follow-up issues.",
            "labels": "Labels on every follow-up issue.",
            "link_type": "Issue link type from each follow-up to the escalation.",
            "due_days": (
                "Business days after resolution a task without a date is due, per severity "
                "(e.g. `{P1: 5, P2: 10}`)."
            ),
            "default_due_days": "Business days for severities `due_days` does not name.",
            "transition": (
                "Status to move a follow-up to when a person ticks its task on the page "
                "(Jira's transition of that name); unset: only a comment."
            ),
        },
        reads_messages=False,
        template_files=frozenset({"jira/followup_note.j2"}),
    ),
    RuleKind(
        model=FollowupOverdue,
        handler=followup_overdue,
        family=FAMILY,
        description=(
            "A follow-up past its due date nudges its assignee (default: by DM), repeating "
            "and climbing the chain in business time; `warn_before` adds a heads-up."
        ),
        words="nudged: follow-up overdue",
        params={
            "warn_before": "A heads-up this long before a follow-up is due; unset: none.",
        },
        templates=frozenset({"followup_overdue"}),
        keeps_items_when_closed=True,
        declares_obligations=True,
        reads_messages=False,
    ),
)
