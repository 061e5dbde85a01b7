"""The replay loop: the planner run over the window on the rebuilt past, as the agent would have.

Time moves in steps of ``every`` from the window's start, as the live agent's
cycles do. At each step the tickets that can change then (``wakeups``) are
rebuilt as they were and planned together, with an in-memory state and each
policy's first contact at the window's start: tickets resolved before the
window are history, and an item already overdue when the window opens gets its
one nudge, as on a real first run. Every planned action is taken as done at
once, and its effect on the ticket (a priority, a label, a marked comment, a
watcher, a channel) is seen from the next step on. A policy with escalation
limits plans all its open escalations together, as its limits weigh them
against each other; a policy with a weekly digest is also planned at its
local times, so the digest goes out on time with every open escalation in it. A
policy with ``slack_intake`` is planned at each report's time too, with the
reports read from its channel (``History.reports``), so a report made in Slack
gets its ticket action as live; the ticket it became is in the history.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from agent.core.actions import ActionKind, PlannedAction
from agent.core.history import is_history
from agent.core.ledger import IncidentRecord
from agent.core.model import ChatMessage, Person, Ticket
from agent.core.planner import plan
from agent.core.selection import governing_policy, governs
from agent.core.slack_reports import SlackThread, thread_label
from agent.core.state import EngineState, TicketState, frozen_map
from agent.policy import Policy
from agent.policy.rule_models import LimitBase, SlackIntake, WeeklyDigest
from agent.replay.adherence import AdherenceTracker
from agent.replay.kinds import kind_of
from agent.replay.outcome import Fired, ReplayOutcome, TicketEvent, TicketLine, people_of
from agent.replay.owed import Owed, owed_by_issue
from agent.replay.past import TicketPast
from agent.replay.source import History, Window
from agent.replay.tally import Tally
from agent.replay.values import CUSTOM_PREFIX
from agent.replay.wakeups import PolicyClock, next_wake

StepProgress = Callable[[datetime], None]
# Actions whose effect the rules read on the next cycle (the ticket is planned again then).
_CHANGES_TICKET = frozenset(
    {
        ActionKind.JIRA_SET_PRIORITY,
        ActionKind.JIRA_SET_FIELD,
        ActionKind.JIRA_ADD_LABEL,
        ActionKind.JIRA_REMOVE_LABEL,
        ActionKind.JIRA_ADD_WATCHER,
        ActionKind.SLACK_CREATE_CHANNEL,
        ActionKind.SLACK_OPEN_THREAD,
    }
)
# The conversation id the replay's incident threads are said to be in (no Slack is written).
REPLAY_CHANNEL = "REPLAY"
# The wake-up of a policy at a report's time in its slack_intake channel.
REPORTS = "reports:"
# Rule models that weigh a policy's tickets against each other (see the module docstring).
_LIMITS = (LimitBase,)
_POLICY_TIMED = (WeeklyDigest,)


@dataclass(frozen=True)
class ReplaySettings:
    window: Window
    every: timedelta = timedelta(seconds=60)
    exact: bool = False  # plan every ticket at every step (slow; the fast way is checked by it)
    label: str = "rules"

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ValueError("--every must be a positive duration")


class Replay:
    """One replay of ``policies`` over ``history``; ``run()`` once."""

    def __init__(
        self, history: History, policies: Sequence[Policy], settings: ReplaySettings
    ) -> None:
        self.history = history
        self.policies = list(policies)
        self.settings = settings
        self.window = settings.window
        self.pasts = {p.key: p.fresh() for p in history.tickets}
        self.clocks = {p.name: PolicyClock.of(p) for p in self.policies}
        self.by_name = {p.name: p for p in self.policies}
        self.limited = {p.name for p in self.policies if _has(p, _LIMITS)}
        self.timed = {p.name for p in self.policies if _has(p, _LIMITS + _POLICY_TIMED)}
        self.digested = {p.name for p in self.policies if _has(p, _POLICY_TIMED)}
        self.tracker = AdherenceTracker(
            {
                (p.name, rule.ident): kind
                for p in self.policies
                for rule in p.rules
                if (kind := kind_of(rule)) is not None
            }
        )
        self.first_contact = {p.name: self.window.start for p in self.policies}
        self.states: dict[str, TicketState] = {}
        self.done: dict[str | None, set[str]] = {}
        # the ledger the weekly digest counts, by issue; each plan gets the records of its
        # tickets only (all of them when a digest may be due), as copying and pruning the
        # whole ledger on every plan would grow with the history
        self.incidents: dict[str, IncidentRecord] = {}
        self.active: dict[str, set[str]] = {p.name: set() for p in self.policies}
        self.governed: dict[str, str] = {}
        self.tally = Tally()
        self.plans = 0
        self.ticket_plans = 0
        self._queue: list[tuple[datetime, int, str]] = []
        self._scheduled: dict[str, datetime] = {}
        self._seq = 0
        # per policy with slack_intake: its channels' reports, and when each was posted
        self.reports: dict[str, dict[str, list[ChatMessage]]] = {}
        self.report_times: dict[str, list[datetime]] = {}
        for policy in self.policies:
            channels = {r.channel for r in policy.rules if isinstance(r, SlackIntake)}
            said = {c: history.reports[c] for c in channels if history.reports.get(c)}
            if said:
                self.reports[policy.name] = said
                self.report_times[policy.name] = sorted(
                    {m.at for listed in said.values() for m in listed}
                )

    # -- time --------------------------------------------------------------------------
    def _step_at_or_after(self, moment: datetime) -> datetime:
        """The first step of the replay at or after ``moment`` (when the agent notices it)."""
        start, every = self.window.start, self.settings.every
        if moment <= start:
            return start
        steps = -((start - moment) // every)
        return start + steps * every

    def _schedule(self, name: str, moment: datetime | None) -> None:
        if moment is None:
            return
        step = self._step_at_or_after(moment)
        if step >= self.window.end:
            return
        known = self._scheduled.get(name)
        if known is not None and known <= step:
            return
        self._scheduled[name] = step
        self._seq += 1
        heapq.heappush(self._queue, (step, self._seq, name))

    def _due_now(self) -> tuple[datetime, set[str], set[str]]:
        moment = self._queue[0][0]
        issues: set[str] = set()
        ticks: set[str] = set()
        while self._queue and self._queue[0][0] == moment:
            _at, _seq, name = heapq.heappop(self._queue)
            if self._scheduled.get(name) != moment:
                continue  # superseded by an earlier wake
            del self._scheduled[name]
            if name.startswith("policy:"):
                ticks.add(name.removeprefix("policy:"))
            elif name.startswith(REPORTS):
                ticks.add(name.removeprefix(REPORTS))
                self._schedule_reports(name.removeprefix(REPORTS), moment)
            else:
                issues.add(name)
        return moment, issues, ticks

    def _schedule_reports(self, policy: str, after: datetime | None) -> None:
        """Wake ``policy`` at its next report (after ``after``; the first with None)."""
        times = self.report_times.get(policy, [])
        index = 0 if after is None else bisect.bisect_right(times, after)
        if index < len(times):
            self._schedule(f"{REPORTS}{policy}", times[index])

    # -- the loop ------------------------------------------------------------------------
    def run(self, progress: StepProgress | None = None) -> ReplayOutcome:
        if self.settings.exact:
            self._run_exact(progress)
        else:
            self._run_fast(progress)
        settled = self.tracker.finish(self.window.end)
        return ReplayOutcome(
            label=self.settings.label,
            start=self.window.start,
            end=self.window.end,
            every=self.settings.every,
            policies=[p.name for p in self.policies],
            tally=self.tally,
            settled=settled,
            tickets=self._lines(),
            problems=list(self.history.problems),
            kept_comments=sum(p.kept.comments for p in self.pasts.values()),
            kept_changes=sum(p.kept.changes for p in self.pasts.values()),
            plans=self.plans,
            ticket_plans=self.ticket_plans,
            exact=self.settings.exact,
        )

    def _run_fast(self, progress: StepProgress | None) -> None:
        for past in self.pasts.values():
            self._schedule(past.key, max(past.visible_from, self.window.start))
        for name in self.timed:
            self._schedule(f"policy:{name}", self.window.start)
        for name in self.report_times:
            self._schedule_reports(name, None)
        while self._queue:
            moment, issues, ticks = self._due_now()
            self._step(moment, issues, ticks)
            for name in ticks & self.timed:
                self._schedule(f"policy:{name}", self.clocks[name].next_time_of_day(moment))
            if progress is not None:
                progress(moment)

    def _run_exact(self, progress: StepProgress | None) -> None:
        moment = self.window.start
        while moment < self.window.end:
            issues = {k for k, p in self.pasts.items() if p.exists_at(moment)}
            self._step(moment, issues, set(self.timed) | set(self.reports))
            if progress is not None:
                progress(moment)
            moment += self.settings.every

    def _step(self, now: datetime, issues: set[str], ticks: set[str]) -> None:
        tickets = {key: self.pasts[key].at(now) for key in issues}
        for ticket in list(tickets.values()):
            policy = self._policy_of(ticket)
            if policy is not None and policy.name in self.limited:
                ticks.add(policy.name)
        for name in ticks:
            for key in self.active[name]:
                if key not in tickets:
                    tickets[key] = self.pasts[key].at(now)
        if not tickets and not ticks:
            return
        keys = set(tickets)
        ledger = (
            self.incidents
            if ticks & self.digested
            else {k: self.incidents[k] for k in keys if k in self.incidents}
        )
        state = EngineState(
            tickets=frozen_map({k: self.states[k] for k in keys if k in self.states}),
            done_keys=_DoneKeys.of([self.done.get(k) for k in (None, *keys)]),
            incidents=frozen_map(ledger),
        )
        messages = {k: self.pasts[k].messages_at(now) for k in keys}
        # only the policies that select one of these tickets (or tick now) have work; a
        # ticket is claimed by the first policy that selects it, with or without the others
        involved = [
            p
            for p in self.policies
            if p.name in ticks or any(governs(p, t) for t in tickets.values())
        ]
        planned = plan(
            list(tickets.values()),
            state,
            now,
            involved,
            {k: v for k, v in messages.items() if v},
            first_contact=self.first_contact,
            reports={c: m for p in involved for c, m in self.reports.get(p.name, {}).items()},
        )
        self.plans += 1
        self.ticket_plans += len(tickets)
        kept = planned.state.incidents
        for key in [k for k in ledger if k not in kept]:
            self.incidents.pop(key, None)  # pruned by the planner (past the digest's horizon)
        self.incidents.update(kept)
        for key, ticket_state in planned.state.tickets.items():
            self.states[key] = ticket_state
        acted: set[str] = set()
        dues: dict[str, set[datetime]] = {}
        for action in planned.actions:
            self._take(action, now)
            if action.issue is not None and action.kind in _CHANGES_TICKET:
                acted.add(action.issue)
            if action.issue is not None:
                dues.setdefault(action.issue, set()).add(action.due)
        owed = owed_by_issue(planned)
        for key, ticket in tickets.items():
            self._follow(now, ticket, owed.get(key, []), acted=key in acted, dues=dues.get(key))

    def _policy_of(self, ticket: Ticket) -> Policy | None:
        """The policy that governs the ticket now: the first whose select matches, as in plan()."""
        return governing_policy(self.policies, ticket)

    def _follow(
        self,
        now: datetime,
        ticket: Ticket,
        found: list[Owed],
        *,
        acted: bool,
        dues: set[datetime] | None,
    ) -> None:
        """Adherence for the ticket at ``now`` (``found``: what it owes, from the plan;
        ``dues``: the due times of the actions planned for it now), and when to plan it
        next."""
        past = self.pasts[ticket.key]
        policy = self._policy_of(ticket)
        state = self.states.get(ticket.key)
        if policy is not None and state is not None and not is_history(ticket, self.window.start):
            self.governed[ticket.key] = policy.name
            self.tracker.observe(
                ticket.key,
                policy.name,
                now,
                found,
                is_open=ticket.is_open,
                last_event=past.last_event_at_or_before(now),
            )
            if policy.name in self.limited:
                self.tracker.observe_limit(
                    ticket.key, policy.name, state, now, is_open=ticket.is_open
                )
            for name, members in self.active.items():
                if name == policy.name and ticket.is_open:
                    members.add(ticket.key)
                else:
                    members.discard(ticket.key)
        else:
            found = []
        if self.settings.exact:
            return
        clock = self.clocks[policy.name] if policy is not None else None
        if clock is None:
            wake = past.next_event_after(now)
        else:
            wake = next_wake(
                now,
                clock,
                events=past.event_times(),
                owed=found,
                engaged=ticket.is_open,
                nudged=dues or frozenset(),
            )
        if acted:
            wake = (
                now + self.settings.every if wake is None else min(wake, now + self.settings.every)
            )
        self._schedule(ticket.key, wake)

    # -- taking an action ----------------------------------------------------------------
    def _take(self, action: PlannedAction, now: datetime) -> None:
        self.done.setdefault(action.issue, set()).add(action.key)
        past = self.pasts.get(action.issue or "")
        self.tally.add(
            Fired(
                key=action.key,
                policy=action.policy,
                rule=action.rule,
                issue=action.issue,
                kind=action.kind,
                at=now,
                due=action.due,
                where=_where(action),
                people=people_of(action.audience),
                reason=action.reason,
            ),
            segment=past.events_until(now) if past is not None else 0,
        )
        if past is not None:
            self._effect(past, action, now)

    def _effect(self, past: TicketPast, action: PlannedAction, now: datetime) -> None:
        """What the action changes on the ticket, as the next cycle would read it."""
        context = action.context
        kind = action.kind
        if kind is ActionKind.JIRA_SET_PRIORITY and context.get("priority"):
            priority = str(context["priority"])
            past.record_value(now, "priority", priority, priority)
        elif kind is ActionKind.JIRA_SET_FIELD and context.get("field"):
            value = context.get("value")
            past.record_value(now, CUSTOM_PREFIX + str(context["field"]), value, str(value))
        elif kind is ActionKind.JIRA_ADD_LABEL and context.get("label"):
            past.record_labels(now, [str(context["label"])], [])
        elif kind is ActionKind.JIRA_REMOVE_LABEL and context.get("label"):
            past.record_labels(now, [], [str(context["label"])])
        elif kind is ActionKind.SLACK_OPEN_THREAD:
            # the thread the live agent opened (its label names it), else one said to be
            # opened now: the ticket's nudges go there from the next step
            opened = past.opened_thread or thread_label(
                SlackThread(REPLAY_CHANNEL, f"{int(now.timestamp())}.000000")
            )
            past.record_labels(now, [opened], [])
        elif kind is ActionKind.JIRA_COMMENT:
            past.record_comment(now, rule=action.rule, key=action.key)
        elif kind is ActionKind.JIRA_ADD_WATCHER:
            past.record_watchers(
                now,
                [
                    Person(r.account_id, r.display_name or r.account_id, r.email)
                    for r in action.audience
                    if r.account_id
                ],
            )
        elif kind is ActionKind.SLACK_CREATE_CHANNEL and action.issue in self.states:
            name = context.get("channel_name") or action.issue
            issue = action.issue
            assert issue is not None
            self.states[issue] = replace(self.states[issue], channel_id=f"replay:{name}")

    # -- the tickets' timelines ----------------------------------------------------------
    def _lines(self) -> list[TicketLine]:
        end = self.window.end - timedelta(microseconds=1)
        lines = []
        for past in self.pasts.values():
            ticket = past.at(end)
            events = [TicketEvent(ticket.created, "created", _name(ticket.reporter))]
            events += [
                TicketEvent(c.created, "comment", _name(c.author))
                for c in ticket.comments
                if not c.by_agent
            ]
            for change in ticket.changelog:
                if (
                    change.author is not None
                    and change.author.account_id == self.history.agent.account_id
                ):
                    continue
                fields = ", ".join(sorted({i.field for i in change.items}))
                events.append(
                    TicketEvent(change.created, f"change: {fields}", _name(change.author))
                )
            events += [TicketEvent(m.at, "message", m.user_email) for m in past.messages_at(end)]
            events = [e for e in events if e.at < self.window.end]
            events.sort(key=lambda e: e.at)
            lines.append(
                TicketLine(
                    key=ticket.key,
                    summary=ticket.summary,
                    url=ticket.url,
                    policy=self.governed.get(ticket.key),
                    created=ticket.created,
                    resolved_at=ticket.resolved_at if not ticket.is_open else None,
                    events=events,
                )
            )
        lines.sort(key=lambda line: (line.created, line.key))
        return lines


class _DoneKeys(AbstractSet[str]):
    """The done keys of the tickets planned together, without copying the big sets into
    one: a ticket nudged every half hour for weeks has tens of thousands, and copying
    them on every plan made a replay quadratic in its length. The small ones are merged
    (a plan at a policy's time of day has dozens, and each look-up would try them all).
    The sets are disjoint (one per issue, and the policies' own)."""

    BIG = 500

    def __init__(self, sets: list[AbstractSet[str]]) -> None:
        self._sets = sets

    @classmethod
    def of(cls, sets: Iterable[set[str] | None]) -> _DoneKeys:
        present = [keys for keys in sets if keys]
        big: list[AbstractSet[str]] = [keys for keys in present if len(keys) > cls.BIG]
        small = [keys for keys in present if len(keys) <= cls.BIG]
        if len(small) > 1:
            big.append(frozenset().union(*small))
        elif small:
            big.append(small[0])
        return cls(big)

    def __contains__(self, key: object) -> bool:
        # a plain loop, not any() over a generator: this is asked for every planned key
        for keys in self._sets:  # noqa: SIM110
            if key in keys:
                return True
        return False

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self._sets)

    def __len__(self) -> int:
        return sum(len(keys) for keys in self._sets)


def _has(policy: Policy, models: tuple[type, ...]) -> bool:
    return any(isinstance(rule, models) for rule in policy.rules)


def _where(action: PlannedAction) -> str:
    if action.kind.value.startswith("jira."):
        return "jira"
    if action.kind.value.startswith("confluence."):
        return "confluence"
    return action.channel.spec if action.channel else "slack"


def _name(person: Person | None) -> str | None:
    return person.display_name if person is not None else None


def replay(
    history: History,
    policies: Sequence[Policy],
    settings: ReplaySettings,
    progress: StepProgress | None = None,
) -> ReplayOutcome:
    """Replay ``policies`` over ``history`` (see the module docstring)."""
    return Replay(history, policies, settings).run(progress)


def outcomes(
    history: History, rule_sets: Iterable[tuple[str, Sequence[Policy]]], settings: ReplaySettings
) -> list[ReplayOutcome]:
    """The same history through several rule sets (``--compare``)."""
    return [
        replay(history, policies, replace(settings, label=label)) for label, policies in rule_sets
    ]
