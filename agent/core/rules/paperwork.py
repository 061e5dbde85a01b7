"""Paperwork on resolution (logs, summary pages, PMO notice) and weekly stakeholder summaries."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from agent.core.actions import ActionKind
from agent.core.followups import FollowupIssue
from agent.core.lazy import extended, once
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.closure import resolved_at
from agent.core.rules.digest import STALE_AFTER
from agent.core.rules.kind import Family, RuleKind
from agent.core.rules.pages import field_values, plan_page, record, summary_page_title
from agent.policy.calendars import weekday_number
from agent.policy.rule_models import (
    IncidentLog,
    IncidentSummary,
    LessonsLearned,
    PmoNotify,
    ResponseReport,
    StakeholderSummary,
    kind_name,
)


def incident_log(ctx: RuleContext, rule: IncidentLog) -> None:
    """One row per log page (project log, global log) for each resolved incident.

    The row links the incident summary page by title (a Confluence link macro needs
    no page id, so the row does not wait for the page); ``columns`` head a new log.
    """
    if ctx.ticket.is_open:
        return
    resolved = resolved_at(ctx)
    year = resolved.astimezone(ctx.policy.zone).year  # picks the log's volume

    def row() -> dict[str, Any]:
        """What every log's row shows; worked out only if some row is still to be added."""
        summary_title, summary_space = summary_page_title(ctx)
        return {
            **record(ctx, rule.fields, resolved),
            "space": rule.space,
            "columns": list(rule.columns),
            "summary_page_title": summary_title,
            "summary_page_space": summary_space if summary_space != rule.space else None,
        }

    data = once(row)
    for page in rule.pages:
        title = page.format(project=ctx.ticket.project)
        slot = f"log:{title}@{iso(resolved)}"
        ctx.action(
            ActionKind.CONFLUENCE_LOG_ROW,
            slot,
            reason=f"Resolved incidents are recorded in {title}.",
            due=resolved,
            template=rule.template or "confluence/incident_log_row.xml.j2",
            context=functools.partial(extended, data, {"page_title": title, "log_year": year}),
        )
        _actions_done(ctx, rule, slot, title)


def _actions_done(ctx: RuleContext, rule: IncidentLog, row_slot: str, title: str) -> None:
    """Once the escalation's follow-ups are known, its row says how many are done: one
    edit per change (``...:actions:2-of-3@<when>``).

    The count alone would not do: a follow-up reopened brings back an earlier count
    whose key is done already, and the row would keep the newer one. ``<when>`` is the
    latest moment any follow-up changed (see :func:`_followups_changed_at`), so each
    change has its own key; the handler writes only when the row shows another text,
    so a repeated key (a crash, a lost state file) writes nothing twice."""
    seen = ctx.followups
    if seen is None or not seen.issues:
        return
    total = len(seen.issues)
    done = sum(1 for issue in seen.issues if issue.done)
    changed = _followups_changed_at(seen.issues)
    ctx.action(
        ActionKind.CONFLUENCE_LOG_ACTIONS,
        f"{row_slot}:actions:{done}-of-{total}@{iso(changed)}",
        reason=f"{title} shows that {done} of {ctx.issue}'s {total} follow-ups are done.",
        due=ctx.now,
        template=None,
        context=lambda: ctx.context(
            row_key=ctx.key(row_slot),
            actions_done=done,
            actions_total=total,
            columns=list(rule.columns),
        ),
    )


def _followups_changed_at(issues: Sequence[FollowupIssue]) -> datetime:
    """The latest moment a follow-up may have changed its count: a done one when it was
    resolved, an open one when it was last updated (a reopened issue has no other trace
    in what is read: Jira clears its resolution date). An edit to an open follow-up
    thus makes a new key too, whose handler finds the row right and writes nothing."""
    return max(
        (issue.ticket.resolved_at or issue.ticket.updated) if issue.done else issue.ticket.updated
        for issue in issues
    )


def _page(
    ctx: RuleContext, rule: IncidentSummary | ResponseReport | LessonsLearned, what: str
) -> None:
    if ctx.ticket.is_open:
        return
    resolved = resolved_at(ctx)
    title = rule.title.format(key=ctx.issue, summary=ctx.ticket.summary, project=ctx.ticket.project)
    plan_page(
        ctx,
        resolved=resolved,
        what=what,
        reason=f"The procedure asks for {what} once {ctx.issue} is resolved.",
        template=rule.template or f"confluence/{ctx.rule_name}.xml.j2",
        title=title,
        fields=field_values(ctx, rule.fields),
        data=lambda: {
            **record(ctx, rule.fields, resolved),
            "space": rule.space,
            "title": title,
            "parent": rule.parent,
        },
    )


def incident_summary(ctx: RuleContext, rule: IncidentSummary) -> None:
    _page(ctx, rule, "an incident summary")


def response_report(ctx: RuleContext, rule: ResponseReport) -> None:
    _page(ctx, rule, "an incident response report")


def lessons_learned(ctx: RuleContext, rule: LessonsLearned) -> None:
    _page(ctx, rule, "a lessons-learned page")


def pmo_notify(ctx: RuleContext, rule: PmoNotify) -> None:
    if ctx.ticket.is_open:
        return
    resolved = resolved_at(ctx)
    ctx.speak_once(
        f"pmo@{iso(resolved)}",
        targets=rule.notify or ["dm"],
        reason=f"{ctx.issue} is resolved: add it to this week's PM call agenda.",
        due=resolved,
        template=ctx.template("pmo_notify"),
        audience=ctx.people_later(rule.to, required=bool(rule.to)),
    )


def stakeholder_summary(ctx: RuleContext, rule: StakeholderSummary) -> None:
    """Each week, while open, a stakeholder summary with progress from the milestones."""
    if not ctx.ticket.is_open:
        return
    slot = ctx.calendar.weekly_slot_at_or_before(ctx.now, weekday_number(rule.weekday), rule.at)
    if slot <= ctx.ticket.created or ctx.now - slot > STALE_AFTER:
        return
    week = [u for u in ctx.updates() if slot - timedelta(days=7) < u.at <= ctx.now]
    ctx.speak_once(
        f"summary@{iso(slot)}",
        targets=rule.notify or ["escalation_channel"],
        reason=f"Weekly stakeholder summary for {ctx.issue}.",
        due=slot,
        template=ctx.template("stakeholder_summary"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        context=ctx.context(
            week_of=iso(slot),
            updates=[{"at": iso(u.at), "who": u.author, "text": u.text} for u in week[-10:]],
            milestones=[
                {"key": s.key, "summary": s.summary, "done": s.status_category == "done"}
                for s in ctx.ticket.subtasks
            ],
        ),
    )


_PageRule = TypeVar("_PageRule", IncidentSummary, ResponseReport, LessonsLearned)


def _page_kind(
    model: type[_PageRule],
    handler: Callable[[RuleContext, _PageRule], None],
    page: str,
    *,
    words: str,
    reads_descriptions: bool = False,
) -> RuleKind[_PageRule]:
    """A page written on resolution (see :func:`_page`): the three kinds differ only in
    their names and whether they show the ticket's description; each has its template
    ``confluence/<kind>.xml.j2``."""
    return RuleKind(
        model=model,
        handler=handler,
        family=FAMILY,
        description=(
            f"On resolution the agent writes {page} in `space` and links it from the ticket; "
            "it refreshes the page when `fields` change later, unless a person edited it."
        ),
        words=words,
        params={"fields": "Jira fields shown on the page."},
        reads_messages=False,
        reads_descriptions=reads_descriptions,
        paperwork=True,
        template_files=frozenset({f"confluence/{kind_name(model)}.xml.j2"}),
    )


FAMILY = Family(
    "paperwork",
    "Paperwork",
    "Pages, logs and notices on resolution; weekly summaries.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=IncidentLog,
        handler=incident_log,
        family=FAMILY,
        description=(
            "On resolution the agent adds one row per resolved incident to each log page in "
            "`pages` (a missing page is created with a `columns` header row). A log rolls "
            "over: incidents resolved in a later year than the page was created go to "
            "`<title> <year>`, and a page that would pass 1,000 rows or Confluence's 5 MB "
            "request limit continues on `<title> (2)`; each new page is linked from the one "
            "before it. With a `followups` rule, once the incident's follow-ups are known its "
            "row shows a lozenge `actions: 2 of 3 done`, kept up to date."
        ),
        words="added incident-log rows",
        params={
            "space": "Confluence space of the log pages.",
            "pages": "Titles of the log pages; `{project}` is replaced.",
            "fields": "Jira fields copied into the row.",
            "columns": (
                "Header row of a new log page's table, one title per cell of the row template"
                " (change it with `template:`). Existing tables keep theirs."
            ),
        },
        paperwork=True,
        template_files=frozenset({"confluence/incident_log_row.xml.j2"}),
    ),
    _page_kind(
        IncidentSummary,
        incident_summary,
        "an incident summary page",
        words="drafted the incident summary",
        reads_descriptions=True,
    ),
    _page_kind(
        ResponseReport,
        response_report,
        "an incident response report page",
        words="drafted the incident response report",
        reads_descriptions=True,
    ),
    _page_kind(
        LessonsLearned,
        lessons_learned,
        "a lessons-learned page",
        words="drafted the lessons-learned page",
    ),
    RuleKind(
        model=PmoNotify,
        handler=pmo_notify,
        family=FAMILY,
        description=(
            "On resolution the `to` roles are told to put the ticket on the PM call's agenda "
            "(default: by DM)."
        ),
        words="told the PMO",
        templates=frozenset({"pmo_notify"}),
        reads_messages=False,
    ),
    RuleKind(
        model=StakeholderSummary,
        handler=stakeholder_summary,
        family=FAMILY,
        description=(
            "Each week at `weekday` `at`, while open, a stakeholder summary with the week's "
            "updates and milestone progress (default: in the escalation channel)."
        ),
        words="posted the weekly stakeholder summary",
        templates=frozenset({"stakeholder_summary"}),
    ),
)
