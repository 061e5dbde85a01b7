"""``jira.issue_from_report`` for a report made in Slack: the ticket, then the reply in its thread;
``slack.open_thread`` for a ticket made in Jira: its thread's first message, then its label.

Two effects each, each with its own marker, so a retry or a crash between them does
neither twice: the ticket carries the report's label (the adapter searches for
it before creating), the reply carries the Slack metadata key. The planner asks
again until both are done, even when the ticket already exists. An opened thread's
message carries the action key in its metadata (looked for before posting again
whenever the post may have happened: a retry, a crash, a lost state), and adding
a label the ticket has already changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

from agent.adapters.jira_followups import NewIssue
from agent.core.actions import ActionKind, PlannedAction
from agent.core.destinations import Channel
from agent.core.model import Person
from agent.core.slack_reports import SlackThread, thread_label
from agent.runtime.act.slack_common import message_text, post_once
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.store import JsonDoc


def _text(action: PlannedAction, name: str) -> str:
    value = action.context.get(name)
    if not isinstance(value, str) or not value:
        raise ActionError(f"{action.key}: the action's context has no {name!r}")
    return value


def reporter_account(action: PlannedAction, env: ActionEnv) -> str | None:
    """The reporter's Jira account: by ``AGENT_USER_MAP`` (their Slack id), else by email.

    None when neither finds one (the agent's account is the reporter then, and the
    description names the person)."""
    account = action.context.get("reporter_account")
    if isinstance(account, str) and account:
        return account
    found = _reporter_in_jira(action, env)
    return found.account_id if found is not None else None


def _reporter_in_jira(action: PlannedAction, env: ActionEnv) -> Person | None:
    email = action.context.get("reporter_email")
    return env.jira_person(email) if isinstance(email, str) and email else None


def reporter_name(action: PlannedAction, env: ActionEnv) -> str | None:
    """The reporter's Jira display name, for the description: a name, not an address."""
    found = _reporter_in_jira(action, env)
    return found.display_name if found is not None and found.display_name else None


@runtime_checkable
class ReportIssues(Protocol):
    """What the handler needs of the Jira adapter (``agent.adapters.jira_adapter``)."""

    def find_issue_with_label(self, project: str, label: str) -> str | None: ...

    def shaped_fields(self, values: Mapping[str, Any]) -> dict[str, Any]: ...

    def create_issue(self, new: NewIssue, *, find_existing: Callable[[], str | None]) -> str: ...

    def browse_url(self, key: str) -> str: ...


def issue_from_report(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Find (by its marker label) or make the ticket of a Slack report, then reply in the
    report's thread with its key, its link and what the report still lacks."""
    jira = env.jira
    if not isinstance(jira, ReportIssues):
        raise ActionError(f"{action.key}: this Jira adapter cannot create issues")
    project, marker = _text(action, "project"), _text(action, "marker")
    key = jira.find_issue_with_label(project, marker)
    existing = key is not None
    if key is None:
        reporter = reporter_account(action, env)
        fields = action.context.get("fields")
        labels = action.context.get("labels")
        extra = tuple(str(label) for label in labels) if isinstance(labels, list) else ()
        new = NewIssue(
            project=project,
            issue_type=_text(action, "issue_type"),
            summary=_text(action, "summary"),
            description=env.render(
                action,
                reporter_known=reporter is not None,
                reporter_name=reporter_name(action, env),
            ),
            labels=tuple(dict.fromkeys([*extra, marker])),
            reporter=reporter,
            fields=jira.shaped_fields(dict(fields)) if isinstance(fields, Mapping) else {},
        )
        key = jira.create_issue(
            new, find_existing=lambda: jira.find_issue_with_label(project, marker)
        )
    url = jira.browse_url(key)
    reply = _reply(action, env, reconcile or existing, key, url)
    return {"issue": key, "url": url, "existing": existing, "reply": reply}


def _reply(
    action: PlannedAction, env: ActionEnv, reconcile: bool, key: str, url: str
) -> dict[str, Any]:
    """The ticket's key and link, and the report items still missing, in the report's thread."""
    channel, ts = _text(action, "channel_id"), _text(action, "ts")
    text = message_text(action, env, _text(action, "reply_template"), issue=key, url=url)
    return post_once(
        action,
        env,
        channel,
        text,
        key=_text(action, "reply_key"),
        reconcile=reconcile,
        thread_ts=ts,
    )


def open_thread(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Post (or find again by its key) the top-level message that starts a Jira-made
    ticket's incident thread, then label the ticket with it (``slack-thread-...``)."""
    if action.issue is None or not isinstance(action.channel, Channel):
        raise ActionError(f"{action.key}: opening a thread needs a ticket and a #channel")
    channel = env.slack.resolve_channel(action.channel.name)
    posted = post_once(
        action, env, channel, message_text(action, env), key=action.key, reconcile=reconcile
    )
    label = thread_label(SlackThread(str(posted["channel"]), str(posted["ts"])))
    env.jira.add_labels(action.issue, [label])
    return {**posted, "label": label}


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.JIRA_ISSUE_FROM_REPORT: issue_from_report,
    ActionKind.SLACK_OPEN_THREAD: open_thread,
}
