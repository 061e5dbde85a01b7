"""Reading what the planner needs: tickets per policy, their details, channel messages.

One JQL search per policy each cycle (the clock rules need every open ticket,
changed or not). Comments, changelog and watchers are fetched only for tickets
whose ``updated`` differs from the last detailed snapshot; the others are planned
from the snapshot kept in the store (kv namespace ``tickets``). A ticket whose
data could not be read completely is left out of this cycle, so the engine never
nudges on a partial picture (e.g. missing the comment that acknowledged it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from agent.adapters.errors import NotFound, ServiceError
from agent.adapters.jira_port import JiraPort, UnknownFieldError
from agent.adapters.slack_port import SlackPort
from agent.core.model import ChatMessage, Ticket
from agent.core.state import EngineState
from agent.policy import Policy
from agent.runtime.report import CycleReport
from agent.runtime.snapshots import SnapshotError, ticket_from_json, ticket_to_json
from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

SNAPSHOT_NAMESPACE = "tickets"
DESCRIPTION_FIELD = "description"


@dataclass
class ReadResult:
    tickets: list[Ticket] = field(default_factory=list)
    messages: dict[str, list[ChatMessage]] = field(default_factory=dict)


def fields_to_fetch(policy: Policy) -> list[str]:
    """The policy's custom fields plus the optional built-ins its rules read.

    The adapter always fetches the base fields (status, people, labels, dates...);
    the description is large and only fetched for policies that check it.
    """
    names = policy.required_fields()
    for rule in policy.rules:
        listed = getattr(rule, "fields", None)
        if isinstance(listed, list) and any(str(n).lower() == "description" for n in listed):
            names.append(DESCRIPTION_FIELD)
            break
    return names


class TicketReader:
    """Reads tickets for the policies; ``save_snapshots=False`` for the read-only ``plan``."""

    def __init__(
        self,
        jira: JiraPort,
        slack: SlackPort,
        store: StateStore,
        *,
        save_snapshots: bool = True,
    ) -> None:
        self.jira = jira
        self.slack = slack
        self.store = store
        self.save_snapshots = save_snapshots

    def read(
        self, policies: Sequence[Policy], state: EngineState, report: CycleReport
    ) -> ReadResult:
        found: dict[str, Ticket] = {}
        for policy in policies:
            for ticket in self._search(policy, report):
                seen = found.get(ticket.key)
                # Two policies' searches may fetch different custom fields: keep them all.
                found[ticket.key] = (
                    ticket
                    if seen is None
                    else replace(seen, fields={**seen.fields, **ticket.fields})
                )
        report.tickets_read = len(found)
        detailed = [t for t in (self._detailed(t, report) for t in found.values()) if t]
        for problem in self.jira.take_problems():
            report.problems.append(str(problem))
        result = ReadResult(tickets=detailed)
        self._read_messages(policies, state, result, report)
        return result

    def _search(self, policy: Policy, report: CycleReport) -> list[Ticket]:
        try:
            return list(self.jira.search(policy.jql(), fields_to_fetch(policy)))
        except UnknownFieldError as exc:
            report.read_error("jira", f"policy {policy.name}: {exc}")
        except ServiceError as exc:
            report.read_error("jira", f"policy {policy.name}: search failed: {exc}")
        log.error("policy %s: no tickets this cycle: %s", policy.name, report.read_errors[-1])
        return []

    def _snapshot(self, key: str) -> Ticket | None:
        raw = self.store.kv_get(SNAPSHOT_NAMESPACE, key)
        if raw is None:
            return None
        try:
            return ticket_from_json(raw)
        except SnapshotError as exc:
            log.warning("snapshot of %s is unusable (%s); reading it again from Jira", key, exc)
            return None

    def _detailed(self, ticket: Ticket, report: CycleReport) -> Ticket | None:
        snapshot = self._snapshot(ticket.key)
        if snapshot is not None and snapshot.updated == ticket.updated:
            return replace(
                ticket,
                comments=snapshot.comments,
                changelog=snapshot.changelog,
                watchers=snapshot.watchers,
            )
        try:
            detailed = self.jira.with_details(ticket)
        except NotFound as exc:
            report.problems.append(f"{ticket.key}: gone since the search ({exc})")
            return None
        except ServiceError as exc:
            report.read_error("jira", f"{ticket.key}: details not read, left for next cycle: {exc}")
            return None
        report.details_read += 1
        if self.save_snapshots:
            try:
                self.store.kv_put(SNAPSHOT_NAMESPACE, ticket.key, ticket_to_json(detailed))
            except StoreError as exc:
                log.warning("could not keep the snapshot of %s: %s", ticket.key, exc)
        return detailed

    def _read_messages(
        self,
        policies: Sequence[Policy],
        state: EngineState,
        result: ReadResult,
        report: CycleReport,
    ) -> None:
        """Escalation-channel messages for policies that count them as updates."""
        readers = [p for p in policies if "channel_message" in p.updates.sources]
        if not readers:
            return
        unreadable: set[str] = set()
        for ticket in result.tickets:
            if not ticket.is_open or not any(p.select.matches(ticket) for p in readers):
                continue
            known = state.ticket(ticket.key)
            if known is None or known.channel_id is None:
                continue
            try:
                result.messages[ticket.key] = self.slack.channel_messages(
                    known.channel_id, ticket.created
                )
            except ServiceError as exc:
                unreadable.add(ticket.key)
                report.read_error(
                    "slack", f"{ticket.key}: channel messages not read, left for next cycle: {exc}"
                )
        if unreadable:
            result.tickets = [t for t in result.tickets if t.key not in unreadable]
