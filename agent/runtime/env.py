"""What an action handler gets: the adapters, the renderer, and what the cycle learned so far.

Handlers are functions ``(action, env, reconcile) -> external_ref``. With
``reconcile`` the effect may already exist (a claim expired mid-effect after a
crash): the handler looks for its marker first and only acts if it is absent.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.adapters.confluence_port import ConfluencePort
from agent.adapters.jira_port import JiraPort
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_identity import slack_match
from agent.adapters.slack_port import PostedMessage, SlackPort
from agent.core.actions import PlannedAction, Recipient
from agent.core.keys import ActionKey
from agent.core.model import Person
from agent.core.rules.base import iso
from agent.core.state import EngineState
from agent.render.escaping import slack_mention
from agent.runtime.ports import PeopleByEmail, TemplateRenderer
from agent.store import EffectStatus, JsonDoc, StateStore

log = logging.getLogger(__name__)
_SUBTEAM_ID = re.compile(r"S[A-Z0-9]{2,}")


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
    timezone: str = "UTC"  # AGENT_TIMEZONE: for policies with no zone in policy_zones
    policy_zones: Mapping[str, str] = field(default_factory=dict)  # policy name -> its zone
    learned_channels: dict[str, str] = field(default_factory=dict)
    refs: dict[str, JsonDoc] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    user_map: Mapping[str, str] = field(default_factory=dict)  # AGENT_USER_MAP
    # Channels created in this cycle: none can hold a message of ours yet.
    created_channels: set[str] = field(default_factory=set)
    # Escalation channels found archived in this cycle: issue -> channel id.
    archived_channels: dict[str, str] = field(default_factory=dict)
    # The agent's messages found in a channel this cycle, by their key (see ``find_marker``).
    _markers: dict[str, dict[str, PostedMessage]] = field(default_factory=dict, repr=False)
    _marker_locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    # User groups' members, read once per cycle (usergroups.users.list is Tier 2).
    _group_members: dict[str, tuple[str, ...] | None] = field(default_factory=dict, repr=False)
    # Jira users found by email this cycle (lower-cased address -> the one user, or None).
    _people_by_email: dict[str, Person | None] = field(default_factory=dict, repr=False)
    # The executor's lanes share this env from several threads: what they add to
    # ``refs`` and ``problems`` goes through the lock. (Each lane owns its issues,
    # so no two threads write the same ``refs`` key or ``learned_channels`` issue.)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def ticket_problem(self, action: PlannedAction, message: str) -> None:
        """A fact only a human can fix, met while acting; the cycle's report lists it."""
        with self._lock:
            self.problems.append(f"{action.issue or action.policy} [{action.rule}]: {message}")

    def remember_ref(self, key: str, ref: JsonDoc) -> None:
        """Where a done action landed, for later actions of this cycle (``ref_of``)."""
        with self._lock:
            self.refs[key] = ref

    def take_problems(self) -> list[str]:
        """The problems met so far, handed over once (the executor moves them to the report)."""
        with self._lock:
            taken = list(self.problems)
            self.problems.clear()
        return taken

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
        """The escalation channel id of ``issue``, if known (never one found archived)."""
        found = self.learned_channels.get(issue)
        if found is None:
            ticket = self.state.ticket(issue)
            found = ticket.channel_id if ticket is not None else None
        return None if found == self.archived_channels.get(issue) else found

    def channel_created(self, channel_id: str) -> None:
        with self._lock:
            self.created_channels.add(channel_id)

    def channel_archived(self, issue: str, channel_id: str) -> None:
        """``issue``'s escalation channel was found archived: the executor records it in
        the state, and the next plan opens a successor."""
        with self._lock:
            self.archived_channels[issue] = channel_id

    def is_archived(self, issue: str | None, channel_id: str) -> bool:
        """Whether ``channel_id`` is one of ``issue``'s escalation channels found archived."""
        if issue is None:
            return False
        if self.archived_channels.get(issue) == channel_id:
            return True
        ticket = self.state.ticket(issue)
        return ticket is not None and channel_id in ticket.archived_channels

    # -- the agent's own messages ----------------------------------------------------
    def find_marker(self, channel: str, key: str) -> PostedMessage | None:
        """The agent's message with ``key`` in ``channel``, if it was posted.

        Read at most once per channel and cycle (``conversations.history`` is Tier 3, and
        after a crash or at first contact every post asks), never for a channel made in
        this cycle; what is posted meanwhile is added by ``remember_marker``.
        """
        if channel in self.created_channels:
            return None
        with self._lock:
            lock = self._marker_locks.setdefault(channel, threading.Lock())
        with lock:
            if channel not in self._markers:
                self._markers[channel] = dict(self.slack.marked_messages(channel))
            return self._markers[channel].get(key)

    def remember_marker(self, key: str, posted: PostedMessage) -> None:
        with self._lock:
            known = self._markers.get(posted.channel)
        if known is not None:
            known[key] = posted

    # -- people ----------------------------------------------------------------------
    def slack_id(self, person: Recipient) -> str | None:
        """A person's Slack id: ``AGENT_USER_MAP`` first (by Jira account id or email),
        then Slack's lookup by email; None for groups and people without Slack."""
        if person.group is not None:
            return None
        found = slack_match(
            person.account_id, person.email, self.user_map, self.slack.user_id_for_email
        )
        return found.slack_id

    def jira_person(self, email: str) -> Person | None:
        """The one active Jira user with ``email``, asked once a cycle per address; None when
        Jira has none or several, or this Jira adapter cannot search users."""
        wanted = email.strip().lower()
        with self._lock:
            if wanted in self._people_by_email:
                return self._people_by_email[wanted]
        if not isinstance(self.jira, PeopleByEmail):
            return None
        try:
            people = self.jira.people_with_email(email.strip())
        except ServiceError as exc:
            log.warning("could not look up %s in Jira (%s); named by address", wanted, exc)
            return None
        found = people[0] if len(people) == 1 else None
        with self._lock:
            self._people_by_email[wanted] = found
        return found

    def name_of(self, person: Recipient) -> str:
        """How text names a person: their Jira display name, looked up by email for people
        a policy names by address only (``email:...``); the address only when Jira knows
        nobody by it."""
        if person.display_name or person.group or not person.email:
            return person.label
        found = self.jira_person(person.email)
        return found.display_name if found is not None and found.display_name else person.label

    def group_members(self, handle: str) -> tuple[str, ...] | None:
        """The Slack ids in user group ``handle`` (None: no such group), read once a cycle:
        on-call rotations change by the hour, a cycle takes minutes at most."""
        with self._lock:
            if handle in self._group_members:
                return self._group_members[handle]
        members = self.slack.usergroup_members(handle)
        with self._lock:
            self._group_members[handle] = members
        return members

    def group_id(self, person: Recipient) -> str | None:
        """The Slack id of a user-group recipient (``S...``), for a ``<!subteam^ID>`` mention;
        None for people and for a handle Slack does not know (then named as plain text)."""
        if person.group is None:
            return None
        found = self.slack.usergroup_id(person.group)
        return found if found is not None and _SUBTEAM_ID.fullmatch(found) else None

    # -- rendering ---------------------------------------------------------------------
    def render(self, action: PlannedAction, template: str | None = None, **extra: object) -> str:
        """The action's template (or ``template``) with its context, plus ``extra`` data."""
        name = template or action.template
        if name is None:
            raise ActionError(f"{action.key}: a {action.kind.value} action needs a template")
        context = self.context_for(action, slack=name.startswith("slack/"))
        context.update(extra)
        return self.renderer.render(name, context)

    def context_for(self, action: PlannedAction, *, slack: bool) -> dict[str, Any]:
        """The action's context plus what only the executor knows (ids, names, links).

        For Slack, ``mentions`` holds the Slack ids of the audience who have one,
        ``group_mentions`` the ids of their user groups, and ``people`` the names of the
        others (shown as plain text); for Jira, ``people``
        names everyone. ``recipients`` has the full detail for custom templates.
        """
        data = dict(action.context)
        recipients: list[dict[str, Any]] = []
        mentions: list[str] = []
        names: list[str] = []
        group_mentions: list[str] = []  # user group ids, shown as <!subteam^ID>
        for person in action.audience:
            slack_id = self.slack_id(person) if slack else None
            group_id = self.group_id(person) if slack else None
            if slack_id:
                mentions.append(slack_id)
            elif group_id:
                group_mentions.append(group_id)
            else:
                names.append(self.name_of(person))
            recipients.append(
                {
                    "name": self.name_of(person),
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
            "group_mentions": group_mentions,
            "recipients": recipients,
            "ticket_url": data.get("url", ""),
            "timezone": self.policy_zones.get(action.policy, self.timezone),
        }
        if action.issue is not None:
            extra["issue"] = action.issue
            channel_id = self.channel_of(action.issue)
            if channel_id is not None:
                extra["channel_id"] = channel_id
                if not slack:  # Jira comments link the channel by its web address
                    extra["channel_url"] = self.slack.channel_url(channel_id)
        for name, value in extra.items():
            data.setdefault(name, value)
        self._link_page(data)
        self._name_channel(data)
        self._name_author(data)
        if "repeat" in data:
            data["repeat"] = self._reminder_number(action)
        if isinstance(data.get("participants"), list):
            data["participants"] = self._participants(action, data["participants"], slack=slack)
        return data

    def _reminder_number(self, action: PlannedAction) -> int:
        """Which reminder this is in its thread, counting the ones sent (the core's count is
        of intervals elapsed, which a late first look or quiet hours make larger)."""
        if action.issue is None:
            return 1
        thread = action.thread_of or ActionKey.parse(action.key)
        sent = {
            record.key
            for record in self.store.effects_for_issue(action.issue)
            if record.key != action.key
            and record.status is EffectStatus.DONE
            and _repeats_in(ActionKey.parse(record.key), thread)
        }
        return len(sent) + 1

    def _participants(self, action: PlannedAction, labels: list[Any], *, slack: bool) -> list[Any]:
        """People asked to a call: in Slack a ``<@U...>`` mention for those with an account;
        else their name (``name_of``), never an address when Jira knows the name."""
        by_label = {person.label: person for person in action.audience}
        shown: list[Any] = []
        for label in labels:
            person = by_label.get(str(label))
            if person is None:
                shown.append(label)
                continue
            slack_id = self.slack_id(person) if slack else None
            shown.append(slack_mention(slack_id) if slack_id else self.name_of(person))
        return shown

    def _name_author(self, data: dict[str, Any]) -> None:
        """A reply copied from Slack whose author the ticket does not know by name (the core
        names them by address then): their Jira display name when Jira knows the address."""
        email = data.get("copied_author_email")
        if not isinstance(email, str) or not email or data.get("copied_author") != email:
            return
        found = self.jira_person(email)
        if found is not None and found.display_name:
            data["copied_author"] = found.display_name

    def _name_channel(self, data: dict[str, Any]) -> None:
        """The escalation channel by the name it got (``-2`` when the planned one was taken
        or archived), once the action that made it is done (``channel_action``)."""
        made = data.get("channel_action")
        ref = self.ref_of(str(made)) if made else None
        if ref and ref.get("name"):
            data["channel_name"] = str(ref["name"])

    def _link_page(self, data: dict[str, Any]) -> None:
        """Give ``page`` (a message announcing a page planned earlier) the page's web address.

        The page action runs first in the plan; its external ref holds ``url``. A page
        that is not written yet leaves the message naming it by title and space.
        """
        page = data.get("page")
        if not isinstance(page, Mapping) or page.get("url") or not page.get("key"):
            return
        ref = self.ref_of(str(page["key"]))
        url = (ref or {}).get("url")
        if url:
            data["page"] = {**page, "url": str(url)}


Handler = Callable[[PlannedAction, ActionEnv, bool], JsonDoc]


def _repeats_in(key: ActionKey, thread: ActionKey) -> bool:
    """Whether ``key`` is a reminder (``<anchor>:repeat@<slot>``) in the place of ``thread``
    (the anchor's post there; any place when it names none)."""
    return (
        key.rule == thread.rule
        and key.owner == thread.owner
        and key.slot.startswith(f"{thread.slot}:repeat@")
        and (thread.where is None or key.where == thread.where)
    )
