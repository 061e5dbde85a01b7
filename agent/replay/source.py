"""Reading the window's history from Jira and Slack, through ports that cannot write.

A replay reads the tickets each policy could have governed during the window
(its projects and issue types, created before the window ends and not resolved
before it starts), with their comments and changelog, and the escalation
channel's messages where a policy counts them as updates (as far back as the
workspace's history goes). Nothing else. The ports here wrap the adapters and
expose their read methods only, so nothing in ``agent.replay`` can call a write;
the sandbox's request log of a replay shows no write (``tests/replay``).

Selection on fields that change (priority, labels, filled fields) is left to
the planner, which applies each policy's ``select:`` to the ticket as it was at
each moment; the search is only as narrow as what cannot change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from agent.adapters.jira_jql import window_jql
from agent.adapters.jira_port import FieldInfo
from agent.adapters.service_errors import ServiceError
from agent.core.answers import intake_channel
from agent.core.model import ChatMessage, Person, Ticket
from agent.core.names import ticket_people
from agent.core.routing import escalation_channel_name
from agent.core.slack_reports import SlackThread, incident_thread
from agent.policy import Policy
from agent.policy.rule_models import SlackIntake
from agent.replay.past import TicketPast
from agent.replay.values import People, Statuses, ValueReader
from agent.runtime.read.reader import DETAIL_WORKERS, fields_to_fetch

if TYPE_CHECKING:
    from agent.adapters.jira_adapter import JiraAdapter
    from agent.adapters.slack_adapter import SlackAdapter

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


class JiraHistory(Protocol):
    """What a replay reads from Jira. There is no write method to call."""

    def myself(self) -> Person: ...

    def user_zone(self) -> ZoneInfo: ...

    def statuses(self) -> list[tuple[str, str, str]]: ...

    def field_infos(self, names: Sequence[str]) -> dict[str, FieldInfo]: ...

    def search(self, jql: str, field_names: Sequence[str]) -> Iterator[Ticket]: ...

    def with_details(self, ticket: Ticket) -> Ticket: ...


class SlackHistory(Protocol):
    """What a replay reads from Slack: a channel's or a thread's people's messages. Nothing
    else."""

    def channel_messages(self, name: str, oldest: datetime) -> list[ChatMessage]: ...

    def thread_messages(self, thread: SlackThread) -> list[ChatMessage]: ...

    def top_level_messages(self, name: str, oldest: datetime) -> list[ChatMessage]: ...


class ReadOnlyJira:
    """The read methods of a :class:`JiraAdapter`, and only those."""

    def __init__(self, adapter: JiraAdapter) -> None:
        self.__adapter = adapter

    def myself(self) -> Person:
        return self.__adapter.myself()

    def user_zone(self) -> ZoneInfo:
        return self.__adapter.user_zone()

    def statuses(self) -> list[tuple[str, str, str]]:
        return self.__adapter.statuses()

    def field_infos(self, names: Sequence[str]) -> dict[str, FieldInfo]:
        return self.__adapter.catalogue().resolve_all(names)

    def search(self, jql: str, field_names: Sequence[str]) -> Iterator[Ticket]:
        return self.__adapter.search(jql, field_names)

    def with_details(self, ticket: Ticket) -> Ticket:
        return self.__adapter.with_details(ticket)


class ReadOnlySlack:
    """Reads an escalation channel's messages by the channel's name; nothing else."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.__adapter = adapter
        self.__ids: dict[str, str] | None = None
        self.__lock = threading.Lock()

    def channel_messages(self, name: str, oldest: datetime) -> list[ChatMessage]:
        """The people's messages in ``#name``; [] when the bot sees no such channel."""
        channel_id = self._channel_id(name)
        if channel_id is None:
            return []
        return self.__adapter.channel_messages(channel_id, oldest)

    def thread_messages(self, thread: SlackThread) -> list[ChatMessage]:
        """The people's replies in an incident's thread (the channel by id)."""
        return self.__adapter.thread_replies(thread.channel, thread.ts)

    def top_level_messages(self, name: str, oldest: datetime) -> list[ChatMessage]:
        """The people's top-level messages in ``#name`` since ``oldest`` (a ``slack_intake``
        channel's reports), every page of ``conversations.history``; [] when the bot sees
        no such channel."""
        channel_id = self._channel_id(name)
        return [] if channel_id is None else self.__adapter.top_level_messages(channel_id, oldest)

    def _channel_id(self, name: str) -> str | None:
        with self.__lock:  # the channel list is read once, by the first reader thread
            if self.__ids is None:
                self.__ids = self.__adapter.visible_channels()
            return self.__ids.get(name)


@dataclass(frozen=True)
class Window:
    """The replayed stretch of time, ``start`` included, ``end`` excluded (aware)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a replay window needs times with a time zone")
        if self.end <= self.start:
            raise ValueError("the replay window ends before it starts")


@dataclass
class History:
    """The tickets read for a window, each as a :class:`TicketPast`, and what went wrong."""

    tickets: list[TicketPast]
    agent: Person
    problems: list[str] = field(default_factory=list)
    channels_read: int = 0
    # Top-level messages of each ``slack_intake`` channel (``#name``) in the window: the
    # reports the replayed policies turn into tickets.
    reports: dict[str, list[ChatMessage]] = field(default_factory=dict)


def read_history(
    jira: JiraHistory,
    slack: SlackHistory | None,
    policies: Sequence[Policy],
    window: Window,
    *,
    progress: Progress | None = None,
    workers: int = DETAIL_WORKERS,
) -> History:
    """Every ticket the policies could have governed in the window, with its past.

    Raises the adapters' ``ServiceError`` when Jira cannot be searched; a ticket whose
    details or channel cannot be read is left out or read without messages, and said."""
    agent = jira.myself()
    zone = jira.user_zone()
    problems: list[str] = []
    found: dict[str, Ticket] = {}
    names: set[str] = set()
    for policy in policies:
        wanted = fields_to_fetch(policy)
        names.update(wanted)
        for ticket in jira.search(
            window_jql(policy.select, window.start, window.end, zone), wanted
        ):
            seen = found.get(ticket.key)
            found[ticket.key] = (
                ticket if seen is None else replace(seen, fields={**seen.fields, **ticket.fields})
            )
    infos = jira.field_infos(sorted(n for n in names if n.lower() != "description"))
    statuses = jira.statuses()
    detailed = _details(
        jira,
        slack,
        policies=policies,
        tickets=list(found.values()),
        problems=problems,
        progress=progress,
        workers=workers,
    )
    people = People()
    for ticket, _messages_read in detailed:
        people.add(ticket_people(ticket))
    people.add([agent])
    reader = ValueReader(
        infos,
        people,
        Statuses(
            {sid: category for sid, _name, category in statuses},  # type: ignore[misc]
            {name.casefold(): category for _sid, name, category in statuses},  # type: ignore[misc]
        ),
    )
    pasts: list[TicketPast] = []
    for ticket, messages in detailed:
        past = TicketPast(
            ticket, reader=reader, agent_account=agent.account_id, messages=messages, agent=agent
        )
        problems += [str(p) for p in past.problems]
        pasts.append(past)
    channels = sum(1 for _ticket, messages in detailed if messages)
    pasts.sort(key=lambda p: (p.created, p.key))
    reports = _reports(slack, policies, window, problems)
    return History(pasts, agent, problems, channels, reports)


def _reports(
    slack: SlackHistory | None, policies: Sequence[Policy], window: Window, problems: list[str]
) -> dict[str, list[ChatMessage]]:
    """Each ``slack_intake`` channel's top-level messages in the window (read once each)."""
    found: dict[str, list[ChatMessage]] = {}
    if slack is None:
        return found
    for policy in policies:
        for rule in policy.rules:
            if not isinstance(rule, SlackIntake) or rule.channel in found:
                continue
            name = rule.channel.removeprefix("#")
            try:
                listed = slack.top_level_messages(name, window.start)
            except ServiceError as exc:
                problems.append(f"{rule.channel}: reports not read, replayed without them: {exc}")
                continue
            found[rule.channel] = [m for m in listed if m.at < window.end and not m.by_agent]
    return found


def _details(
    jira: JiraHistory,
    slack: SlackHistory | None,
    *,
    policies: Sequence[Policy],
    tickets: list[Ticket],
    problems: list[str],
    progress: Progress | None,
    workers: int,
) -> list[tuple[Ticket, list[ChatMessage]]]:
    """Each ticket's comments, changelog and channel messages, read in parallel (Jira has
    no bulk read); a ticket whose history cannot be read is left out and said."""

    def one(ticket: Ticket) -> tuple[Ticket, list[ChatMessage], list[str]] | ServiceError:
        try:
            detailed = jira.with_details(ticket)
        except ServiceError as exc:
            return exc
        said: list[str] = []
        messages = _messages(slack, policies, detailed, said)
        return detailed, messages, said

    done: list[tuple[Ticket, list[ChatMessage]]] = []
    with ThreadPoolExecutor(max(1, workers), thread_name_prefix="replay-read") as pool:
        for index, (ticket, outcome) in enumerate(
            zip(tickets, pool.map(one, tickets), strict=True)
        ):
            if isinstance(outcome, ServiceError):
                problems.append(f"{ticket.key}: left out, its history could not be read: {outcome}")
            else:
                detailed, messages, said = outcome
                done.append((detailed, messages))
                problems += said
            if progress is not None:
                progress(index + 1, len(tickets))
    return done


def _messages(
    slack: SlackHistory | None, policies: Sequence[Policy], ticket: Ticket, problems: list[str]
) -> list[ChatMessage]:
    """The escalation channel's (or incident thread's) people's messages, where a policy
    counts them as updates."""
    readers = [
        p
        for p in policies
        if "channel_message" in p.updates.sources and ticket.project in p.select.projects
    ]
    if slack is None or not readers:
        return []
    thread = incident_thread(ticket)
    if thread is not None and intake_channel(readers[0], ticket.project) is not None:
        try:
            return slack.thread_messages(thread)
        except ServiceError as exc:
            problems.append(
                f"{ticket.key}: its Slack thread could not be read, replayed without it: {exc}"
            )
            return []
    name = escalation_channel_name(readers[0], ticket)
    if name is None:
        return []
    try:
        return slack.channel_messages(name, ticket.created)
    except ServiceError as exc:
        problems.append(f"{ticket.key}: #{name} could not be read, replayed without it: {exc}")
        return []
