"""What a rule handler gets (RuleContext) and the shared mechanics it uses.

The obligation mechanic is the engine's clock: an item falls due at a stable
instant (its slot); the first nudge's key names that slot, repeats reply in its
thread, chain steps fire once each, and when the item is met the thread is
marked done. Outside business hours only urgent rules speak, to the
after-hours contacts; the others wait, keeping their slot. An item already
overdue when the policy first ran (``first_contact``) gets its one nudge and
no repeats or chain steps: the agent did not watch that lateness grow.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from agent.core.actions import DUE_SOON_EVENT, ActionKind, PlannedAction, Recipient, TicketProblem
from agent.core.destinations import Destination
from agent.core.followups import FollowupsSeen
from agent.core.history import inherited
from agent.core.human_updates import Update
from agent.core.keys import ActionKey
from agent.core.lazy import Later, extended, once, resolve
from agent.core.message import Message
from agent.core.model import ChatMessage, Ticket
from agent.core.obligations import Obligation, Waiting, WaitReason
from agent.core.roles import RoleResolution
from agent.core.routing import route
from agent.core.state import TicketState, item_id_of, rule_of_item
from agent.core.ticket_memo import TicketMemo
from agent.core.ticket_memo import ticket_context as _ticket_context
from agent.policy.rule_models import ChainStep, Repeating, RuleBase
from agent.policy.schema import Policy
from agent.timekeeping.calendar import BusinessCalendar
from agent.timekeeping.durations import format_duration

MAX_CHAIN_DEPTH = 10
# The rules (limits, digest) take it from here; it lives with the memo that caches it.
ticket_context = _ticket_context


class RuleProblem(Exception):
    """A ticket does not fit a rule's assumptions; becomes a TicketProblem."""


@functools.lru_cache(maxsize=16_384)
def iso(moment: datetime) -> str:
    """Minutes in UTC; cached: one plan formats the same few instants thousands of times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def quiet_hours_wait(calendar: BusinessCalendar, now: datetime) -> Waiting:
    """Non-urgent nudges wait outside business hours: until the next opening."""
    hours = calendar.hours
    return Waiting(
        WaitReason.QUIET_HOURS,
        f"only urgent rules speak outside {hours.start:%H:%M}-{hours.end:%H:%M} on business days",
        fires_at=calendar.next_business_time(now),
    )


def plain_value(value: object) -> object:
    """A field value as template data: people by name, times in ISO, lists element-wise."""
    display = getattr(value, "display_name", None)
    if display is not None:
        return display
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (list, tuple, frozenset)):
        return [plain_value(v) for v in value]
    return value


@dataclass
class RuleContext:
    """Inputs for one rule on one ticket, and the outputs it collects."""

    policy: Policy
    rule: RuleBase
    ticket: Ticket
    now: datetime
    calendar: BusinessCalendar
    severity: str | None
    messages: tuple[ChatMessage, ...]
    state: TicketState
    previous: TicketState | None
    # What the runtime read from the ticket's pages: page kind (the rule) -> status title.
    pages: Mapping[str, str] = field(default_factory=dict)
    # What the runtime read of the ticket's Actions page and follow-up issues, if any.
    followups: FollowupsSeen | None = None
    actions: list[PlannedAction] = field(default_factory=list)
    problems: list[TicketProblem] = field(default_factory=list)
    # Keys of actions already carried out: the planner drops them anyway, so they are
    # not built at all (most of a steady cycle's clerical actions are done).
    done_keys: AbstractSet[str] = frozenset()

    # Whether ``now`` is outside business hours; the planner works it out once per policy.
    is_quiet: bool | None = None
    # When the policy first ran against the site (agent.core.history); None: unknown.
    first_contact: datetime | None = None
    # Why a non-urgent nudge waits now (outside business hours) and until when; the
    # planner works it out once per policy, else it is worked out on first need.
    quiet_wait: Waiting | None = None
    # Set when a limit holds the ticket back: its rules declare what they owe, and
    # every overdue item waits with this reason; nothing is nudged.
    held: Waiting | None = None
    # The open obligations the current rule declared (see ``agent.core.obligations``).
    obligations: list[Obligation] = field(default_factory=list)
    # Answers shared by the ticket's rules (roles, updates, template data): one context,
    # and so one memo, serves all the rules of a ticket in a plan() pass.
    memo: TicketMemo = field(init=False)

    def __post_init__(self) -> None:
        self.memo = TicketMemo(self.policy, self.ticket, self.severity, self.messages)
        if self.is_quiet is None:
            self.is_quiet = not self.calendar.is_business_time(self.now)
        self._ident = self.rule.ident

    def begin(self, rule: RuleBase, state: TicketState) -> None:
        """Ready this context for the ticket's next rule: one context serves all the
        ticket's rules (10,000 tickets make tens of thousands of rule calls a cycle)."""
        self.rule = rule
        self._ident = rule.ident
        self.state = state
        self.actions = []
        self.problems = []
        self.obligations = []

    @property
    def issue(self) -> str:
        return self.ticket.key

    @property
    def rule_name(self) -> str:
        return self.rule.kind

    def key(self, slot: str, where: str | None = None) -> str:
        """The stored form of this rule's key for ``slot`` on the ticket (see ``core.keys``)."""
        return self.action_key(slot, where).format()

    def action_key(self, slot: str, where: str | None = None) -> ActionKey:
        return ActionKey(rule=self._ident, owner=self.ticket.key, slot=slot, where=where)

    def problem(self, message: str) -> None:
        self.problems.append(TicketProblem(self.issue, self._ident, message))

    def people(self, roles: Sequence[str], *, required: bool = True) -> tuple[Recipient, ...]:
        found = self.resolution(roles, required=required)
        for message in found.problems:
            self.problem(message)
        return found.recipients

    def people_later(
        self, roles: Sequence[str], *, required: bool = True
    ) -> Callable[[], tuple[Recipient, ...]]:
        """Whom a rule's message for ``roles`` goes to, worked out when it is really built
        (its problems reported then). A required audience nobody plays falls back along
        the policy's ``fallback`` chain: the message is still meant for someone."""
        if not required or not roles:
            return lambda: self.people(roles, required=required)
        return lambda: self._audience(roles)

    def _audience(self, roles: Sequence[str]) -> tuple[Recipient, ...]:
        found = self.memo.audience(roles)
        for message in found.problems:
            self.problem(message)
        return found.recipients

    def anybody_plays(self, role: str) -> bool:
        return self.memo.plays(role)

    def resolution(self, roles: Sequence[str], *, required: bool = True) -> RoleResolution:
        """Who plays ``roles`` and why any came up empty, without reporting it."""
        return self.memo.roles(roles, required=required)

    def updates(self, by: Sequence[str] = ()) -> list[Update]:
        return self.memo.updates(by)

    def channel_name(self) -> str | None:
        """The ticket's escalation channel name from the policy, if it has one."""
        return self.memo.channel_name

    def context(self, **extra: Any) -> dict[str, Any]:
        base = self.memo.context()
        base.update(extra)
        return base

    def done(self, slot: str, where: str | None = None) -> bool:
        """Whether the action of ``slot`` (in ``where``) was already carried out."""
        return self.key(slot, where) in self.done_keys

    def template(self, default: str) -> str:
        return self.rule.template or default

    def quiet(self) -> bool:
        return bool(self.is_quiet)

    def action(
        self,
        kind: ActionKind,
        slot: str,
        *,
        reason: str,
        due: datetime,
        template: str | None,
        audience: tuple[Recipient, ...] = (),
        channel: Destination | None = None,
        context: Later[Mapping[str, Any]] | None = None,
        where: str | None = None,
    ) -> None:
        """Plan one action keyed ``slot`` (``#where`` after it when given), unless done."""
        key = self.key(slot, where)
        if key in self.done_keys:
            return
        self.actions.append(
            PlannedAction(
                key=key,
                policy=self.policy.name,
                rule=self.rule_name,
                issue=self.issue,
                kind=kind,
                reason=reason,
                due=due,
                template=template,
                audience=audience,
                urgent=self.rule.urgent,
                channel=channel,
                context=resolve(context) if context is not None else self.context(),
            )
        )

    def message(
        self,
        *,
        reason: str,
        due: datetime,
        template: str,
        audience: Later[tuple[Recipient, ...]],
        context: Later[Mapping[str, Any]],
        event: str | None = None,
    ) -> Message:
        """What this rule says (its kind and urgency go with it), for :meth:`notify`."""
        return Message(
            rule=self.rule_name,
            reason=reason,
            due=due,
            template=template,
            audience=audience,
            context=context,
            urgent=self.rule.urgent,
            event=event,
        )

    def notify(
        self,
        targets: Sequence[str],
        base_key: ActionKey,
        message: Message,
        *,
        thread_anchor: ActionKey | None = None,
        slack_only: bool = False,
        skipped: list[str] | None = None,
    ) -> None:
        """Plan ``message`` to ``targets`` under ``base_key`` (see ``routing.route``),
        leaving out what was carried out already."""
        self.actions += route(
            self.policy,
            self.ticket,
            targets,
            base_key,
            message,
            thread_anchor=thread_anchor,
            slack_only=slack_only,
            skip=self.done_keys,
            skipped=skipped,
        )

    def speak_once(
        self,
        slot: str,
        *,
        targets: Sequence[str],
        reason: str,
        due: datetime,
        template: str,
        audience: Later[tuple[Recipient, ...]],
        context: Later[Mapping[str, Any]] | None = None,
        wait: bool = False,
        event: str | None = None,
    ) -> None:
        """A one-off message (no obligation): respects quiet hours like obligations do;
        with ``wait`` it waits for business hours even when the rule is urgent. ``event``
        as for ``notify`` (a rule's own heads-up is ``DUE_SOON_EVENT``)."""
        if self.quiet() and (wait or not self.rule.urgent):
            self._check_held(targets, self.action_key(slot), audience)
            return
        targets, audience = self._after_hours(targets, audience)
        self.notify(
            targets,
            self.action_key(slot),
            self.message(
                reason=reason,
                due=due,
                template=template,
                audience=audience,
                context=context if context is not None else self.context,
                event=event,
            ),
        )

    def _check_held(
        self, targets: Sequence[str], base_key: ActionKey, audience: Later[tuple[Recipient, ...]]
    ) -> None:
        """Quiet hours hold a nudge back, but whom it is for is looked up while it waits,
        so a role with nobody in it is reported now rather than when the nudge goes."""
        held = Message(
            rule=self.rule_name, reason="", due=self.now, template="", audience=audience, context={}
        )
        route(self.policy, self.ticket, targets, base_key, held, skip=self.done_keys)

    def _after_hours(
        self, targets: Sequence[str], audience: Later[tuple[Recipient, ...]]
    ) -> tuple[Sequence[str], Later[tuple[Recipient, ...]]]:
        spec = self.policy.after_hours
        if not self.quiet() or spec is None:
            return targets, audience
        resolve(audience)  # whom it was for is still checked: an empty role is reported
        # the contacts the policy names for the night, never a daytime stand-in for them
        return spec.notify, lambda: self.people(spec.contacts)

    def obligation(
        self,
        item: str,
        *,
        due: datetime,
        met: bool,
        reason: str,
        template: str,
        audience: Later[tuple[Recipient, ...]],
        targets: Sequence[str],
        context: Later[Mapping[str, Any]] | None = None,
        task: str | None = None,
    ) -> None:
        """Nudge once per slot, repeat in the thread, climb the chain, close when met.

        The item is overdue from ``due`` until it is ``met``. An unmet item is
        recorded as an open obligation (with why it waits, when its nudge is
        held back). ``audience`` and ``context`` are only resolved for nudges not
        yet sent. ``task`` says what is owed, for a heads-up before ``due``
        ("acknowledge SUP-12"); without it there is none (see ``_heads_up``)."""
        item_id = item_id_of(self._ident, item)
        open_anchor = self.state.open_items.get(item_id)
        if met or self.now < due:
            if not met:
                self.owe(item, due=due, reason=reason)
                self._heads_up(item, due, task, targets=targets, audience=audience)
            if open_anchor is not None:
                self._close(item_id, open_anchor)
            return
        if self.held is not None:
            self.owe(item, due=due, reason=reason, waiting=self.held)
            return
        anchor_key = self.action_key(f"{item}@{iso(due)}")
        anchor = anchor_key.format()
        if open_anchor is not None and open_anchor != anchor:
            # A later slot supersedes the unmet one: its thread is left as it is.
            self.state = self.state.without_item(item_id)
        # An SLA breach for the digest: counted once per slot, even when quiet hours hold the nudge.
        self.state = self.state.with_breach(self._ident, item_id, due)
        if self.quiet() and not self.rule.urgent:
            self._check_held(targets, anchor_key, audience)
            waits = self.quiet_waiting()
            if open_anchor == anchor:  # nudged before the close: its reminders wait
                waits = replace(waits, why=f"{waits.why}; reminders wait (first nudge sent)")
            self.owe(item, due=due, reason=reason, waiting=waits)
            return
        targets, who = self._after_hours(targets, audience)
        people = once(lambda: resolve(who))

        def nudge_data() -> dict[str, Any]:
            found = dict(resolve(context) if context is not None else self.context())
            found.update(due=iso(due), reason=reason)
            return found

        data = once(nudge_data)
        planned, reported, skipped = len(self.actions), len(self.problems), list[str]()
        self.notify(
            targets,
            anchor_key,
            self.message(
                reason=reason,
                due=due,
                template=template,
                audience=people,
                context=data,
            ),
            skipped=skipped,
        )
        sent = len(self.actions) > planned or bool(skipped)
        self.owe(
            item,
            due=due,
            reason=reason,
            waiting=None if sent else self._nobody(self.problems[reported:]),
        )
        if open_anchor != anchor:
            self.state = self.state.with_item(item_id, anchor)
        previously_open = self.previous is not None and (
            self.previous.open_items.get(item_id) == anchor
        )
        if not isinstance(self.rule, Repeating) or not previously_open:
            return
        if inherited(due, self.first_contact):
            return  # overdue before the agent first ran: one nudge, no catching up
        self._repeat(
            anchor_key,
            due=due,
            targets=targets,
            template=template,
            audience=people,
            data=data,
            reason=reason,
        )
        self._chain(anchor_key, due=due, data=data, reason=reason)

    def _heads_up(
        self,
        item: str,
        due: datetime,
        task: str | None,
        *,
        targets: Sequence[str],
        audience: Later[tuple[Recipient, ...]],
    ) -> None:
        """Warn the nudge's audience ``warn_before`` ahead of ``due``: once per deadline
        (its key names it), never after it (only unmet items not yet due get here), and
        like a nudge only in business hours unless the rule is urgent. Without a ``task``
        (what is owed, in words) the rule gives its own heads-up: follow-ups name the
        follow-up issue, not the ticket."""
        warn = getattr(self.rule, "warn_before", None)
        if warn is None or task is None or self.now < due - warn or self.held is not None:
            return
        if self.quiet() and not self.rule.urgent:
            return  # a heads-up does not wait: the deadline would pass meanwhile
        what = task
        left = format_duration(timedelta(minutes=math.ceil((due - self.now).total_seconds() / 60)))
        targets, who = self._after_hours(targets, audience)
        self.notify(
            targets,
            self.action_key(f"{item}@{iso(due)}:soon"),
            self.message(
                reason=f"{left} left to {what}.",
                due=due - warn,
                template="due_soon",
                audience=who,
                context=lambda: self.context(task=what, left=left, due=iso(due)),
                event=DUE_SOON_EVENT,
            ),
        )

    def owe(self, item: str, *, due: datetime, reason: str, waiting: Waiting | None = None) -> None:
        """Record ``item`` as open: due at ``due`` (overdue once ``now`` reaches it), unmet.

        Rules call it directly for an item that is only coming (the next slot of a
        schedule whose current slot is met); ``obligation`` calls it for the rest."""
        self.obligations.append(
            Obligation(
                issue=self.ticket.key,
                policy=self.policy.name,
                rule=self._ident,
                item=item,
                due=due,
                reason=reason,
                overdue=self.now >= due,
                waiting=waiting,
            )
        )

    def quiet_waiting(self) -> Waiting:
        """Why a non-urgent nudge waits now: business hours are over until the next opening."""
        if self.quiet_wait is None:
            self.quiet_wait = quiet_hours_wait(self.calendar, self.now)
        return self.quiet_wait

    @staticmethod
    def _nobody(problems: Sequence[TicketProblem]) -> Waiting:
        why = "; ".join(p.message for p in problems) or "nobody to tell on this ticket"
        return Waiting(
            WaitReason.NOBODY, why, fires_when="when someone is named in the role on the ticket"
        )

    def _repeat(
        self,
        anchor: ActionKey,
        *,
        due: datetime,
        targets: Sequence[str],
        template: str,
        audience: Later[tuple[Recipient, ...]],
        data: Callable[[], Mapping[str, Any]],
        reason: str,
    ) -> None:
        assert isinstance(self.rule, Repeating)
        every = self.rule.repeat
        if every is None or self.now < due + every:
            return
        count = int((self.now - due) / every)
        slot = due + count * every
        self.notify(
            targets,
            anchor.then(f"repeat@{iso(slot)}"),
            self.message(
                reason=f"Still overdue: {reason}",
                due=slot,
                template=template,
                audience=audience,
                context=functools.partial(extended, data, {"repeat": count}),
            ),
            thread_anchor=anchor,
            slack_only=True,
        )

    def _chain(
        self,
        anchor: ActionKey,
        *,
        due: datetime,
        data: Callable[[], Mapping[str, Any]],
        reason: str,
    ) -> None:
        for index, step in enumerate(self.chain_steps()):
            at = due + step.after
            if self.now < at:
                return
            base = anchor.then(f"step{index + 1}")
            step_targets, people = self._after_hours(
                step.notify or ["dm"], self.people_later(step.to)
            )
            self.notify(
                step_targets,
                base,
                self.message(
                    reason=f"Escalated (step {index + 1}): {reason}",
                    due=at,
                    template="escalate",
                    audience=people,
                    context=functools.partial(
                        extended, data, {"step": index + 1, "overdue_since": iso(due)}
                    ),
                ),
            )

    def chain_steps(self) -> list[ChainStep]:
        """The rule's chain with named chains (``chain_ref``, ``then``) expanded in place."""
        if not isinstance(self.rule, Repeating):
            return []
        steps = list(self.rule.chain)
        if self.rule.chain_ref:
            steps += self.policy.chains.get(self.rule.chain_ref, [])
        flat: list[ChainStep] = []
        self._flatten(steps, flat, offset=None, depth=0)
        return flat

    def _flatten(
        self, steps: list[ChainStep], out: list[ChainStep], offset: Any, depth: int
    ) -> None:
        if depth > MAX_CHAIN_DEPTH:
            raise RuleProblem("escalation chain nests too deep")
        for step in steps:
            after = step.after + offset if offset is not None else step.after
            out.append(step.model_copy(update={"after": after, "then": None}))
            if step.then:
                self._flatten(self.policy.chains.get(step.then, []), out, after, depth + 1)

    def settle_all(self) -> None:
        """Close every open item of this rule (e.g. the ticket was resolved)."""
        for item_id, anchor in sorted(self.state.open_items.items()):
            if rule_of_item(item_id) == self._ident:
                self._close(item_id, anchor)

    def _close(self, item_id: str, anchor: str) -> None:
        """Mark the item's thread done (``anchor``: its first nudge's key, as kept in state)."""
        anchor_key = ActionKey.parse(anchor)
        self.actions.append(
            PlannedAction(
                key=anchor_key.then("done").format(),
                policy=self.policy.name,
                rule=self.rule_name,
                issue=self.issue,
                kind=ActionKind.SLACK_THREAD_DONE,
                reason="The overdue item was dealt with.",
                due=self.now,
                template="slack/thread_done.j2",
                thread_of=anchor_key,
                context=self.context(anchor=anchor),
            )
        )
        self.state = self.state.without_item(item_id)
