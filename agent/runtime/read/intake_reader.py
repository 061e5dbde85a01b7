"""Reading the ``slack_intake`` channels: new reports, and the threads of their open tickets.

Each cycle reads a channel's top-level messages once (``conversations.history``,
Tier 3: 50 a minute; https://docs.slack.dev/reference/methods/conversations.history)
over the rule's ``lookback`` and back to the oldest open ticket's report, so
every open incident's report is in the listing. A thread is read
(``conversations.replies``, Tier 3 too) only when the listing shows it has
replies, so a quiet incident costs no call; the listing holds the agent's own
messages that open the threads of tickets made in Jira, so theirs are read the
same way (the planner gets only people's messages as reports). Slack has limited
both methods to one call a minute for new commercially distributed apps outside the
Marketplace since 2025-05-29 (https://docs.slack.dev/changelog/2025/05/29/
rate-limit-changes-for-non-marketplace-apps); an internal app, as the agent
is, keeps Tier 3, and the adapter's pacer keeps to it.

A thread that cannot be read leaves its ticket out of the cycle, as an
unreadable escalation channel does: no nudge on a partial picture.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_port import SlackPort
from agent.core.model import ChatMessage, Ticket
from agent.core.selection import governs
from agent.core.slack_reports import SlackThread, incident_thread
from agent.policy import Policy
from agent.policy.rule_models import SlackIntake
from agent.runtime.report import CycleReport

log = logging.getLogger(__name__)

Accounts = Callable[[list[ChatMessage]], list[ChatMessage]]


def intake_rules(policies: Sequence[Policy]) -> list[tuple[Policy, SlackIntake]]:
    return [(p, r) for p in policies for r in p.rules if isinstance(r, SlackIntake)]


@dataclass
class IntakeRead:
    """Per channel (``#name``) the top-level messages; per ticket its thread's replies; the
    tickets whose thread (or channel) could not be read, left out of this cycle."""

    reports: dict[str, list[ChatMessage]] = field(default_factory=dict)
    replies: dict[str, list[ChatMessage]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)


def read_intake(
    slack: SlackPort,
    policies: Sequence[Policy],
    tickets: Sequence[Ticket],
    *,
    report: CycleReport,
    now: datetime,
    accounts: Accounts,
) -> IntakeRead:
    """What the ``slack_intake`` rules of ``policies`` need read this cycle."""
    read = IntakeRead()
    for policy, rule in intake_rules(policies):
        mine = [
            (t, thread)
            for t in tickets
            if t.is_open
            and t.project == rule.project
            and governs(policy, t)
            and (thread := incident_thread(t)) is not None
        ]
        oldest = min([now - rule.lookback, *(thread.at for _, thread in mine)])
        try:
            listed = slack.top_level_messages(rule.channel, oldest)
        except ServiceError as exc:
            report.read_error("slack", f"{rule.channel}: reports not read this cycle: {exc}")
            read.unreadable |= {t.key for t, _ in mine}
            continue
        read.reports[rule.channel] = accounts([m for m in listed if not m.by_agent])
        heads = {SlackThread(m.channel, m.ts): m for m in listed}
        for ticket, thread in mine:
            head = heads.get(thread)
            if head is not None and head.latest_reply is None:
                continue  # a report with no reply yet: nothing to read
            try:
                replies = slack.thread_replies(thread.channel, thread.ts)
            except ServiceError as exc:
                read.unreadable.add(ticket.key)
                report.read_error(
                    "slack", f"{ticket.key}: its thread was not read, left for next cycle: {exc}"
                )
                continue
            read.replies[ticket.key] = accounts(replies)
    return read
