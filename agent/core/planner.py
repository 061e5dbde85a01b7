"""The engine's entry point: plan(tickets, state, now, policies) -> Plan. Pure and deterministic.

Order of work per policy: select tickets, leave alone those resolved before the
policy's first contact (``agent.core.history``), remember first sightings, apply the
escalation limits, run every rule on every ticket (in file order, tickets by
creation then key), then policy-level rules. Actions whose key is already done
are dropped, so running a cycle twice, or after a crash, does nothing twice.

While they plan, the rules record what each ticket still owes (its open
obligations, ``Plan.obligations``), and the plan names the tickets a newer
channel message could change (``Plan.fresh_messages_for``). A ticket held by a
limit runs only the intake rules for real; its other rules that declare
obligations run on a scratch context that keeps nothing but those, each waiting
for the release.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from agent.core.actions import Plan, PlannedAction, TicketProblem
from agent.core.followups import FollowupsSeen
from agent.core.fresh_messages import fresh_messages_for
from agent.core.history import is_history
from agent.core.ledger import KEEP_RECORDS, ledger_updates
from agent.core.model import ChatMessage, Ticket
from agent.core.obligations import Obligation, Waiting
from agent.core.rules.base import RuleContext, RuleProblem, quiet_hours_wait
from agent.core.rules.catalogue import CATALOGUE, AnyKind
from agent.core.rules.digest import weekly_digest
from agent.core.rules.intake import rejected_value
from agent.core.rules.limits import apply_limits
from agent.core.rules.slack_intake import intake_reports
from agent.core.selection import governs
from agent.core.severity import severity
from agent.core.state import EngineState, TicketState
from agent.policy.calendars import calendar_for
from agent.policy.rule_models import RuleBase, SlackIntake, WeeklyDigest
from agent.policy.schema import Policy
from agent.timekeeping.calendar import CalendarError

Handler = Callable[[RuleContext, Any], None]
# One rule of a policy with its kind and that kind's handler (per-ticket kinds only).
Entry = tuple[AnyKind, RuleBase, Handler]

# Data errors a malformed ticket can provoke inside a rule; anything else is a bug and propagates.
_TICKET_DATA_ERRORS = (RuleProblem, CalendarError, ValueError, TypeError, KeyError, AttributeError)


def plan(
    tickets: Iterable[Ticket],
    state: EngineState,
    now: datetime,
    policies: Sequence[Policy],
    messages: Mapping[str, Sequence[ChatMessage]] | None = None,
    *,
    pages: Mapping[str, Mapping[str, str]] | None = None,
    first_contact: Mapping[str, datetime] | None = None,
    followups: Mapping[str, FollowupsSeen] | None = None,
    reports: Mapping[str, Sequence[ChatMessage]] | None = None,
) -> Plan:
    """Plan one cycle. ``messages`` maps an issue key to its escalation channel's messages
    (or its incident thread's replies); ``reports`` maps a ``slack_intake`` channel
    (``#name``) to the top-level messages read from it;
    ``pages`` maps an issue key to what its pages say (page kind -> status title), as
    read by the runtime (``agent.runtime.read.page_status``); ``first_contact`` maps a policy
    name to when it first ran against the site (none: nothing is history); ``followups``
    maps an issue key to its Actions page's tasks and follow-up issues
    (``agent.runtime.read.followup_read``)."""
    if now.tzinfo is None:
        raise ValueError("plan() needs an aware 'now' (UTC)")
    before = state
    actions: list[PlannedAction] = []
    problems: list[TicketProblem] = []
    owed: list[Obligation] = []
    usable: list[Ticket] = []
    for ticket in tickets:
        naive = _naive_times(ticket)
        if naive:
            problems.append(
                TicketProblem(ticket.key, "model", f"times without a time zone: {', '.join(naive)}")
            )
        else:
            usable.append(ticket)
    all_tickets = sorted(usable, key=lambda t: (t.created, t.key))
    chat = messages or {}
    claimed: dict[str, str] = {}
    history: dict[str, int] = {}
    for policy in policies:
        since = (first_contact or {}).get(policy.name)
        mine: list[Ticket] = []
        for ticket in all_tickets:
            if not governs(policy, ticket):
                continue
            if ticket.key in claimed:
                problems.append(_claimed_twice(ticket.key, claimed[ticket.key], policy.name))
                continue
            claimed[ticket.key] = policy.name
            if is_history(ticket, since):
                history[policy.name] = history.get(policy.name, 0) + 1
                continue
            mine.append(ticket)
        state = _plan_policy(
            policy,
            tickets=mine,
            state=state,
            now=now,
            chat=chat,
            pages=pages or {},
            followups=followups or {},
            actions=actions,
            problems=problems,
            first_contact=since,
            owed=owed,
            reports=reports or {},
            known=all_tickets,
        )
    state = state.incidents_pruned(now - KEEP_RECORDS)
    unique: dict[str, PlannedAction] = {}
    for action in actions:
        if action.key not in state.done_keys and action.key not in unique:
            unique[action.key] = action
    return Plan(
        actions=tuple(unique.values()),
        problems=tuple(problems),
        state=state,
        history=history,
        obligations=tuple(owed),
        fresh_messages_for=fresh_messages_for(unique.values(), before, policies),
    )


def _naive_times(ticket: Ticket) -> list[str]:
    """Names of the ticket's times that lack a time zone (adapters must give aware UTC)."""
    named: list[tuple[str, datetime | None]] = [
        ("created", ticket.created),
        ("updated", ticket.updated),
        ("resolved_at", ticket.resolved_at),
        ("due_date", ticket.due_date),
    ]
    named += [(f"comment {c.id}", c.created) for c in ticket.comments]
    named += [(f"changelog at {c.created}", c.created) for c in ticket.changelog]
    return [name for name, value in named if isinstance(value, datetime) and value.tzinfo is None]


def _claimed_twice(issue: str, first: str, second: str) -> TicketProblem:
    """One ticket follows one procedure: state and action keys are per ticket and rule."""
    return TicketProblem(
        issue,
        "select",
        f"{issue} matches policies {first} and {second}; only {first} applies. "
        "Narrow the select: of one of them.",
    )


def _plan_ticket(
    ticket: Ticket,
    rules: list[Entry],
    ctx: RuleContext,
    *,
    actions: list[PlannedAction],
    problems: list[TicketProblem],
    owed: list[Obligation],
) -> TicketState:
    """Run ``rules`` on one ticket through one context (its memo answers what several
    rules ask: roles, updates, template data); returns the ticket's new state."""
    current = ctx.state
    closed = not ticket.is_open
    for kind, rule, handler in rules:
        ctx.begin(rule, current)
        try:
            handler(ctx, rule)
            if closed and not kind.keeps_items_when_closed:
                ctx.settle_all()
        except _TICKET_DATA_ERRORS as exc:
            problems.append(TicketProblem(ticket.key, rule.ident, f"{type(exc).__name__}: {exc}"))
            continue
        if ctx.actions:
            actions += ctx.actions
        if ctx.problems:
            problems += ctx.problems
        if ctx.obligations:
            owed += ctx.obligations
        current = ctx.state
    return current


def _held_obligations(rules: list[Entry], ctx: RuleContext, owed: list[Obligation]) -> None:
    """What a held ticket's rules would owe, each overdue item waiting for the release.

    ``ctx`` is a scratch context (``ctx.held`` set): its actions, problems and state
    are dropped; the rules run for real once the ticket is admitted."""
    for _kind, rule, handler in rules:
        ctx.begin(rule, ctx.state)
        try:
            handler(ctx, rule)
        except _TICKET_DATA_ERRORS:
            continue  # reported when the rule runs for real
        owed += ctx.obligations


def _plan_policy(
    policy: Policy,
    *,
    tickets: list[Ticket],
    state: EngineState,
    now: datetime,
    chat: Mapping[str, Sequence[ChatMessage]],
    pages: Mapping[str, Mapping[str, str]],
    actions: list[PlannedAction],
    followups: Mapping[str, FollowupsSeen] | None = None,
    problems: list[TicketProblem],
    owed: list[Obligation],
    first_contact: datetime | None = None,
    reports: Mapping[str, Sequence[ChatMessage]] | None = None,
    known: Sequence[Ticket] = (),
) -> EngineState:
    calendar = calendar_for(policy)
    selected = tickets
    states: dict[str, TicketState] = {}
    levels: dict[str, str | None] = {}
    for ticket in selected:
        previous = state.ticket(ticket.key)
        current = previous or TicketState(first_seen=now)
        levels[ticket.key] = severity(policy, ticket)
        if levels[ticket.key] != current.severity:
            current = replace(current, severity=levels[ticket.key], severity_since=now)
        if not ticket.is_open and current.resolved_at is None:
            current = replace(current, resolved_at=ticket.resolved_at or now)
        states[ticket.key] = current

    rejected = {t.key for t in selected if rejected_value(policy, t) is not None}
    candidates = [t for t in selected if t.key not in rejected]
    limits = apply_limits(
        policy, candidates, states=states, now=now, calendar=calendar, severities=levels
    )
    actions += limits.actions
    states.update(limits.states)

    quiet = not calendar.is_business_time(now)
    quiet_wait = quiet_hours_wait(calendar, now) if quiet else None
    per_ticket: list[Entry] = []
    for rule in policy.rules:
        kind = CATALOGUE.of(rule)
        if kind.handler is not None:  # the others run across tickets (limits, digest)
            per_ticket.append((kind, rule, kind.handler))
    by_level: dict[str | None, list[Entry]] = {}

    def context(
        ticket: Ticket, first: RuleBase, level: str | None, *, held: Waiting | None = None
    ) -> RuleContext:
        return RuleContext(
            policy=policy,
            rule=first,
            ticket=ticket,
            now=now,
            calendar=calendar,
            severity=level,
            messages=tuple(chat.get(ticket.key, ())),
            state=states[ticket.key],
            previous=state.ticket(ticket.key),
            pages=pages.get(ticket.key, {}),
            followups=(followups or {}).get(ticket.key),
            done_keys=state.done_keys,
            is_quiet=quiet,
            quiet_wait=quiet_wait,
            held=held,
            first_contact=first_contact,
        )

    for ticket in selected:
        level = levels[ticket.key]
        rules = by_level.get(level)
        if rules is None:
            rules = by_level[level] = [
                entry
                for entry in per_ticket
                if not entry[1].severities or level in entry[1].severities
            ]
        held = limits.held.get(ticket.key)
        if held is not None or ticket.key in rejected:
            later = [
                entry
                for entry in rules
                if entry[0].declares_obligations and not entry[0].runs_while_held
            ]
            if held is not None and later:
                scratch = context(ticket, later[0][1], level, held=held)
                _held_obligations(later, scratch, owed)
            rules = [entry for entry in rules if entry[0].runs_while_held]
        if not rules:
            continue
        states[ticket.key] = _plan_ticket(
            ticket,
            rules,
            context(ticket, rules[0][1], level),
            actions=actions,
            problems=problems,
            owed=owed,
        )

    ledger = ledger_updates(
        policy,
        candidates,
        states=states,
        severities=levels,
        records=state.incidents,
        messages=chat,
        now=now,
        reported={p.issue for p in problems},
    )
    states.update(ledger.states)
    problems += ledger.problems
    state = state.with_incidents(ledger.records)

    for rule in policy.rules:
        if isinstance(rule, SlackIntake):
            actions += intake_reports(
                policy,
                rule,
                (reports or {}).get(rule.channel, ()),
                known,
                now=now,
                first_contact=first_contact,
                done_keys=state.done_keys,
            )
        if isinstance(rule, WeeklyDigest):
            actions += weekly_digest(
                policy,
                rule,
                tickets=selected,
                now=now,
                calendar=calendar,
                severities=levels,
                incidents=state.incidents,
                done_keys=state.done_keys,
            )

    return state.with_tickets(states)
