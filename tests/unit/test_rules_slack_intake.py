"""slack_intake: reports in the shared channel become tickets once; their threads are the record."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from agent.core.actions import ActionKind
from agent.core.model import ChatMessage, Person
from agent.core.slack_reports import SlackThread, incident_thread, report_label
from tests.unit.factories import (
    ALICE,
    Runner,
    comment,
    of_kind,
    policy,
    resolved,
    spec_of,
    ticket,
    utc,
)

MONDAY = utc(2026, 3, 2, 10, 0)
CHANNEL = "C0OPS"

SUPPORT = """
severity:
  levels: [P1, P2, P3, P4]
  field: {name: Severity, map: {Critical: P1, High: P2, Medium: P3, Low: P4}}
roles:
  support: 'email:sam@sandbox.example'
updates: {sources: [jira_comment, channel_message], by: [support, assignee]}
rules:
  - rule: slack_intake
    channel: '#operator-support'
    project: T
    labels: [from-slack]
  - rule: ack_overdue
    within: 15m
    to: [support]
    notify: [incident_thread]
"""


def ts_of(moment: datetime, serial: int = 0) -> str:
    return f"{int(moment.timestamp())}.{serial:06d}"


def said(
    text: str,
    at: datetime,
    *,
    user: str = "UOLGA",
    email: str | None = "olga@operator.example",
    thread: str | None = None,
) -> ChatMessage:
    ts = ts_of(at)
    return ChatMessage(CHANNEL, ts, user, text, at, user_email=email, thread_ts=thread)


def made_from(message: ChatMessage, key: str = "T-1", created: datetime | None = None) -> object:
    label = report_label(SlackThread(message.channel, message.ts))
    return ticket(
        key, created=created or message.at + timedelta(minutes=1), labels=frozenset({label})
    )


REPORT = "Odds feed stalled\nProduct: Bundesliga feed\nImpact: markets suspended\nP2 since 09:50"


def test_a_report_asks_for_one_ticket_with_what_it_says() -> None:
    runner = Runner([policy(SUPPORT)])
    report = said(REPORT, MONDAY)
    result = runner.cycle(
        [], MONDAY + timedelta(minutes=1), reports={"#operator-support": [report]}
    )
    (create,) = result.actions
    assert create.kind is ActionKind.JIRA_ISSUE_FROM_REPORT and create.issue is None
    assert create.key == f"slack_intake:{CHANNEL}-{report.ts}:ticket"
    data = create.context
    assert data["summary"] == "Odds feed stalled" and data["project"] == "T"
    assert data["marker"] == f"slack-report-{CHANNEL}-{report.ts}"
    assert data["labels"] == ["from-slack"]
    assert data["severity"] == "P2" and data["fields"] == {"Severity": "High"}
    assert data["missing"] == ["evidence"]
    assert data["reporter_email"] == "olga@operator.example"
    # done: never again
    again = runner.cycle([], MONDAY + timedelta(minutes=2), reports={"#operator-support": [report]})
    assert again.actions == ()
    # with the state lost it is asked again, and says its ticket exists (the executor
    # finds the ticket by its label and the reply by its key: neither is made twice)
    fresh = Runner([policy(SUPPORT)])
    found = fresh.cycle(
        [made_from(report)], MONDAY + timedelta(minutes=3), reports={"#operator-support": [report]}
    )
    (recheck,) = of_kind(found, ActionKind.JIRA_ISSUE_FROM_REPORT)
    assert recheck.key == create.key and "has its ticket" in recheck.reason


def test_replies_joins_the_bots_own_and_history_are_not_reports() -> None:
    first_contact = MONDAY - timedelta(minutes=5)
    runner = Runner([policy(SUPPORT)], first_contact={"test": first_contact})
    parent = said("Old report", MONDAY - timedelta(hours=1))
    messages = [
        parent,
        said("a reply", MONDAY, thread=parent.ts),
        said("joined", MONDAY, user=""),  # no author: a system message
        said("  ", MONDAY),
    ]
    result = runner.cycle(
        [], MONDAY + timedelta(minutes=1), reports={"#operator-support": messages}
    )
    assert result.actions == ()


def test_thread_replies_are_copied_once_and_support_replying_acknowledges() -> None:
    runner = Runner([policy(SUPPORT)])
    report = said(REPORT, MONDAY)
    made = made_from(report)
    reply = said("Looking at it", MONDAY + timedelta(minutes=4), user="USAM", email=None)
    reply = ChatMessage(
        CHANNEL,
        ts_of(MONDAY + timedelta(minutes=4), 7),
        "USAM",
        "Looking at it <@UOLGA>",
        MONDAY + timedelta(minutes=4),
        user_email="sam@sandbox.example",
        thread_ts=report.ts,
    )
    result = runner.cycle([made], MONDAY + timedelta(minutes=20), {"T-1": [reply]})
    (copy,) = result.actions
    assert copy.kind is ActionKind.JIRA_COMMENT and copy.key == f"slack_intake:T-1:copy@{reply.ts}"
    assert copy.template == "jira/slack_copy.j2"
    assert copy.context["copied_text"] == "Looking at it @UOLGA"
    assert copy.context["copied_author"] == "sam@sandbox.example"
    assert runner.cycle([made], MONDAY + timedelta(minutes=21), {"T-1": [reply]}).actions == ()


def test_a_copied_reply_names_its_author_as_the_ticket_knows_them() -> None:
    """An author the ticket knows (by email, any case, or by mapped account) is named by
    their Jira display name; one it does not know keeps the address."""
    runner = Runner([policy(SUPPORT)])
    report = said(REPORT, MONDAY)
    sam = Person("acc-sam", "Sam Support", "sam@sandbox.example")
    made = replace(
        made_from(report),
        comments=(comment(sam, MONDAY + timedelta(minutes=2), "Seen"),),
        assignee=ALICE,
    )
    at = MONDAY + timedelta(minutes=4)
    by_email = replace(
        said("On it", at, user="USAM", email="Sam@Sandbox.example", thread=report.ts),
        ts=ts_of(at, 1),
    )
    by_account = replace(
        said("Restarting", at, user="UAL", email=None, thread=report.ts),
        ts=ts_of(at, 2),
        user_account_id=ALICE.account_id,
    )
    stranger = replace(
        said("Same here", at, user="UEVE", email="eve@operator.example", thread=report.ts),
        ts=ts_of(at, 3),
    )
    result = runner.cycle(
        [made], at + timedelta(minutes=1), {"T-1": [by_email, by_account, stranger]}
    )
    authors = [a.context["copied_author"] for a in of_kind(result, ActionKind.JIRA_COMMENT)]
    assert authors == ["Sam Support", ALICE.display_name, "eve@operator.example"]


def test_nobody_answering_in_15_minutes_of_the_message_is_nudged_in_its_thread() -> None:
    runner = Runner([policy(SUPPORT)])
    report = said(REPORT, MONDAY)
    made = made_from(report, created=MONDAY + timedelta(minutes=3))
    assert runner.cycle([made], MONDAY + timedelta(minutes=14)).actions == ()
    result = runner.cycle([made], MONDAY + timedelta(minutes=15))
    (nudge,) = result.actions
    assert nudge.kind is ActionKind.SLACK_POST and nudge.rule == "ack_overdue"
    assert spec_of(nudge) == f"thread:{CHANNEL}:{report.ts}"
    assert nudge.due == report.at + timedelta(minutes=15)


def test_a_ticket_made_in_jira_has_no_thread_to_copy_and_is_not_recreated() -> None:
    runner = Runner([policy(SUPPORT)])
    plain = ticket("T-2", created=MONDAY, assignee=ALICE)
    result = runner.cycle([plain], MONDAY + timedelta(minutes=1))
    assert of_kind(result, ActionKind.JIRA_COMMENT) == []
    assert of_kind(result, ActionKind.JIRA_ISSUE_FROM_REPORT) == []


def test_a_ticket_made_in_jira_gets_its_thread_opened_once_and_nudged_there() -> None:
    runner = Runner([policy(SUPPORT)])
    plain = ticket("T-2", created=MONDAY, assignee=ALICE)
    (opened,) = runner.cycle([plain], MONDAY + timedelta(minutes=1)).actions
    assert opened.kind is ActionKind.SLACK_OPEN_THREAD and opened.issue == "T-2"
    assert opened.key == "slack_intake:T-2:thread##operator-support"
    assert spec_of(opened) == "#operator-support"
    assert opened.template == "slack/incident_thread.j2"
    assert opened.context["issue"] == "T-2"
    # never again: neither while the label is on its way nor once the ticket carries it
    assert runner.cycle([plain], MONDAY + timedelta(minutes=2)).actions == ()
    labelled = replace(plain, labels=frozenset({runner.opened["T-2"]}))
    assert runner.cycle([labelled], MONDAY + timedelta(minutes=3)).actions == ()
    (nudge,) = runner.cycle([plain], MONDAY + timedelta(minutes=15)).actions
    thread = incident_thread(labelled)
    assert thread is not None and spec_of(nudge) == f"thread:{thread.channel}:{thread.ts}"
    assert nudge.context["reply_in_thread"] is True
    # a reply there by support acknowledges: no repeat, the item is done
    reply = ChatMessage(
        thread.channel,
        ts_of(MONDAY + timedelta(minutes=16), 3),
        "USAM",
        "Acknowledged",
        MONDAY + timedelta(minutes=16),
        user_email="sam@sandbox.example",
        thread_ts=thread.ts,
    )
    after = runner.cycle([plain], MONDAY + timedelta(minutes=31), {"T-2": [reply]})
    assert {a.kind for a in after.actions} == {
        ActionKind.JIRA_COMMENT,
        ActionKind.SLACK_THREAD_DONE,
    }
    (copy,) = of_kind(after, ActionKind.JIRA_COMMENT)
    assert copy.key == f"slack_intake:T-2:copy@{reply.ts}"


def test_no_thread_for_a_resolved_ticket_another_project_or_when_told_not_to() -> None:
    runner = Runner([policy(SUPPORT)])
    gone = resolved(ticket("T-3", created=MONDAY), MONDAY + timedelta(minutes=1))
    other = ticket("X-1", created=MONDAY)
    result = runner.cycle([gone, other], MONDAY + timedelta(minutes=2))
    assert of_kind(result, ActionKind.SLACK_OPEN_THREAD) == []
    quiet = Runner([policy(SUPPORT.replace("labels: [from-slack]", "open_threads: false"))])
    result = quiet.cycle([ticket("T-4", created=MONDAY)], MONDAY + timedelta(minutes=1))
    assert result.actions == ()


GROUP_SUPPORT = SUPPORT.replace(
    "support: 'email:sam@sandbox.example'", "support: 'group:@Gamnify-Support'"
)


def test_a_reply_by_a_member_of_the_support_group_acknowledges() -> None:
    """The reader tells which named user groups a message's author is in; a member of the
    group the support role names acknowledges, anyone else does not."""
    report = said(REPORT, MONDAY)
    made = made_from(report)
    at = MONDAY + timedelta(minutes=5)
    member = replace(
        said("On it", at, user="UGINA", email="gina@sandbox.example", thread=report.ts),
        author_groups=frozenset({"gamnify-support"}),
    )
    outsider = replace(
        said("Same here", at, user="UEVE", email="eve@operator.example", thread=report.ts),
        author_groups=frozenset({"operators"}),
    )
    later = MONDAY + timedelta(minutes=16)
    for reply, nudged in ((member, False), (outsider, True)):
        result = Runner([policy(GROUP_SUPPORT)]).cycle([made], later, {"T-1": [reply]})
        nudges = [a for a in result.actions if a.rule == "ack_overdue"]
        assert bool(nudges) is nudged, reply.user_slack_id


def test_a_report_made_in_slack_is_asked_for_what_it_lacks_in_its_thread_only() -> None:
    """intake_missing_fields leaves a ticket made from a Slack report to the thread's ask;
    a ticket made in Jira is still asked on the ticket, and so is a report when the
    intake rule asks for nothing."""
    asks = SUPPORT + (
        "  - rule: intake_missing_fields\n"
        "    fields: [Summary, Product Impacted]\n"
        "    to: [support]\n"
        "    notify: [jira]\n"
    )
    report = said(REPORT, MONDAY)
    from_slack = made_from(report)
    from_jira = ticket("T-2", created=MONDAY + timedelta(minutes=1), assignee=ALICE)
    at = MONDAY + timedelta(minutes=2)
    result = Runner([policy(asks)]).cycle([from_slack, from_jira], at)
    asked = [a.issue for a in result.actions if a.rule == "intake_missing_fields"]
    assert asked == ["T-2"]
    silent = asks.replace("labels: [from-slack]", "labels: [from-slack]\n    ask_for: []")
    result = Runner([policy(silent)]).cycle([from_slack], at)
    assert [a.issue for a in result.actions if a.rule == "intake_missing_fields"] == ["T-1"]
