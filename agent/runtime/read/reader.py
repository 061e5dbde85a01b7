"""Reading what the planner needs: tickets per policy, their details, channel messages.

After a first full read, each policy's search asks Jira only for tickets
updated since its last read began, minus ``overlap`` (clock skew between the
agent and Jira, index lag; JQL dates are also floored to the minute); every
other ticket is planned from its snapshot kept in the store (kv namespace
``tickets``), so clock rules still see every open ticket. Every
``full_sync_every`` a policy reads its whole query again: tickets that left it
are dropped. Comments, changelog and watchers are fetched only for tickets whose
``updated`` differs from their snapshot. A ticket whose data could not be read
completely is left out of this cycle, so the engine never nudges on a partial
picture (e.g. missing the comment that acknowledged it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from agent.adapters.jira_jql import policy_jql
from agent.adapters.jira_port import JiraPort, UnknownFieldError
from agent.adapters.service_errors import ChannelArchived, NotFound, ServiceError
from agent.adapters.slack_port import SlackPort
from agent.core.model import ChatMessage, Ticket
from agent.core.rules.catalogue import CATALOGUE
from agent.core.selection import governs
from agent.core.state import EngineState
from agent.policy import Policy
from agent.runtime.read.chat_cache import ChatCache
from agent.runtime.read.intake_reader import read_intake
from agent.runtime.read.snapshots import SnapshotError, ticket_from_json, ticket_to_json
from agent.runtime.read.sync_state import SyncCursor, SyncState, query_fingerprint
from agent.runtime.read.user_groups import GroupMembership, named_groups
from agent.runtime.report import CycleReport
from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

SNAPSHOT_NAMESPACE = "tickets"
DESCRIPTION_FIELD = "description"
DEFAULT_OVERLAP = timedelta(minutes=2)
# Changed tickets' comments/changelog/watchers are read this many at a time: Jira has
# no bulk read, and at 50 ms a request, 100 changed tickets one by one take 15 s.
DETAIL_WORKERS = 8


@dataclass
class ReadResult:
    tickets: list[Ticket] = field(default_factory=list)
    messages: dict[str, list[ChatMessage]] = field(default_factory=dict)
    # Issues whose messages came from the kept copy (refreshed on demand before acting).
    cached_messages: set[str] = field(default_factory=set)
    full_reads: list[str] = field(default_factory=list)  # policies read in full this cycle
    # Escalation channels found archived while reading them: issue -> channel id.
    archived_channels: dict[str, str] = field(default_factory=dict)
    # Top-level messages of each ``slack_intake`` channel, by the ``#name`` the rule gives.
    reports: dict[str, list[ChatMessage]] = field(default_factory=dict)


@dataclass
class _PolicyRead:
    policy: Policy
    sync: SyncState
    cursor: SyncCursor | None
    full: bool
    previous: set[str]
    fresh: list[Ticket]


def fields_to_fetch(policy: Policy) -> list[str]:
    """The policy's custom fields plus the optional built-ins its rules read.

    The adapter always fetches the base fields (status, people, labels, dates...);
    the description is large and only fetched for policies that check it or write
    a page showing it (a kind the catalogue says ``reads_descriptions``).
    """
    names = policy.required_fields()
    for rule in policy.rules:
        listed = getattr(rule, "fields", None)
        if CATALOGUE.of(rule).reads_descriptions or (
            isinstance(listed, list) and any(str(n).lower() == "description" for n in listed)
        ):
            names.append(DESCRIPTION_FIELD)
            break
    return names


def reads_message_content(policy: Policy) -> bool:
    """Whether a newer channel message can ADD an action (so messages are always re-read)."""
    return "channel_message" in policy.updates.sources and any(
        CATALOGUE.of(rule).reads_message_content for rule in policy.rules
    )


class TicketReader:
    """Reads tickets for the policies.

    ``full_sync_every=None`` reads every policy's whole query each time (the
    read-only ``plan``); ``save_snapshots=False`` writes nothing to the store.
    """

    def __init__(
        self,
        jira: JiraPort,
        slack: SlackPort,
        store: StateStore,
        *,
        save_snapshots: bool = True,
        full_sync_every: timedelta | None = None,
        overlap: timedelta = DEFAULT_OVERLAP,
        detail_workers: int = DETAIL_WORKERS,
        user_map: Mapping[str, str] | None = None,
    ) -> None:
        self.jira = jira
        self.slack = slack
        self.store = store
        self.save_snapshots = save_snapshots
        self.full_sync_every = full_sync_every if save_snapshots else None
        self.overlap = overlap
        self.detail_workers = detail_workers
        self.chat = ChatCache(store, writable=save_snapshots)
        self._snapshots: dict[str, Ticket] = {}
        # AGENT_USER_MAP read backwards: whose Jira account a Slack user is, for people
        # whose email Jira hides (their messages are then matched to roles by account)
        self._accounts_by_slack_id = {
            slack_id: account
            for account, slack_id in (user_map or {}).items()
            if "@" not in account
        }
        self._groups = GroupMembership(slack, ())

    # -- tickets ----------------------------------------------------------------------
    def read(
        self,
        policies: Sequence[Policy],
        state: EngineState,
        report: CycleReport,
        now: datetime | None = None,
    ) -> ReadResult:
        self._snapshots = {}  # last cycle's copies go before this cycle's are loaded (peak RSS)
        self._snapshots = self._load_snapshots()
        reads = [r for r in (self._search_policy(p, now, report) for p in policies) if r]
        fresh: dict[str, Ticket] = {}
        for policy_read in reads:
            for ticket in policy_read.fresh:
                seen = fresh.get(ticket.key)
                # Two policies' searches may fetch different custom fields: keep them all.
                fresh[ticket.key] = (
                    ticket
                    if seen is None
                    else replace(seen, fields={**seen.fields, **ticket.fields})
                )
        detailed, failed = self._details(list(fresh.values()), report)
        tickets = self._assemble(reads, detailed, failed, now)
        report.tickets_read = len(tickets) + len(failed)
        for problem in self.jira.take_problems():
            report.problems.append(str(problem))
        result = ReadResult(tickets=tickets, full_reads=[r.policy.name for r in reads if r.full])
        self._groups = GroupMembership(self.slack, policies)  # members read afresh each cycle
        self._read_messages(policies, state, result, report, refresh=None)
        if now is not None:
            self._read_intake(policies, result, report, now)
        self._without_unknown_members(policies, result, report)
        return result

    def _without_unknown_members(
        self, policies: Sequence[Policy], result: ReadResult, report: CycleReport
    ) -> None:
        """Leave out the tickets of policies naming a user group whose members were not read:
        a member's reply would look missing, and the ticket be nudged on a partial picture."""
        gone = self._groups.take_unreadable()
        if not gone:
            return
        for handle, why in sorted(gone.items()):
            report.read_error(
                "slack", f"members of the user group @{handle} not read, left for next cycle: {why}"
            )
        blind = [p for p in policies if not named_groups(p).isdisjoint(gone)]
        left_out = {t.key for t in result.tickets if any(governs(p, t) for p in blind)}
        result.tickets = [t for t in result.tickets if t.key not in left_out]
        for key in left_out:
            result.messages.pop(key, None)
            result.cached_messages.discard(key)

    def _read_intake(
        self, policies: Sequence[Policy], result: ReadResult, report: CycleReport, now: datetime
    ) -> None:
        """Reports in the ``slack_intake`` channels, and the threads of their open tickets."""
        read = read_intake(
            self.slack,
            policies,
            result.tickets,
            report=report,
            now=now,
            accounts=self._with_accounts,
        )
        result.reports = read.reports
        for key, replies in read.replies.items():
            merged = [*result.messages.get(key, []), *replies]
            result.messages[key] = sorted(merged, key=lambda m: (m.at, m.ts))
        if read.unreadable:
            result.tickets = [t for t in result.tickets if t.key not in read.unreadable]
            for key in read.unreadable:
                result.messages.pop(key, None)

    def _load_snapshots(self) -> dict[str, Ticket]:
        kept: dict[str, Ticket] = {}
        for key, raw in self.store.kv_each(SNAPSHOT_NAMESPACE):
            try:
                kept[key] = ticket_from_json(raw)
            except SnapshotError as exc:
                log.warning("snapshot of %s is unusable (%s); reading it again", key, exc)
        return kept

    def _wants_full(
        self, cursor: SyncCursor | None, fingerprint: str, now: datetime | None
    ) -> bool:
        if self.full_sync_every is None or now is None or cursor is None:
            return True
        if cursor.fingerprint != fingerprint:
            return True
        return not cursor.full_at <= now < cursor.full_at + self.full_sync_every

    def _search_policy(
        self, policy: Policy, now: datetime | None, report: CycleReport
    ) -> _PolicyRead | None:
        names = fields_to_fetch(policy)
        sync = SyncState(self.store, policy.name)
        cursor = sync.cursor() if self.full_sync_every is not None else None
        previous = sync.members() if cursor is not None else set()
        # No members: nothing matched last time (a full search costs the same then),
        # or the list was lost; either way only a full read is safe.
        full = not previous or self._wants_full(
            cursor, query_fingerprint(policy_jql(policy), names), now
        )
        since = None if full or cursor is None else cursor.since
        try:
            found = list(self.jira.search(policy_jql(policy), names, updated_since=since))
        except UnknownFieldError as exc:
            report.read_error("jira", f"policy {policy.name}: {exc}")
        except ServiceError as exc:
            report.read_error("jira", f"policy {policy.name}: search failed: {exc}")
        else:
            return _PolicyRead(policy, sync, cursor, full, previous, found)
        log.error("policy %s: no tickets this cycle: %s", policy.name, report.read_errors[-1])
        return None

    def _assemble(
        self,
        reads: list[_PolicyRead],
        detailed: dict[str, Ticket],
        failed: dict[str, datetime],
        now: datetime | None,
    ) -> list[Ticket]:
        """Fresh tickets plus the snapshots of unchanged members; cursors and members saved."""
        tickets: dict[str, Ticket] = dict(detailed)
        kept: set[str] = set()
        dropped: set[str] = set()
        for policy_read in reads:
            keys = {t.key for t in policy_read.fresh}
            members = keys if policy_read.full else policy_read.previous | keys
            kept |= members
            dropped |= policy_read.previous - members
            for key in members - keys - set(failed):
                snapshot = self._snapshots.get(key)
                if snapshot is not None:
                    tickets.setdefault(key, snapshot)
            self._advance(policy_read, members, failed, now)
        if self.save_snapshots and self.full_sync_every is not None:
            self._forget(dropped - kept)
        return list(tickets.values())

    def _advance(
        self,
        policy_read: _PolicyRead,
        members: set[str],
        failed: dict[str, datetime],
        now: datetime | None,
    ) -> None:
        """Next search from this read's start minus the overlap, or from a ticket that failed."""
        if not self.save_snapshots or self.full_sync_every is None or now is None:
            return
        cursor = policy_read.cursor
        since = now - self.overlap
        stuck = [failed[t.key] for t in policy_read.fresh if t.key in failed]
        if stuck:
            since = min(since, *stuck)
        fingerprint = query_fingerprint(
            policy_jql(policy_read.policy), fields_to_fetch(policy_read.policy)
        )
        full_at = now if policy_read.full or cursor is None else cursor.full_at
        updated = SyncCursor(fingerprint, since, full_at)
        try:
            policy_read.sync.save(updated, members, policy_read.previous, now)
        except StoreError as exc:
            log.warning("could not keep the read cursor of %s: %s", policy_read.policy.name, exc)

    def _forget(self, keys: Iterable[str]) -> None:
        """Snapshots of tickets no policy's query matches any more."""
        for key in keys:
            log.info("%s left every policy's query; forgetting its snapshot", key)
            try:
                self.store.kv_delete(SNAPSHOT_NAMESPACE, key)
                self.chat.forget(key)
            except StoreError as exc:
                log.warning("could not forget the snapshot of %s: %s", key, exc)

    def _details(
        self, tickets: list[Ticket], report: CycleReport
    ) -> tuple[dict[str, Ticket], dict[str, datetime]]:
        """Details from the snapshot when ``updated`` is unchanged, else read (in parallel).

        Only the Jira calls run in worker threads; the report and the store are
        touched here, in the calling thread. Returns (detailed, failed: key -> updated).
        """
        detailed: dict[str, Ticket] = {}
        to_read: list[Ticket] = []
        for ticket in tickets:
            snapshot = self._snapshots.get(ticket.key)
            if snapshot is not None and snapshot.updated == ticket.updated:
                detailed[ticket.key] = replace(
                    ticket,
                    comments=snapshot.comments,
                    changelog=snapshot.changelog,
                    watchers=snapshot.watchers,
                )
            else:
                to_read.append(ticket)
        failed: dict[str, datetime] = {}
        for ticket, outcome in self._read_details(to_read):
            if isinstance(outcome, Ticket):
                detailed[ticket.key] = outcome
                self._keep(outcome, report)
                continue
            failed[ticket.key] = ticket.updated
            if isinstance(outcome, NotFound):
                report.problems.append(f"{ticket.key}: gone since the search ({outcome})")
            else:
                report.read_error(
                    "jira", f"{ticket.key}: details not read, left for next cycle: {outcome}"
                )
        return detailed, failed

    def _read_details(self, tickets: list[Ticket]) -> list[tuple[Ticket, Ticket | ServiceError]]:
        def one(ticket: Ticket) -> tuple[Ticket, Ticket | ServiceError]:
            try:
                return ticket, self.jira.with_details(ticket)
            except ServiceError as exc:
                return ticket, exc

        if len(tickets) <= 1 or self.detail_workers <= 1:
            return [one(t) for t in tickets]
        with ThreadPoolExecutor(self.detail_workers, thread_name_prefix="details") as pool:
            return list(pool.map(one, tickets))

    def _with_accounts(self, messages: list[ChatMessage]) -> list[ChatMessage]:
        """The messages with their authors' Jira accounts, where AGENT_USER_MAP names them,
        and the user groups the policies name that each author is in."""
        if self._accounts_by_slack_id:
            messages = [
                replace(m, user_account_id=self._accounts_by_slack_id.get(m.user_slack_id or ""))
                for m in messages
            ]
        return self._groups.tell(messages)

    def _keep(self, detailed: Ticket, report: CycleReport) -> None:
        report.details_read += 1
        if not self.save_snapshots:
            return
        try:
            self.store.kv_put(SNAPSHOT_NAMESPACE, detailed.key, ticket_to_json(detailed))
        except StoreError as exc:
            log.warning("could not keep the snapshot of %s: %s", detailed.key, exc)

    # -- channel messages -----------------------------------------------------------------
    def refresh_messages(
        self,
        issues: set[str],
        policies: Sequence[Policy],
        state: EngineState,
        result: ReadResult,
        report: CycleReport,
    ) -> None:
        """Read again the channels of ``issues`` whose messages came from the kept copy."""
        self._read_messages(policies, state, result, report, refresh=issues)
        self._without_unknown_members(policies, result, report)

    def _read_messages(
        self,
        policies: Sequence[Policy],
        state: EngineState,
        result: ReadResult,
        report: CycleReport,
        *,
        refresh: set[str] | None,
    ) -> None:
        """Escalation-channel messages for policies that count them as updates.

        ``refresh=None``: read channels with no kept copy (or whose policy reads
        message content), take the rest from the copy. Otherwise re-read exactly
        the named issues.
        """
        readers = [p for p in policies if "channel_message" in p.updates.sources]
        if not readers:
            return
        always = [p for p in readers if reads_message_content(p)]
        unreadable: set[str] = set()
        for ticket in result.tickets:
            if refresh is not None and ticket.key not in refresh:
                continue
            if not ticket.is_open or not any(governs(p, ticket) for p in readers):
                continue
            known = state.ticket(ticket.key)
            if known is None or known.channel_id is None:
                continue
            if refresh is None and not any(governs(p, ticket) for p in always):
                kept = self.chat.get(ticket.key, known.channel_id)
                if kept is not None:
                    result.messages[ticket.key] = self._with_accounts(kept)
                    result.cached_messages.add(ticket.key)
                    continue
            try:
                messages = self.slack.channel_messages(known.channel_id, ticket.created)
            except ChannelArchived:
                # nobody can read it any more: what was read before still counts
                result.archived_channels[ticket.key] = known.channel_id
                kept = self.chat.get(ticket.key, known.channel_id) or []
                result.messages[ticket.key] = self._with_accounts(kept)
                continue
            except ServiceError as exc:
                unreadable.add(ticket.key)
                report.read_error(
                    "slack", f"{ticket.key}: channel messages not read, left for next cycle: {exc}"
                )
                continue
            # updates given in the ticket's archived channels still count
            carried = self.chat.carried(ticket.key, known.archived_channels)
            self.chat.put(ticket.key, known.channel_id, messages, carried)
            merged = sorted([*carried, *messages], key=lambda m: (m.at, m.ts))
            result.messages[ticket.key] = self._with_accounts(merged)
            result.cached_messages.discard(ticket.key)
        if unreadable:
            result.tickets = [t for t in result.tickets if t.key not in unreadable]
            for key in unreadable:
                result.messages.pop(key, None)
                result.cached_messages.discard(key)
