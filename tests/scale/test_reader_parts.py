"""The incremental reader's parts without HTTP: cursors, kept messages, what gets re-read."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from agent.adapters.service_errors import ServiceUnavailable
from agent.core.actions import ActionKind, Plan, PlannedAction
from agent.core.fresh_messages import fresh_messages_for
from agent.core.state import EngineState, TicketState
from agent.policy import load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.fresh_plan import needs_fresh_messages
from agent.runtime.read.chat_cache import ChatCache
from agent.runtime.read.reader import ReadResult, TicketReader
from agent.runtime.read.sync_state import SyncCursor, SyncState
from agent.runtime.report import CycleReport
from agent.store import MemoryStateStore
from tests.runtime.fakes import FakeJira, FakeSlack
from tests.unit.factories import ALICE, message, ticket, utc

NOW = utc(2026, 3, 2, 14, 0)
DS = [p for p in load_policies(bundled_rules_dir()) if p.name == "ds-ticket-escalation"]


def test_a_cursor_survives_the_store_and_a_damaged_one_means_a_full_read() -> None:
    store = MemoryStateStore()
    sync = SyncState(store, "ds")
    cursor = SyncCursor("abc", NOW - timedelta(minutes=2), NOW)
    sync.save(cursor, {"DS-1", "DS-2"}, set(), NOW)
    assert sync.cursor() == cursor and sync.members() == {"DS-1", "DS-2"}
    store.set_cursor(sync.cursor_name, '{"fingerprint": "abc"}', NOW)
    assert sync.cursor() is None


def test_kept_messages_come_back_only_for_the_same_channel() -> None:
    store = MemoryStateStore()
    kept = [message(NOW, "alice@sandbox.example", "on it")]
    ChatCache(store, writable=True).put("DS-1", "C1", kept)
    fresh = ChatCache(store, writable=True)
    assert fresh.get("DS-1", "C1") == kept
    assert fresh.get("DS-1", "C2") is None and fresh.get("DS-2", "C1") is None
    readonly = ChatCache(MemoryStateStore(), writable=False)
    readonly.put("DS-9", "C9", kept)
    assert readonly.get("DS-9", "C9") == kept  # kept for this cycle, never written


def _action(rule: str, issue: str) -> PlannedAction:
    return PlannedAction(
        key=f"{rule}:{issue}:x",
        policy="p",
        rule=rule,
        issue=issue,
        kind=ActionKind.SLACK_POST,
        reason="r",
        due=NOW,
        template=None,
    )


def test_channels_are_re_read_only_where_a_message_could_change_the_plan() -> None:
    policies = [p for p in load_policies(bundled_rules_dir()) if p.name == "support-p1-p4"]
    state = EngineState().with_tickets(
        {
            "SUP-1": TicketState(first_seen=NOW, open_items={"ack_overdue:ack": "k"}),
            "SUP-2": TicketState(first_seen=NOW, open_items={"intake_missing_fields:f": "k"}),
            "SUP-3": TicketState(first_seen=NOW),
            "SUP-4": TicketState(first_seen=NOW),
        }
    )
    actions = (_action("update_overdue", "SUP-3"), _action("clerical_channel", "SUP-4"))
    first = Plan(
        actions=actions,
        problems=(),
        state=state,
        fresh_messages_for=fresh_messages_for(actions, state, policies),
    )
    read = ReadResult(cached_messages={"SUP-1", "SUP-2", "SUP-3", "SUP-4"})
    # SUP-1: a message may meet its open ack; SUP-3: may cancel its nudge. Fields and
    # channel creation do not depend on messages.
    assert needs_fresh_messages(first, read) == {"SUP-1", "SUP-3"}
    read.cached_messages = {"SUP-3"}
    assert needs_fresh_messages(first, read) == {"SUP-3"}


def test_a_ticket_whose_details_failed_is_searched_again_next_cycle() -> None:
    store = MemoryStateStore()
    jira = FakeJira()
    for number in (1, 2):
        jira.tickets[f"DS-{number}"] = ticket(
            f"DS-{number}", created=NOW - timedelta(hours=3), labels=frozenset({"ESCALATION"})
        )
    reader = TicketReader(jira, FakeSlack(), store, full_sync_every=timedelta(minutes=30))
    reader.read(DS, EngineState(), CycleReport(), NOW)
    changed_at = NOW + timedelta(minutes=1)
    jira.tickets["DS-1"] = replace(jira.tickets["DS-1"], updated=changed_at, assignee=ALICE)
    jira.detail_failures["DS-1"] = ServiceUnavailable("jira", "comments", "down", 503)
    report = CycleReport()
    later = NOW + timedelta(minutes=20)
    read = reader.read(DS, EngineState(), report, later)
    assert [t.key for t in read.tickets] == ["DS-2"] and len(report.read_errors) == 1
    cursor = SyncState(store, DS[0].name).cursor()
    assert cursor is not None and cursor.since <= changed_at  # not moved past DS-1
    assert cursor.full_at == NOW  # still the first full read
