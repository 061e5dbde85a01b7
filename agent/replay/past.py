"""A ticket's past, rebuilt from its changelog: the ticket as it was at any moment.

Jira gives a ticket as it is now and a changelog of who changed what, when.
Creation values are not in the changelog, so each attribute starts from the
``from`` of its earliest change (or its value now, when it never changed) and
takes the ``to`` of each later change; labels are replayed as added and
removed sets. Comments and channel messages count from the moment they were
written.

Changes and comments made by the agent's own account are kept apart: the
replay plans on the humans' history, and what the replayed policy would have
changed itself (a priority, a label, a marked comment, a watcher) is added by
the driver as it plans (``record_*``), as the live agent's writes would have
been seen by its next cycle. Not in Jira's history, and so taken as they are
now: sub-tasks, comment edits, summary of sub-tasks. Watchers have no history
either: a replay starts each ticket without any, and only the watchers the
replayed policy adds appear.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from agent.adapters.jira_values import ValueProblem
from agent.core.model import Change, ChatMessage, Comment, FieldChange, Person, Ticket
from agent.core.slack_reports import THREAD_LABEL_PREFIX, report_thread
from agent.replay.values import CUSTOM_PREFIX, PastProblem, ValueReader

_SINGLE = (
    "status",
    "priority",
    "assignee",
    "reporter",
    "resolution",
    "summary",
    "description",
    "issue_type",
    "due_date",
    "original_estimate_seconds",
)
_COUNTS = {"attachment": "attachment_count", "link": "link_count"}


class _Timeline:
    """One attribute's values over time: ``initial`` until the first change."""

    def __init__(self, initial: Any) -> None:
        self.initial = initial
        self.times: list[datetime] = []
        self.values: list[Any] = []

    def add(self, at: datetime, value: Any) -> None:
        index = bisect.bisect_right(self.times, at)
        self.times.insert(index, at)
        self.values.insert(index, value)

    def at(self, moment: datetime) -> Any:
        index = bisect.bisect_right(self.times, moment)
        return self.values[index - 1] if index else self.initial

    def copy(self) -> _Timeline:
        twin = _Timeline(self.initial)
        twin.times, twin.values = list(self.times), list(self.values)
        return twin

    def last_change_at(self, moment: datetime) -> datetime | None:
        index = bisect.bisect_right(self.times, moment)
        return self.times[index - 1] if index else None


@dataclass
class _LabelOps:
    """Labels as a starting set and the additions and removals after it, in order."""

    initial: frozenset[str]
    ops: list[tuple[datetime, frozenset[str], frozenset[str]]] = field(default_factory=list)

    def add(self, at: datetime, added: frozenset[str], removed: frozenset[str]) -> None:
        index = bisect.bisect_right([op[0] for op in self.ops], at)
        self.ops.insert(index, (at, added, removed))

    def at(self, moment: datetime) -> frozenset[str]:
        labels = set(self.initial)
        for at, added, removed in self.ops:
            if at > moment:
                break
            labels -= removed
            labels |= added
        return frozenset(labels)


@dataclass(frozen=True)
class Kept:
    """What the agent's own account did on the ticket (kept out of the replay's history)."""

    comments: int = 0
    changes: int = 0


class TicketPast:
    """One ticket through time. ``at(t)`` is the ticket as the agent would have read it at t
    (with the replayed policy's own effects so far); ``messages_at(t)`` its channel's
    messages by then."""

    def __init__(
        self,
        now: Ticket,
        *,
        reader: ValueReader,
        agent_account: str | None,
        messages: Sequence[ChatMessage] = (),
        agent: Person | None = None,
    ) -> None:
        self.key = now.key
        self.created = now.created
        # A ticket the agent made from a Slack report is made during a cycle, after that
        # cycle read the site: the agent first reads it at the next one.
        self.visible_from = (
            now.created + timedelta(microseconds=1)
            if report_thread(now) is not None
            else now.created
        )
        self.problems: list[PastProblem] = []
        self._now = now
        self._agent = agent or Person(agent_account or "escalation-agent", "escalation-agent")
        mine = [c for c in now.changelog if _by(c.author, agent_account)]
        # the incident thread the agent opened in Slack (its message is on the site for good)
        self.opened_thread = _opened_thread(mine)
        theirs = [c for c in now.changelog if not _by(c.author, agent_account)]
        kept_comments = [c for c in now.comments if c.by_agent]
        self.kept = Kept(comments=len(kept_comments), changes=len(mine))
        self._comments = sorted(
            (c for c in now.comments if not c.by_agent), key=lambda c: (c.created, c.id)
        )
        self._comment_times = [c.created for c in self._comments]
        self._changes = sorted(theirs, key=lambda c: c.created)
        self._change_times = [c.created for c in self._changes]
        self._messages = sorted(messages, key=lambda m: (m.at, m.ts))
        self._message_times = [m.at for m in self._messages]
        self._own_comments: list[Comment] = []
        self._own_changes: list[Change] = []
        self._watchers: list[tuple[datetime, Person]] = []
        self._single: dict[str, _Timeline] = {}
        self._fields: dict[str, _Timeline] = {}
        self._counts: dict[str, tuple[int, list[tuple[datetime, int]]]] = {}
        self._resolved = _Timeline(now.resolved_at if now.resolution is not None else None)
        self._labels = _LabelOps(now.labels)
        self._build(reader, agent_account)
        self._event_times = sorted(
            {now.created, *self._change_times, *self._comment_times, *self._message_times}
        )
        self._cache: tuple[tuple[int, int, int, int], Ticket] | None = None

    # -- building ---------------------------------------------------------------------
    def _build(self, reader: ValueReader, agent_account: str | None) -> None:
        first: dict[str, FieldChange] = {}
        ordered = sorted(self._now.changelog, key=lambda c: c.created)
        for change in ordered:
            for item in change.items:
                attribute = reader.attribute(item)
                if attribute is not None and attribute not in first:
                    first[attribute] = item
        for attribute, item in first.items():
            self._start(reader, attribute, item)
        for change in ordered:
            human = not _by(change.author, agent_account)
            for item in change.items:
                attribute = reader.attribute(item)
                if attribute is None:
                    continue
                if attribute in _COUNTS:
                    self._count(attribute, change.created, item)
                elif human:
                    self._take(reader, attribute, change.created, item)

    def _read(self, reader: ValueReader, attribute: str, raw: str | None, text: str | None) -> Any:
        try:
            return reader.value(attribute, raw, text)
        except ValueProblem as exc:
            self.problems.append(PastProblem(self.key, attribute, str(exc)))
            raise

    def _start(self, reader: ValueReader, attribute: str, item: FieldChange) -> None:
        """The value before the attribute's first change (Jira does not log creation)."""
        if attribute in _COUNTS:
            return
        if attribute == "labels":
            self._labels = _LabelOps(frozenset((item.from_value or "").split()))
            return
        try:
            initial = self._read(reader, attribute, item.from_id, item.from_value)
        except ValueProblem:
            initial = self._current(attribute)
        timeline = _Timeline(initial)
        if attribute.startswith(CUSTOM_PREFIX):
            self._fields[attribute.removeprefix(CUSTOM_PREFIX)] = timeline
        else:
            self._single[attribute] = timeline
        if attribute == "resolution":
            self._resolved = _Timeline(self.created if item.from_value is not None else None)

    def _take(self, reader: ValueReader, attribute: str, at: datetime, item: FieldChange) -> None:
        if attribute == "labels":
            before = frozenset((item.from_value or "").split())
            after = frozenset((item.to_value or "").split())
            self._labels.add(at, after - before, before - after)
            return
        try:
            value = self._read(reader, attribute, item.to_id, item.to_value)
        except ValueProblem:
            return
        self._timeline(attribute).add(at, value)
        if attribute == "resolution":
            self._resolved.add(at, at if value is not None else None)

    def _count(self, attribute: str, at: datetime, item: FieldChange) -> None:
        delta = 1 if item.to_id or item.to_value else -1 if item.from_id or item.from_value else 0
        current, deltas = self._counts.get(attribute, (getattr(self._now, _COUNTS[attribute]), []))
        deltas.append((at, delta))
        self._counts[attribute] = (current, deltas)

    def _timeline(self, attribute: str) -> _Timeline:
        if attribute.startswith(CUSTOM_PREFIX):
            return self._fields[attribute.removeprefix(CUSTOM_PREFIX)]
        return self._single[attribute]

    def _current(self, attribute: str) -> Any:
        if attribute.startswith(CUSTOM_PREFIX):
            return self._now.fields.get(attribute.removeprefix(CUSTOM_PREFIX))
        if attribute == "status":
            return (self._now.status, self._now.status_category)
        return getattr(self._now, attribute)

    def fresh(self) -> TicketPast:
        """This past without anything a replay recorded: each replay of a history (two rule
        sets compared) starts from the humans' history alone."""
        copy = object.__new__(TicketPast)
        copy.__dict__.update(self.__dict__)
        copy._single = {k: v.copy() for k, v in self._single.items()}
        copy._fields = {k: v.copy() for k, v in self._fields.items()}
        copy._labels = _LabelOps(self._labels.initial, list(self._labels.ops))
        copy._resolved = self._resolved.copy()
        copy._own_comments, copy._own_changes, copy._watchers = [], [], []
        copy._cache = None
        return copy

    # -- what the replayed policy changes -------------------------------------------------
    def record_value(self, at: datetime, attribute: str, value: Any, shown: str) -> None:
        """The replayed agent set ``attribute`` (``priority`` or ``field:<name>``) at ``at``."""
        before = self.at(at)
        name = attribute.removeprefix(CUSTOM_PREFIX)
        old = before.priority if attribute == "priority" else before.fields.get(name)
        if attribute not in self._single and not attribute.startswith(CUSTOM_PREFIX):
            self._single[attribute] = _Timeline(self._current(attribute))
        if attribute.startswith(CUSTOM_PREFIX) and name not in self._fields:
            self._fields[name] = _Timeline(self._now.fields.get(name))
        self._timeline(attribute).add(at, value)
        old_text = None if old is None else str(old)
        self._own_change(at, FieldChange(name, old_text, shown))

    def record_labels(self, at: datetime, added: Iterable[str], removed: Iterable[str]) -> None:
        before = self.at(at).labels
        plus, minus = frozenset(added), frozenset(removed)
        self._labels.add(at, plus, minus)
        after = (before - minus) | plus
        old = " ".join(sorted(before)) or None
        self._own_change(at, FieldChange("labels", old, " ".join(sorted(after)) or None))

    def record_comment(self, at: datetime, *, rule: str, key: str) -> None:
        self._own_comments.append(
            Comment(
                id=f"replay-{len(self._own_comments) + 1}",
                author=self._agent,
                created=at,
                body="",
                agent_rule=rule,
                agent_key=key,
                agent_author=True,
            )
        )
        self._cache = None

    def record_watchers(self, at: datetime, people: Iterable[Person]) -> None:
        self._watchers += [(at, p) for p in people]
        self._cache = None

    def _own_change(self, at: datetime, item: FieldChange) -> None:
        self._own_changes.append(Change(self._agent, at, (item,)))
        self._cache = None

    # -- reading ------------------------------------------------------------------------
    def event_times(self) -> list[datetime]:
        """When the humans did something on the ticket (created, changes, comments, messages)."""
        return self._event_times

    def next_event_after(self, moment: datetime) -> datetime | None:
        index = bisect.bisect_right(self._event_times, moment)
        return self._event_times[index] if index < len(self._event_times) else None

    def events_until(self, moment: datetime) -> int:
        """How many human events the ticket had by ``moment`` (included)."""
        return bisect.bisect_right(self._event_times, moment)

    def last_event_at_or_before(self, moment: datetime) -> datetime | None:
        index = bisect.bisect_right(self._event_times, moment)
        return self._event_times[index - 1] if index else None

    def messages_at(self, moment: datetime) -> tuple[ChatMessage, ...]:
        return tuple(self._messages[: bisect.bisect_right(self._message_times, moment)])

    def exists_at(self, moment: datetime) -> bool:
        return self.visible_from <= moment

    def at(self, moment: datetime) -> Ticket:
        """The ticket as it was at ``moment`` (cached while nothing new has happened)."""
        stamp = (
            bisect.bisect_right(self._change_times, moment),
            bisect.bisect_right(self._comment_times, moment),
            len(self._own_changes) + len(self._own_comments) + len(self._watchers),
            sum(1 for c in self._own_changes if c.created <= moment),
        )
        if self._cache is not None and self._cache[0] == stamp:
            return self._cache[1]
        ticket = self._rebuild(moment, stamp[0], stamp[1])
        self._cache = (stamp, ticket)
        return ticket

    def _value(self, attribute: str, moment: datetime) -> Any:
        timeline = self._single.get(attribute)
        return timeline.at(moment) if timeline is not None else self._current(attribute)

    def _rebuild(self, moment: datetime, changes: int, comments: int) -> Ticket:
        now = self._now
        status, category = self._value("status", moment)
        own_comments = [c for c in self._own_comments if c.created <= moment]
        own_changes = [c for c in self._own_changes if c.created <= moment]
        history = sorted([*self._changes[:changes], *own_changes], key=lambda c: c.created)
        said = sorted([*self._comments[:comments], *own_comments], key=lambda c: (c.created, c.id))
        resolved = self._resolved.at(moment) if category == "done" else None
        if category == "done" and resolved is None:
            status_line = self._single.get("status")
            resolved = status_line.last_change_at(moment) if status_line else now.resolved_at
        fields = dict(now.fields)
        for name, timeline in self._fields.items():
            fields[name] = timeline.at(moment)
        touched = [now.created, *(c.created for c in history), *(c.created for c in said)]
        counts = {
            _COUNTS[a]: initial
            - sum(d for _at, d in deltas)
            + sum(d for at, d in deltas if at <= moment)
            for a, (initial, deltas) in self._counts.items()
        }
        return replace(
            now,
            summary=self._value("summary", moment) or "",
            issue_type=self._value("issue_type", moment) or now.issue_type,
            status=status,
            status_category=category,
            updated=max(touched),
            priority=self._value("priority", moment),
            labels=self._labels.at(moment),
            assignee=self._value("assignee", moment),
            reporter=self._value("reporter", moment),
            resolution=self._value("resolution", moment),
            resolved_at=resolved,
            due_date=self._value("due_date", moment),
            original_estimate_seconds=self._value("original_estimate_seconds", moment),
            description=self._value("description", moment),
            fields=fields,
            comments=tuple(said),
            changelog=tuple(history),
            watchers=tuple(p for at, p in self._watchers if at <= moment),
            attachment_count=max(0, counts.get("attachment_count", now.attachment_count)),
            link_count=max(0, counts.get("link_count", now.link_count)),
        )


def _by(author: Person | None, account: str | None) -> bool:
    return author is not None and account is not None and author.account_id == account


def _opened_thread(mine: Sequence[Change]) -> str | None:
    """The ``slack-thread-...`` label the agent's own account put on the ticket, if any."""
    for change in sorted(mine, key=lambda c: c.created):
        for item in change.items:
            if item.field.casefold() != "labels":
                continue
            added = set((item.to_value or "").split()) - set((item.from_value or "").split())
            for label in sorted(added):
                if label.startswith(THREAD_LABEL_PREFIX):
                    return label
    return None
