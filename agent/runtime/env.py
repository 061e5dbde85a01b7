"""What an action handler gets: the adapters, the renderer, and what the cycle learned so far.

Handlers are functions ``(action, env, reconcile) -> external_ref``. With
``reconcile`` the effect may already exist (a claim expired mid-effect after a
crash): the handler looks for its marker first and only acts if it is absent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.adapters.confluence_port import ConfluencePort
from agent.adapters.jira_port import JiraPort
from agent.adapters.slack_port import SlackPort
from agent.core.actions import PlannedAction, Recipient
from agent.core.rules.base import iso
from agent.core.state import EngineState
from agent.runtime.ports import TemplateRenderer
from agent.store import EffectStatus, JsonDoc, StateStore

log = logging.getLogger(__name__)


class ActionError(Exception):
    """An action cannot be carried out now; the message says why and what would fix it."""


@dataclass
class ActionEnv:
    """Shared by the handlers during one cycle's execution."""

    jira: JiraPort
    slack: SlackPort
    confluence: ConfluencePort | None
    renderer: TemplateRenderer
    store: StateStore
    state: EngineState
    confluence_space: str
    timezone: str = "UTC"
    learned_channels: dict[str, str] = field(default_factory=dict)
    refs: dict[str, JsonDoc] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    user_map: Mapping[str, str] = field(default_factory=dict)  # AGENT_USER_MAP

    def ticket_problem(self, action: PlannedAction, message: str) -> None:
        """A fact only a human can fix, met while acting; the cycle's report lists it."""
        self.problems.append(f"{action.issue or action.policy} [{action.rule}]: {message}")

    # -- what earlier actions produced -------------------------------------------------
    def ref_of(self, key: str) -> JsonDoc | None:
        """The external reference of a done action (this cycle or an earlier one)."""
        if key in self.refs:
            return self.refs[key]
        record = self.store.get_effect(key)
        if record is None or record.status is not EffectStatus.DONE:
            return None
        return record.external_ref

    def channel_of(self, issue: str) -> str | None:
        """The escalation channel id of ``issue``, if known."""
        if issue in self.learned_channels:
            return self.learned_channels[issue]
        ticket = self.state.ticket(issue)
        return ticket.channel_id if ticket is not None else None

    # -- people ----------------------------------------------------------------------
    def slack_id(self, person: Recipient) -> str | None:
        """A person's Slack id: ``AGENT_USER_MAP`` first (by Jira account id or email),
        then Slack's lookup by email; None for groups and people without Slack."""
        if person.account_id and person.account_id in self.user_map:
            return self.user_map[person.account_id]
        if person.email is None:
            return None
        mapped = self.user_map.get(person.email.lower())
        return mapped or self.slack.user_id_for_email(person.email)

    # -- rendering ---------------------------------------------------------------------
    def render(self, action: PlannedAction, template: str | None = None) -> str:
        name = template or action.template
        if name is None:
            raise ActionError(f"{action.key}: a {action.kind.value} action needs a template")
        return self.renderer.render(name, self.context_for(action, slack=name.startswith("slack/")))

    def context_for(self, action: PlannedAction, *, slack: bool) -> dict[str, Any]:
        """The action's context plus what only the executor knows (ids, names, links).

        For Slack, ``mentions`` holds the Slack ids of the audience who have one and
        ``people`` the names of the others (shown as plain text); for Jira, ``people``
        names everyone. ``recipients`` has the full detail for custom templates.
        """
        data = dict(action.context)
        recipients: list[dict[str, Any]] = []
        mentions: list[str] = []
        names: list[str] = []
        for person in action.audience:
            slack_id = self.slack_id(person) if slack else None
            if slack_id:
                mentions.append(slack_id)
            else:
                names.append(person.label)
            recipients.append(
                {
                    "name": person.label,
                    "role": person.role,
                    "email": person.email,
                    "account_id": person.account_id,
                    "group": person.group,
                    "slack_id": slack_id,
                }
            )
        extra: dict[str, Any] = {
            "key": action.key,
            "rule": action.rule,
            "policy": action.policy,
            "reason": action.reason,
            "due": iso(action.due),
            "urgent": action.urgent,
            "people": names,
            "mentions": mentions,
            "recipients": recipients,
            "ticket_url": data.get("url", ""),
            "timezone": self.timezone,
        }
        if action.issue is not None:
            extra["issue"] = action.issue
            channel_id = self.channel_of(action.issue)
            if channel_id is not None:
                extra["channel_id"] = channel_id
        for name, value in extra.items():
            data.setdefault(name, value)
        return data


Handler = Callable[[PlannedAction, ActionEnv, bool], JsonDoc]
