"""The incident ledger: a compact record per escalation that outlives the ticket's state.

Ticket state is forgotten 30 days after resolution (``EngineState.pruned``), but
the weekly digest charts the last 12 weeks and counts SLA breaches per week, so
each escalation leaves a small record here: when it was opened, acknowledged and
resolved, and when which rule's obligation first fell overdue. Records are kept
for ``KEEP_RECORDS`` after resolution, long enough for every week of the chart.

Everything is pure: the planner calls ``ledger_updates`` for the selected
tickets of each policy per cycle and prunes once per cycle, with the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING

from agent.core.actions import TicketProblem
from agent.core.human_updates import acknowledged_at
from agent.core.model import ChatMessage, Ticket
from agent.policy.rule_models import AckOverdue, WeeklyDigest, kind_name
from agent.policy.schema import Policy

if TYPE_CHECKING:  # state.py imports this module for Breach and IncidentRecord
    from agent.core.state import TicketState

# 12 charted weeks plus the week being reported and a margin for a late digest.
KEEP_RECORDS = timedelta(weeks=14)


@dataclass(frozen=True)
class Breach:
    """An obligation that fell overdue: the rule's ident, the item id and its due instant.

    ``(item, due)`` names the obligation's slot, so the same overdue slot seen in
    many cycles (or nudged only after quiet hours) counts once.
    """

    rule: str
    item: str
    due: datetime


@dataclass(frozen=True)
class IncidentRecord:
    """One escalation as the digest counts it (severity as the policy last saw it)."""

    issue: str
    policy: str
    project: str
    severity: str | None
    opened: datetime
    acknowledged: datetime | None = None
    resolved: datetime | None = None
    breaches: tuple[Breach, ...] = ()


def with_breach(
    breaches: tuple[Breach, ...], rule: str, item: str, due: datetime
) -> tuple[Breach, ...]:
    """``breaches`` plus this overdue slot, unless that slot is already counted."""
    for breach in reversed(breaches):
        if breach.item == item:
            if breach.due == due:
                return breaches
            break
    return (*breaches, Breach(rule=rule, item=item, due=due))


def trimmed_breaches(breaches: tuple[Breach, ...], before: datetime) -> tuple[Breach, ...]:
    """Drop breaches due before the cut-off; the same tuple when there is none to drop.

    Returning the same object lets the planner notice "unchanged" with ``is``.
    """
    if all(b.due >= before for b in breaches):
        return breaches
    return tuple(b for b in breaches if b.due >= before)


def synced_record(
    previous: IncidentRecord | None,
    *,
    policy: str,
    ticket: Ticket,
    severity: str | None,
    breaches: tuple[Breach, ...],
    resolved_fallback: datetime,
    acknowledged: Callable[[], datetime | None],
) -> IncidentRecord:
    """The ticket's record as of this cycle; ``previous`` itself when nothing changed.

    ``acknowledged`` is called only while the record has no acknowledgement yet (it
    scans comments and messages). A reopened ticket loses its resolution until it is
    resolved again; ``resolved_fallback`` (the cycle's clock or the time the state
    first saw it resolved) stands in when Jira gives no resolution date.
    """
    if ticket.is_open:
        resolved = None
    elif previous is not None and previous.resolved is not None:
        resolved = previous.resolved
    else:
        resolved = ticket.resolved_at or resolved_fallback
    acked = previous.acknowledged if previous is not None else None
    if acked is None:
        acked = acknowledged()
    if (
        previous is not None
        and previous.policy == policy
        and previous.project == ticket.project
        and previous.severity == severity
        and previous.opened == ticket.created
        and previous.acknowledged == acked
        and previous.resolved == resolved
        and (previous.breaches is breaches or previous.breaches == breaches)
    ):
        return previous
    return IncidentRecord(
        issue=ticket.key,
        policy=policy,
        project=ticket.project,
        severity=severity,
        opened=ticket.created,
        acknowledged=acked,
        resolved=resolved,
        breaches=breaches,
    )


def pruned_records(
    records: Mapping[str, IncidentRecord], before: datetime
) -> Mapping[str, IncidentRecord] | None:
    """The records without those resolved before the cut-off; None when none is dropped."""
    gone = [k for k, r in records.items() if r.resolved is not None and r.resolved < before]
    if not gone:
        return None
    keep = dict(records)
    for key in gone:
        del keep[key]
    return MappingProxyType(keep)


@dataclass
class LedgerUpdate:
    """What one policy's cycle changes: records, ticket states with old breaches trimmed,
    and problems (a ticket whose data the acknowledgement test cannot read)."""

    records: dict[str, IncidentRecord] = field(default_factory=dict)
    states: dict[str, TicketState] = field(default_factory=dict)
    problems: list[TicketProblem] = field(default_factory=list)


# Data errors a malformed ticket can provoke while looking for its acknowledgement.
_TICKET_DATA_ERRORS = (ValueError, TypeError, KeyError, AttributeError)


def ledger_updates(
    policy: Policy,
    tickets: Iterable[Ticket],
    *,
    states: Mapping[str, TicketState],
    severities: Mapping[str, str | None],
    records: Mapping[str, IncidentRecord],
    messages: Mapping[str, Sequence[ChatMessage]],
    now: datetime,
    reported: Container[str] = (),
) -> LedgerUpdate:
    """The records that changed this cycle, and ticket states whose old breaches were trimmed.

    Unchanged tickets cost a few comparisons: the record is rebuilt only when a
    field differs, and the acknowledgement is looked for only until it is found.
    A ticket whose data breaks the acknowledgement test keeps its old record; the
    problem is reported unless a rule already reported one for it (``reported``).
    """
    update = LedgerUpdate()
    cutoff = now - KEEP_RECORDS
    by = _ack_roles(policy)
    for ticket in tickets:
        state = states[ticket.key]
        breaches = trimmed_breaches(state.breaches, cutoff)
        if breaches is not state.breaches:
            update.states[ticket.key] = replace(state, breaches=breaches)
        previous = records.get(ticket.key)
        try:
            record = synced_record(
                previous,
                policy=policy.name,
                ticket=ticket,
                severity=severities.get(ticket.key),
                breaches=breaches,
                resolved_fallback=state.resolved_at or now,
                acknowledged=partial(
                    acknowledged_at, policy, ticket, messages.get(ticket.key, ()), by
                ),
            )
        except _TICKET_DATA_ERRORS as exc:
            if ticket.key not in reported:
                message = f"incident ledger: {type(exc).__name__}: {exc}"
                update.problems.append(TicketProblem(ticket.key, kind_name(WeeklyDigest), message))
            continue
        if record is not previous:
            update.records[ticket.key] = record
    return update


def _ack_roles(policy: Policy) -> list[str] | None:
    """Whose update acknowledges: the ``ack_overdue`` rule's ``by``, else the policy's updaters."""
    for rule in policy.rules:
        if isinstance(rule, AckOverdue) and rule.by:
            return list(rule.by)
    return None
