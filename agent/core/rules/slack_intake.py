"""Intake from Slack: a report in the shared channel becomes a Jira ticket, its thread the record.

Procedure 002 has operators report in the Slack channel the two parties agreed
on. For each top-level message a person wrote there since the policy first ran
(``is_report``) and that no ticket carries yet (``report_label``), the planner
asks for one ``jira.issue_from_report``: the executor searches Jira for the label
before creating, then replies in the message's thread with the ticket and the
report items still missing. The ticket is the incident from then on: its thread
is where support acknowledges and updates (``incident_thread``), and every reply
there is copied to the ticket once, as a comment marked as a copy.

A ticket made in Jira gets its thread as well (``open_threads``): one
``slack.open_thread`` posts a top-level message for it in the channel (keyed, with
the key in its Slack metadata, so it is found again rather than posted twice) and
labels the ticket with the message (``slack_reports.thread_label``), which every
later cycle reads as the ticket's thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any

from agent.core.actions import ActionKind, PlannedAction
from agent.core.destinations import Channel
from agent.core.model import ChatMessage, Ticket
from agent.core.names import author_name
from agent.core.rules.base import RuleContext, iso
from agent.core.rules.kind import Family, RuleKind
from agent.core.slack_reports import (
    SlackThread,
    incident_thread,
    is_report,
    plain_text,
    read_report,
    report_label,
    report_thread,
)
from agent.policy.rule_models import SlackIntake
from agent.policy.schema import Policy


def report_key(rule: SlackIntake, thread: SlackThread) -> str:
    """The key of the ticket made from one message: one per channel and ``ts``, for ever."""
    return f"{rule.ident}:{thread.channel}-{thread.ts}:ticket"


def intake_reports(
    policy: Policy,
    rule: SlackIntake,
    messages: Sequence[ChatMessage],
    tickets: Iterable[Ticket],
    *,
    now: datetime,
    first_contact: datetime | None,
    done_keys: AbstractSet[str] = frozenset(),
) -> list[PlannedAction]:
    """One ``jira.issue_from_report`` per report whose action is not done (oldest first).

    Messages from before the policy's first contact are history, as tickets
    resolved before it are: turning a channel's past into tickets is a backfill."""
    made = {thread for t in tickets if (thread := report_thread(t)) is not None}
    levels = policy.severity.levels if policy.severity else []
    actions: list[PlannedAction] = []
    for message in sorted(messages, key=lambda m: (m.at, m.ts)):
        if not is_report(message, None) or message.at > now:
            continue
        if first_contact is not None and message.at < first_contact:
            continue
        thread = SlackThread(message.channel, message.ts)
        key = report_key(rule, thread)
        if key in done_keys:
            continue  # a ticket made, and the reply in its thread, for good
        # Asked again until both are done, even once the ticket exists (its reply may be
        # missing); the executor finds the ticket by its label and the reply by its key.
        exists = thread in made
        report = read_report(
            message.text, has_files=message.has_files, levels=levels, wanted=rule.ask_for
        )
        who = message.user_email or message.user_slack_id or "someone"
        actions.append(
            PlannedAction(
                key=key,
                policy=policy.name,
                rule=rule.rule,
                issue=None,
                kind=ActionKind.JIRA_ISSUE_FROM_REPORT,
                reason=(
                    f"{who}'s report in {rule.channel} has its ticket; the reply in its "
                    "thread is checked."
                    if exists
                    else f"{who} reported an issue in {rule.channel}; it needs a ticket."
                ),
                due=message.at,
                template="jira/slack_report.j2",
                context={
                    "project": rule.project,
                    "issue_type": rule.issue_type,
                    "labels": list(rule.labels),
                    "marker": report_label(thread),
                    "summary": report.summary,
                    "description": report.description,
                    "severity": report.severity,
                    "fields": severity_fields(policy, report.severity),
                    "missing": list(report.missing),
                    "reporter_email": message.user_email,
                    "reporter_account": message.user_account_id,
                    "reporter_slack": message.user_slack_id,
                    "channel": rule.channel,
                    "channel_id": thread.channel,
                    "ts": thread.ts,
                    "reported_at": iso(message.at),
                    "reply_key": f"{key}:reply",
                    "reply_template": "slack/slack_logged.j2",
                },
            )
        )
    return actions


def severity_fields(policy: Policy, level: str | None) -> dict[str, str]:
    """The field value (or priority) that gives ``level`` under the policy's severity mapping."""
    spec = policy.severity
    if level is None or spec is None:
        return {}
    if spec.field is not None:
        for value, mapped in spec.field.map.items():
            if mapped == level:
                return {spec.field.name: value}
    for priority, mapped in spec.priority.items():
        if mapped == level:
            return {"Priority": priority}
    return {}


def slack_intake(ctx: RuleContext, rule: SlackIntake) -> None:
    """Per ticket of the project: an open one made in Jira gets its thread opened; each
    reply in a ticket's thread is copied to it once."""
    if ctx.ticket.project != rule.project:
        return
    thread = incident_thread(ctx.ticket)
    if thread is None:
        if rule.open_threads and ctx.ticket.is_open:
            open_thread(ctx, rule)
        return
    if not rule.copy_replies:
        return
    for message in ctx.messages:
        if message.thread_ts != thread.ts or message.ts == thread.ts:
            continue  # the report itself is the ticket's description
        author = author_name(
            ctx.ticket,
            account_id=message.user_account_id,
            email=message.user_email,
            slack_id=message.user_slack_id,
        )
        ctx.action(
            ActionKind.JIRA_COMMENT,
            f"copy@{message.ts}",
            reason=f"{author} replied in the thread of {ctx.issue} in {rule.channel}.",
            due=message.at,
            template="jira/slack_copy.j2",
            context=lambda m=message, a=author: ctx.context(
                copied_from=rule.channel,
                copied_author=a,
                copied_author_email=m.user_email,
                copied_at=iso(m.at),
                copied_text=plain_text(m.text),
                copied_files=m.has_files,
            ),
        )


def open_thread(ctx: RuleContext, rule: SlackIntake) -> None:
    """One top-level message for the ticket in the channel, its incident thread from then on
    (until the ticket carries the message's label, its thread's nudges wait)."""
    ctx.action(
        ActionKind.SLACK_OPEN_THREAD,
        "thread",
        reason=f"{ctx.issue} was made in Jira; its incident thread is opened in {rule.channel}.",
        due=ctx.ticket.created,
        template="slack/incident_thread.j2",
        channel=Channel(rule.channel),
        where=rule.channel,
    )


FAMILY = Family(
    "slack_intake",
    "Intake from Slack",
    "Reports in a shared channel become tickets.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=SlackIntake,
        handler=slack_intake,
        family=FAMILY,
        description=(
            "Operators report in one shared Slack channel. A top-level message a person (not "
            "the bot) posts there becomes a ticket in `project`: summary from its first line,"
            " description from the rest, reporter matched by email or `AGENT_USER_MAP` (else "
            "the agent), the severity field (or priority) set when the text names a level or "
            "P1-P4. The ticket's key and link are replied in the message's thread, with the "
            "report items still missing. The message's time is the report's time "
            "(`ack_overdue`, `update_overdue` count from it), the thread is the incident's "
            "(`incident_thread`; its replies are messages of the ticket), and each reply is "
            "copied to the ticket once. An open ticket of `project` made in Jira gets its "
            "thread too: the agent posts one top-level message for it in the channel (found "
            "again by its Slack metadata, never posted twice) and labels the ticket "
            "`slack-thread-<channel id>-<ts>`; its nudges wait for that label (one cycle). "
            "Replies, joins and the bot's own messages are no "
            "reports; messages from before the policy's first contact are history. A ticket "
            "carries the label `slack-report-<channel id>-<ts>`, searched for by JQL before "
            "creating, so neither a crash nor a lost state makes a second one (JQL cannot "
            "search issue properties an app does not index). Each cycle reads the channel's "
            "history once and only the threads with replies (Tier 3 methods)."
        ),
        words="made a ticket from a Slack report",
        params={
            "channel": (
                "The Slack channel the parties agreed on, `#name`; the bot must be in it (a "
                "public one it joins)."
            ),
            "project": "The Jira project the tickets are made in.",
            "issue_type": "The issue type of the tickets.",
            "labels": (
                "Labels put on every ticket made from a report (besides the report's own "
                "`slack-report-<channel id>-<ts>`, which finds it again)."
            ),
            "ask_for": (
                "The report items asked for in the thread when the report lacks them: "
                "`title`, `product impacted`, `description`, `impact`, `severity`, `time`, "
                "`evidence` (procedure 002's list)."
            ),
            "lookback": (
                "How far back each cycle reads the channel for reports (never before the "
                "policy's first contact)."
            ),
            "copy_replies": (
                "Copy each reply in a ticket's thread to the ticket, once, as a comment "
                "marked as a copy."
            ),
            "open_threads": (
                "Open a thread in the channel for each open ticket of `project` made in Jira "
                "(a top-level message the agent posts), so every incident has one."
            ),
        },
        template_files=frozenset(
            {
                "jira/slack_report.j2",
                "slack/slack_logged.j2",
                "jira/slack_copy.j2",
                "slack/incident_thread.j2",
            }
        ),
    ),
)
