"""The executor with fake adapters and the real SQLite store: exactly once, crashes, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.adapters.confluence_port import PageMarker
from agent.adapters.service_errors import NotFound, RateLimited, ServiceUnavailable
from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.destinations import parse_destination
from agent.core.keys import ActionKey
from agent.core.state import EngineState, TicketState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.store import EffectStatus, SqlStateStore, open_store
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.unit.factories import ticket

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ALICE = Recipient("assignee", account_id="acc-alice", email="alice@x.example", display_name="Alice")
NOSLACK = Recipient("reporter", account_id="acc-nos", email="nos@x.example", display_name="Nos")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStateStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    yield opened
    opened.close()


class World:
    def __init__(self, store: SqlStateStore) -> None:
        self.store = store
        self.jira = FakeJira(tickets={"DS-1": ticket("DS-1"), "DS-2": ticket("DS-2")})
        self.slack = FakeSlack(users={"alice@x.example": "UALICE"}, channels={"sre": "CSRE"})
        self.confluence = FakeConfluence()
        self.renderer = FakeRenderer()
        self.state = EngineState().with_ticket("DS-1", TicketState(first_seen=NOW))

    def env(self, state: EngineState | None = None) -> ActionEnv:
        return ActionEnv(
            jira=self.jira,
            slack=self.slack,
            confluence=self.confluence,
            renderer=self.renderer,
            store=self.store,
            state=state or self.state,
            confluence_space="OPS",
        )

    def run(
        self, actions: list[PlannedAction], now: datetime = NOW, owner: str = "me"
    ) -> tuple[CycleReport, EngineState]:
        report = CycleReport()
        execution = Executor(self.store, owner).run(actions, self.env(), now, report)
        self.state = execution.state
        return report, execution.state


@pytest.fixture
def world(store: SqlStateStore) -> World:
    return World(store)


def act(key: str, kind: ActionKind, issue: str = "DS-1", **extra: Any) -> PlannedAction:
    values: dict[str, Any] = {
        "key": key,
        "policy": "ds-ticket-escalation",
        "rule": "clerical_label",
        "issue": issue,
        "kind": kind,
        "reason": f"because {key}",
        "due": NOW,
        "template": None,
        "context": {"issue": issue, "url": f"https://jira/browse/{issue}"},
    }
    values.update(extra)
    if isinstance(values.get("channel"), str):  # written as the spec its key ends with
        values["channel"] = parse_destination(values["channel"])
    if isinstance(values.get("thread_of"), str):  # written as the key is stored
        values["thread_of"] = ActionKey.parse(values["thread_of"])
    return PlannedAction(**values)


def comment(key: str, issue: str = "DS-1") -> PlannedAction:
    return act(key, ActionKind.JIRA_COMMENT, issue, template="jira/nudge.j2")


def post(key: str, channel: str = "#sre", **extra: Any) -> PlannedAction:
    return act(key, ActionKind.SLACK_POST, template="slack/nudge.j2", channel=channel, **extra)


def test_actions_are_performed_once_and_a_repeated_run_does_nothing_new(world: World) -> None:
    actions = [
        comment("r:DS-1:ask#jira"),
        act("r:DS-1:label", ActionKind.JIRA_ADD_LABEL, context={"label": "ESCALATION"}),
        post("r:DS-1:ask#sre", audience=(ALICE,)),
    ]
    report, state = world.run(actions)
    assert report.total_done == 3 and report.total_failed == 0
    assert world.jira.comment_keys("DS-1") == ["r:DS-1:ask#jira"]
    assert world.jira.labels_added == [("DS-1", "ESCALATION")]
    assert [p["key"] for p in world.slack.posts] == ["r:DS-1:ask#sre"]
    assert world.slack.posts[0]["text"].endswith("<@UALICE>")
    assert state.done_keys == {a.key for a in actions}
    record = world.store.get_effect("r:DS-1:ask#sre")
    assert record is not None and record.status is EffectStatus.DONE
    assert record.external_ref == {"channel": "CSRE", "ts": world.slack.posts[0]["ts"]}

    again, _ = world.run(actions, now=NOW + timedelta(minutes=1))
    assert again.total_done == 0 and again.total_skipped == 3
    assert len(world.jira.comments["DS-1"]) == 1
    assert len(world.jira.labels_added) == 1 and len(world.slack.posts) == 1


def test_a_crash_after_the_effect_is_reconciled_not_redone(world: World) -> None:
    action = comment("r:DS-1:ask#jira")
    # Another process claimed it, posted the comment, and died before finish_effect.
    world.store.begin_effect(
        action.key,
        policy=action.policy,
        rule=action.rule,
        issue="DS-1",
        kind=action.kind.value,
        owner="dead",
        now=NOW - timedelta(minutes=30),
        claim_for=timedelta(minutes=5),
    )
    world.jira.add_comment("DS-1", "already there", rule=action.rule, key=action.key)

    report, _ = world.run([action])

    assert report.total_done == 1
    assert world.jira.comment_keys("DS-1") == [action.key]  # still one comment
    record = world.store.get_effect(action.key)
    assert record is not None and record.status is EffectStatus.DONE
    assert record.external_ref == {"issue": "DS-1", "comment": "DS-1-c1", "reconciled": True}


def test_a_crash_before_the_effect_is_redone_once_after_checking(world: World) -> None:
    action = post("r:DS-1:ask#sre")
    world.store.begin_effect(
        action.key,
        policy=action.policy,
        rule=action.rule,
        issue="DS-1",
        kind=action.kind.value,
        owner="dead",
        now=NOW - timedelta(minutes=30),
        claim_for=timedelta(minutes=5),
    )
    report, _ = world.run([action])
    assert report.total_done == 1
    assert world.slack.keys() == [action.key]


def test_a_live_claim_of_another_replica_is_left_alone(world: World) -> None:
    action = comment("r:DS-1:ask#jira")
    world.store.begin_effect(
        action.key,
        policy=action.policy,
        rule=action.rule,
        issue="DS-1",
        kind=action.kind.value,
        owner="other-replica",
        now=NOW,
        claim_for=timedelta(minutes=5),
    )
    report, state = world.run([action])
    assert report.total_skipped == 1 and report.total_done == 0
    assert world.jira.comments == {}
    assert action.key not in state.done_keys


def test_typed_errors_leave_the_action_for_the_next_cycle(world: World) -> None:
    world.slack.fail.add("post", RateLimited("slack", "chat.postMessage", "slow down", 429))
    action = post("r:DS-1:ask#sre")
    report, state = world.run([action])
    assert report.total_failed == 1 and report.service_errors == {"slack": 1}
    assert "RateLimited" in report.failures[0].error
    assert action.key not in state.done_keys
    record = world.store.get_effect(action.key)
    assert record is not None and record.status is EffectStatus.PENDING and record.attempts == 1

    retry, state = world.run([action], now=NOW + timedelta(minutes=1))
    assert retry.total_done == 1 and world.slack.keys() == [action.key]
    assert action.key in state.done_keys


def test_one_bad_ticket_does_not_stop_the_others(world: World) -> None:
    world.jira.fail.add("add_labels", ServiceUnavailable("jira", "add_labels", "503", 503))
    actions = [
        comment("r:GONE-9:ask#jira", issue="GONE-9"),  # NotFound from the fake
        act("r:DS-1:label", ActionKind.JIRA_ADD_LABEL, context={"label": "X"}),  # 503
        comment("r:DS-2:ask#jira", issue="DS-2"),
    ]
    report, state = world.run(actions)
    assert report.total_failed == 2 and report.total_done == 1
    assert {f.key for f in report.failures} == {"r:GONE-9:ask#jira", "r:DS-1:label"}
    assert world.jira.comment_keys("DS-2") == ["r:DS-2:ask#jira"]
    assert state.done_keys == {"r:DS-2:ask#jira"}


def test_the_channel_is_created_invited_into_and_remembered(world: World) -> None:
    context = {"issue": "DS-1", "channel_name": "ds-1-checkout-down", "summary": "Checkout"}
    group = Recipient("always_include", group="dev-support")
    actions = [
        act(
            "c:DS-1:channel",
            ActionKind.SLACK_CREATE_CHANNEL,
            channel="escalation:DS-1",
            context=context,
        ),
        act(
            "c:DS-1:invite:alice",
            ActionKind.SLACK_INVITE,
            channel="escalation:DS-1",
            audience=(ALICE,),
            context=context,
        ),
        act(
            "c:DS-1:invite:nos",
            ActionKind.SLACK_INVITE,
            channel="escalation:DS-1",
            audience=(NOSLACK,),
            context=context,
        ),
        act(
            "c:DS-1:invite:group",
            ActionKind.SLACK_INVITE,
            channel="escalation:DS-1",
            audience=(group,),
            context=context,
        ),
        post("c:DS-1:nudge#escalation:DS-1", channel="escalation:DS-1"),
    ]
    report, state = world.run(actions)
    assert report.total_failed == 0, report.failures
    channel_id = world.slack.channels["ds-1-checkout-down"]
    ticket_state = state.ticket("DS-1")
    assert ticket_state is not None and ticket_state.channel_id == channel_id
    assert world.slack.invites == [(channel_id, ("UALICE",))]
    skipped = world.store.get_effect("c:DS-1:invite:nos")
    assert skipped is not None and skipped.external_ref is not None
    assert skipped.external_ref["skipped"] == ["nos@x.example"]
    assert world.slack.posts[0]["channel"] == channel_id


def test_repeats_reply_in_the_thread_and_done_closes_every_thread(world: World) -> None:
    anchor = "r:DS-1:ack@2026-11-23T14:00Z"
    first = post(f"{anchor}#sre")
    world.run([first])
    repeat = post(f"{anchor}:repeat@x#sre", thread_of=f"{anchor}#sre")
    done = act(
        f"{anchor}:done",
        ActionKind.SLACK_THREAD_DONE,
        template="slack/thread_done.j2",
        thread_of=anchor,
    )
    report, _ = world.run([repeat, done], now=NOW + timedelta(hours=1))
    assert report.total_failed == 0, report.failures
    top, reply, closing = world.slack.posts
    assert top["thread_ts"] is None
    assert reply["thread_ts"] == top["ts"] and closing["thread_ts"] == top["ts"]
    assert closing["key"] == f"{anchor}:done#sre"


def test_a_pin_finds_the_message_posted_earlier_in_the_plan(world: World) -> None:
    message = post("a:DS-1:alert#sre")
    pin = act(
        "a:DS-1:pin##sre",
        ActionKind.SLACK_PIN,
        channel="#sre",
        context={"message_key": message.key},
    )
    report, _ = world.run([pin, message, pin])
    # the pin before its message fails (left for later); after it, it works
    assert report.total_failed == 1 and report.total_done == 2
    assert world.slack.pins == [("CSRE", world.slack.posts[0]["ts"])]


def test_dm_goes_to_the_slack_user_of_the_email(world: World) -> None:
    report, _ = world.run(
        [post("r:DS-1:x#dm:acc-alice", channel="dm:acc-alice", audience=(ALICE,))]
    )
    assert report.total_done == 1
    assert world.slack.posts[0]["channel"] == "D-UALICE"


def test_setting_a_field_without_adapter_support_fails_clearly(world: World) -> None:
    action = act(
        "u:DS-1:upgrade",
        ActionKind.JIRA_SET_FIELD,
        context={"field": "Escalation Sev", "value": "Sev1"},
    )
    report, _ = world.run([action])
    assert report.total_failed == 1
    assert "no set_field" in report.failures[0].error


def test_confluence_pages_and_log_rows_happen_once(world: World) -> None:
    page = act(
        "s:DS-1:page@t",
        ActionKind.CONFLUENCE_PAGE,
        template="confluence/incident_summary.xml.j2",
        context={"issue": "DS-1", "title": "DS-1 summary", "space": "OPS"},
    )
    row = act(
        "l:DS-1:log@t",
        ActionKind.CONFLUENCE_LOG_ROW,
        template="confluence/incident_log_row.xml.j2",
        context={
            "issue": "DS-1",
            "page_title": "DS incident log",
            "space": "OPS",
            "log_year": 2026,
        },
    )
    world.run([page, row])
    world.run([page, row], now=NOW + timedelta(minutes=1))
    assert [t for t, _b, _m in world.confluence.pages.values()] == [
        "DS-1 summary",
        "DS incident log",
    ]
    assert len(world.confluence.rows["2"]) == 1
    marker = world.confluence.pages["1"][2]
    assert marker is not None and marker.key == "s:DS-1:page@t" and marker.issue == "DS-1"


def test_a_page_made_before_a_crash_is_found_by_its_marker(world: World) -> None:
    renamed = act(
        "s:DS-1:page@t",
        ActionKind.CONFLUENCE_PAGE,
        template="confluence/incident_summary.xml.j2",
        context={"issue": "DS-1", "title": "DS-1 summary (renamed since)"},
    )
    world.store.begin_effect(
        renamed.key,
        policy=renamed.policy,
        rule=renamed.rule,
        issue="DS-1",
        kind=renamed.kind.value,
        owner="dead",
        now=NOW - timedelta(hours=1),
        claim_for=timedelta(minutes=5),
    )
    world.confluence.pages["7"] = (
        "DS-1 summary",
        "<p/>",
        PageMarker(kind=renamed.rule, key=renamed.key, issue="DS-1"),
    )
    report, _ = world.run([renamed])
    assert report.total_done == 1
    assert list(world.confluence.pages) == ["7"]
    record = world.store.get_effect(renamed.key)
    assert record is not None and record.external_ref is not None
    assert record.external_ref["page"] == "7" and record.external_ref["reconciled"] is True


def test_a_missing_handler_dependency_is_a_failure_not_a_crash(world: World) -> None:
    world.confluence = None  # type: ignore[assignment]
    page = act(
        "s:DS-1:page@t",
        ActionKind.CONFLUENCE_PAGE,
        template="confluence/x.xml.j2",
        context={"title": "T"},
    )
    report, _ = world.run([page, comment("r:DS-1:ask#jira")])
    assert report.total_failed == 1 and report.total_done == 1
    assert "Confluence is not available" in report.failures[0].error


def test_stop_request_leaves_the_rest_for_the_next_cycle(world: World) -> None:
    calls: list[int] = []

    def stop_after_first() -> bool:
        calls.append(1)
        return len(calls) > 1

    executor = Executor(world.store, "me", should_stop=stop_after_first)
    report = CycleReport()
    execution = executor.run(
        [comment("a:DS-1:1#jira"), comment("a:DS-1:2#jira")], world.env(), NOW, report
    )
    assert execution.stopped_early
    assert world.jira.comment_keys("DS-1") == ["a:DS-1:1#jira"]
    assert world.store.get_effect("a:DS-1:2#jira") is None


def test_not_found_is_recorded_with_the_service(world: World) -> None:
    world.jira.fail.add("add_comment", NotFound("jira", "add_comment", "gone", 404))
    report, _ = world.run([comment("r:DS-1:ask#jira")])
    assert report.service_errors == {"jira": 1}
    assert report.failures[0].issue == "DS-1"


def test_a_failure_that_repeats_unchanged_is_a_warning_once_then_logged_quietly(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.confluence = None  # type: ignore[assignment]
    page = act(
        "s:DS-1:page@t",
        ActionKind.CONFLUENCE_PAGE,
        template="confluence/x.xml.j2",
        context={"title": "T"},
    )
    caplog.set_level("INFO", logger="agent.runtime.act.executor")
    first, _ = world.run([page])
    second, _ = world.run([page], now=NOW + timedelta(minutes=1))
    assert first.total_failed == 1 and second.total_failed == 1  # still a failure (exit 1)
    assert not first.failures[0].repeated and second.failures[0].repeated
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "Confluence is not available" in warnings[0].getMessage()
    assert any("still fails as before" in r.getMessage() for r in caplog.records)
