"""When a ticket must be planned again: the next moment anything can change for it.

Planning every ticket at every ``--every`` step is what the live agent does,
and over a quarter of a busy project it is a hundred thousand plans. Between
two such moments nothing can change for a ticket, so the replay plans it only
at the moments where something can (each rounded up to the next step, where
the live agent would have noticed it):

- the ticket's own events (a change, a comment, a channel message);
- the due time of each obligation it still owes (and its heads-up, ``warn_before``
  ahead of it), and for an overdue one, its repeats and escalation-chain steps (or,
  while its nudge waits for business hours, their opening: nothing of it goes before);
- while it is open: the policy's business-hours opening and closing, local
  midnight, and every local time of day a rule names (``at:``). A resolved
  ticket that still owes paperwork is woken by its items' own times (above)
  alone: what a closed ticket owes does not move with the time of day, and
  waking it ten times a day for the rest of the window was most of a long
  replay's plans;
- every duration named by a rule that declares no obligation (``call_needed``'s
  ``after:``, say) after each of the ticket's events: a rule that does declare
  obligations says when they fall due, and that is already a wake-up.

Rule models are read generically (their time and duration values), so a new
rule's times are included without listing it here. ``--exact`` plans every
ticket at every step instead, and ``tests/replay`` checks that both agree.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel

from agent.policy import Policy
from agent.policy.calendars import calendar_for
from agent.policy.rule_models import ChainStep, Repeating
from agent.replay.kinds import kind_of
from agent.replay.owed import Owed, Standing
from agent.timekeeping.calendar import BusinessCalendar

MAX_CHAIN_DEPTH = 10
_NEXT = timedelta(microseconds=1)  # rounded up to the next step by the driver


def _walk(value: object, times: set[time], durations: set[timedelta]) -> None:
    if isinstance(value, time):
        times.add(value)
    elif isinstance(value, timedelta):
        durations.add(value)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _walk(getattr(value, name), times, durations)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, times, durations)


@dataclass(frozen=True)
class PolicyClock:
    """What a policy's rules say about time, gathered once per replay."""

    policy: Policy
    calendar: BusinessCalendar
    times_of_day: tuple[time, ...]
    durations: tuple[timedelta, ...]
    repeats: dict[str, timedelta]
    chains: dict[str, tuple[timedelta, ...]]
    warns: dict[str, timedelta]
    _days: dict[date, list[datetime]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, policy: Policy) -> PolicyClock:
        calendar = calendar_for(policy)
        times: set[time] = {time(0), calendar.hours.start, calendar.hours.end}
        durations: set[timedelta] = set()
        repeats: dict[str, timedelta] = {}
        chains: dict[str, tuple[timedelta, ...]] = {}
        warns: dict[str, timedelta] = {}
        for rule in policy.rules:
            _walk(rule, times, durations if kind_of(rule) is None else set())
            if isinstance(rule, Repeating):
                if rule.repeat is not None:
                    repeats[rule.ident] = rule.repeat
                if rule.warn_before is not None:
                    warns[rule.ident] = rule.warn_before
                chains[rule.ident] = _chain_offsets(policy, rule)
        for rule in policy.rules:  # a slot's grace moves its due time
            grace = getattr(rule, "grace", None)
            if not isinstance(grace, timedelta):
                continue
            slots: set[time] = set()
            _walk(rule, slots, set())
            for at in slots:
                moved = datetime.combine(date(2000, 1, 3), at) + grace
                times.add(moved.time())
        return cls(
            policy,
            calendar,
            tuple(sorted(times)),
            tuple(sorted(d for d in durations if d > timedelta(0))),
            repeats,
            chains,
            warns,
        )

    def next_time_of_day(self, now: datetime) -> datetime:
        """The first moment after ``now`` that is one of the policy's local times of day."""
        day = self.calendar.local(now).date()
        for offset in (0, 1, 2):
            moments = self._moments(day + timedelta(days=offset))
            index = bisect.bisect_right(moments, now)
            if index < len(moments):
                return moments[index]
        return now + timedelta(days=1)

    def _moments(self, day: date) -> list[datetime]:
        """The policy's times of day on a local day, as sorted moments (asked for often)."""
        moments = self._days.get(day)
        if moments is None:
            moments = sorted(self.calendar.at_local(day, at) for at in self.times_of_day)
            self._days[day] = moments
        return moments


def _chain_offsets(policy: Policy, rule: Repeating) -> tuple[timedelta, ...]:
    """When each step of the rule's escalation chain fires, after the due time."""
    steps = list(rule.chain) + list(policy.chains.get(rule.chain_ref or "", []))
    found: list[timedelta] = []
    _flatten(policy, steps, timedelta(0), found, 0)
    return tuple(sorted(found))


def _flatten(
    policy: Policy, steps: Iterable[ChainStep], offset: timedelta, out: list[timedelta], depth: int
) -> None:
    if depth > MAX_CHAIN_DEPTH:
        return
    for step in steps:
        out.append(offset + step.after)
        if step.then:
            _flatten(policy, policy.chains.get(step.then, []), offset + step.after, out, depth + 1)


def next_wake(
    now: datetime,
    clock: PolicyClock,
    *,
    events: list[datetime],
    owed: Iterable[Owed],
    engaged: bool,
    nudged: AbstractSet[datetime] = frozenset(),
) -> datetime | None:
    """The next moment after ``now`` something can change for the ticket (None: never).

    ``events`` are the ticket's human events, sorted; ``engaged`` says it is open;
    ``nudged`` holds the due times of the actions planned for it at ``now``. An
    overdue item nudged now for the first time (an action due when it is) repeats
    and climbs its chain from the next cycle on, at once for the repeats and steps
    whose time has already come (after a night of quiet hours, say), so the next
    step is a wake-up then."""
    candidates: list[datetime] = []
    index = bisect.bisect_right(events, now)
    if index < len(events):
        candidates.append(events[index])
    for item in owed:
        if item.due > now:
            candidates.append(item.due)
            warn = clock.warns.get(item.rule)
            if warn is not None:
                candidates.append(item.due - warn)
        elif item.standing is Standing.OVERDUE and item.waits_until is not None:
            candidates.append(item.waits_until)  # quiet hours: its repeats wait as well
        elif item.standing is Standing.OVERDUE:
            candidates += _overdue_times(now, clock, item)
            if item.due in nudged and _caught_up(now, clock, item):
                candidates.append(now + _NEXT)
    if engaged:
        candidates.append(clock.next_time_of_day(now))
        for event in events[:index]:
            for duration in clock.durations:
                if event + duration > now:
                    candidates.append(event + duration)
    later = [c for c in candidates if c > now]
    return min(later) if later else None


def _caught_up(now: datetime, clock: PolicyClock, item: Owed) -> bool:
    """Whether a repeat or a chain step of the item is already due at ``now``."""
    every = clock.repeats.get(item.rule)
    if every is not None and every > timedelta(0) and item.due + every <= now:
        return True
    return any(item.due + offset <= now for offset in clock.chains.get(item.rule, ()))


def _overdue_times(now: datetime, clock: PolicyClock, item: Owed) -> list[datetime]:
    found = [
        item.due + offset for offset in clock.chains.get(item.rule, ()) if item.due + offset > now
    ]
    every = clock.repeats.get(item.rule)
    if every is not None and every > timedelta(0):
        count = int((now - item.due) / every) + 1
        found.append(item.due + count * every)
    return found
