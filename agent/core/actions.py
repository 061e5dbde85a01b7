"""What the engine plans: actions with idempotency keys, problems, and the plan itself."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent.core.destinations import Destination
from agent.core.keys import ActionKey
from agent.core.obligations import Obligation

if TYPE_CHECKING:
    from agent.core.state import EngineState


class ActionKind(enum.StrEnum):
    """Every side effect an adapter may be asked to perform."""

    JIRA_COMMENT = "jira.comment"
    JIRA_ISSUE_FROM_REPORT = "jira.issue_from_report"
    JIRA_ADD_LABEL = "jira.add_label"
    JIRA_REMOVE_LABEL = "jira.remove_label"
    JIRA_SET_PRIORITY = "jira.set_priority"
    JIRA_SET_FIELD = "jira.set_field"
    JIRA_ADD_WATCHER = "jira.add_watcher"
    JIRA_REMOTE_LINK = "jira.remote_link"
    JIRA_CREATE_ISSUE = "jira.create_issue"
    JIRA_TRANSITION = "jira.transition"
    SLACK_CREATE_CHANNEL = "slack.create_channel"
    SLACK_INVITE = "slack.invite"
    SLACK_POST = "slack.post"
    SLACK_OPEN_THREAD = "slack.open_thread"
    SLACK_THREAD_DONE = "slack.thread_done"
    SLACK_PIN = "slack.pin"
    SLACK_UNPIN = "slack.unpin"
    CONFLUENCE_PAGE = "confluence.page"
    CONFLUENCE_LOG_ROW = "confluence.log_row"
    CONFLUENCE_LOG_ACTIONS = "confluence.log_actions"
    CONFLUENCE_TASK = "confluence.task"


# The event a heads-up before a deadline is (Slack metadata ``escalation_agent_due_soon``),
# whichever rule's deadline it warns of: integrators react to every heads-up alike.
DUE_SOON_EVENT = "due_soon"


@dataclass(frozen=True)
class Recipient:
    """Someone who must act or be told: a person (by account/email) or a Slack user group."""

    role: str
    account_id: str | None = None
    email: str | None = None
    display_name: str | None = None
    group: str | None = None

    @property
    def label(self) -> str:
        return self.display_name or self.group or self.email or self.account_id or self.role


@dataclass(frozen=True)
class PlannedAction:
    """One side effect; ``key`` is stable for the same inputs so it is done at most once.

    ``channel`` is where a Slack kind acts (``agent.core.destinations``): a named
    channel, the ticket's escalation channel (resolved through the state, or found
    by ``context["escalation_channel_name"]``), a direct message (to a Jira
    accountId, or an email for people named by email in the policy), each member of
    a user group, or an incident's thread.
    ``key`` is the key in its stored form (``ActionKey.format``), as the store
    and the markers on the sites hold it. ``thread_of`` is the key of the action
    whose message starts the thread this one replies in; when nothing was posted
    under it (e.g. the first nudge went to other people after hours) the adapter
    posts at the top level. For ``slack.thread_done`` it is the anchor: every
    message posted under
    ``<anchor>#...`` is marked done. ``template`` is None for
    actions with nothing to render (labels, priority, invites, pins). ``event`` names
    the Slack metadata event of a post when it is not the rule's own (a heads-up is
    ``due_soon``, with ``rule`` still the rule it warns for).
    """

    key: str
    policy: str
    rule: str
    issue: str | None
    kind: ActionKind
    reason: str
    due: datetime
    template: str | None
    audience: tuple[Recipient, ...] = ()
    urgent: bool = False
    channel: Destination | None = None
    thread_of: ActionKey | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    event: str | None = None


@dataclass(frozen=True)
class TicketProblem:
    """A ticket that breaks a rule's assumptions; logged, never fatal for the cycle."""

    issue: str
    rule: str
    message: str


@dataclass(frozen=True)
class Plan:
    """A cycle's actions and problems, the state after it, per policy how many
    tickets were left alone as history (resolved before its first contact),
    every ticket's open obligations (``agent.core.obligations``) as the rules left them,
    and the tickets a newer channel message could plan differently
    (``agent.core.fresh_messages``)."""

    actions: tuple[PlannedAction, ...]
    problems: tuple[TicketProblem, ...]
    state: EngineState
    history: Mapping[str, int] = field(default_factory=dict)
    obligations: tuple[Obligation, ...] = ()
    fresh_messages_for: frozenset[str] = frozenset()
