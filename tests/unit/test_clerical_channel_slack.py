"""What clerical_channel and the notify routing plan for Slack: intro + pin, remote link,
archived-channel policy, and user groups as notify targets (pure core, no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.core.actions import ActionKind, Recipient
from agent.core.keys import ActionKey
from agent.core.message import Message
from agent.core.routing import route
from agent.policy.errors import PolicyErrors
from tests.unit.factories import ALICE, BOB, Runner, of_kind, policy, spec_of, ticket, utc

NOW = utc(2026, 3, 2, 10, 0)
CHANNEL = """
channels: {escalation: 'ds-{number}-{summary}'}
rules:
  - rule: clerical_channel
    invite: [assignee]
    always_include: ['group:@dev-support']
"""


def test_the_channel_is_introduced_pinned_and_linked_from_the_ticket() -> None:
    result = Runner([policy(CHANNEL)]).cycle([ticket("T-7", created=NOW)], NOW)
    keys = [a.key.removeprefix("clerical_channel:T-7:") for a in result.actions]
    assert keys[:3] == ["channel", "channel:intro", "channel:pin"]
    assert keys[3].startswith("invite:")
    assert keys[4:] == ["announce", "channel:link"]
    create = of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0]
    assert create.context["on_archived"] == "replace"
    (invite,) = of_kind(result, ActionKind.SLACK_INVITE)  # everyone in one invite
    assert [p.account_id or p.group for p in invite.audience] == ["acc-alice", "@dev-support"]
    intro = of_kind(result, ActionKind.SLACK_POST)[0]
    assert intro.template == "slack/channel_intro.j2"
    assert spec_of(intro) == "escalation:T-7"
    assert intro.context["assignee"] == "Alice Assignee"
    pin = of_kind(result, ActionKind.SLACK_PIN)[0]
    assert pin.context["message_key"] == intro.key
    link = of_kind(result, ActionKind.JIRA_REMOTE_LINK)[0]
    assert link.context["link_from_ref"] == create.key
    assert link.context["link_title"] == "Slack #ds-7-checkout-is-down"
    assert "link_url" not in link.context


def test_someone_new_to_invite_gets_one_invite_of_everyone_and_the_old_stays_done() -> None:
    runner = Runner([policy(CHANNEL)])
    first = of_kind(runner.cycle([ticket("T-7", created=NOW)], NOW), ActionKind.SLACK_INVITE)
    later = NOW + timedelta(minutes=5)
    assert of_kind(runner.cycle([ticket("T-7", created=NOW)], later), ActionKind.SLACK_INVITE) == []
    moved = ticket("T-7", created=NOW, assignee=BOB)
    (second,) = of_kind(runner.cycle([moved], later), ActionKind.SLACK_INVITE)
    assert second.key != first[0].key
    assert [p.account_id or p.group for p in second.audience] == ["acc-bob", "@dev-support"]
    assert second.context["note_scope"] == first[0].context["note_scope"]


def test_an_archived_channel_gets_a_successor_planned_under_new_keys() -> None:
    body = CHANNEL + "    announce_in: ['#ops']\n"
    runner = Runner([policy(body)])
    t = ticket("T-7", created=NOW)
    runner.cycle([t], NOW)
    runner.state = runner.state.with_channel("T-7", "C0001")
    assert runner.state.with_channel_archived("T-7", "C0009") is runner.state  # not its channel
    runner.state = runner.state.with_channel_archived("T-7", "C0001")
    assert runner.state.with_channel_archived("T-7", "C0001") is runner.state  # known already

    result = runner.cycle([t], NOW + timedelta(minutes=5))

    keys = [a.key.removeprefix("clerical_channel:T-7:") for a in result.actions]
    assert [k.split(":")[0] if k.startswith("invite") else k for k in keys] == [
        "channel@2",
        "channel:intro@2",
        "channel:pin@2",
        "invite@2",
        "announce@2",
        "channel:link@2",
    ]  # no second announcement in #ops
    create = of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0]
    assert create.context["replaces"] == "C0001"
    assert "successor" not in keys
    pin = of_kind(result, ActionKind.SLACK_PIN)[0]
    assert pin.context["message_key"].endswith("channel:intro@2")
    link = of_kind(result, ActionKind.JIRA_REMOTE_LINK)[0]
    assert link.context["link_from_ref"] == create.key
    assert result.state.ticket("T-7").channel_generation == 2  # type: ignore[union-attr]


def test_archived_unarchive_is_passed_to_the_channel_action() -> None:
    body = CHANNEL + "    archived: unarchive\n"
    result = Runner([policy(body)]).cycle([ticket("T-7", created=NOW)], NOW)
    context = of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0].context
    assert context["on_archived"] == "unarchive"
    with pytest.raises(PolicyErrors, match="archived"):
        policy(CHANNEL + "    archived: delete\n")


def test_without_announce_there_is_no_comment_and_no_link() -> None:
    body = CHANNEL + "    announce_on_ticket: false\n"
    result = Runner([policy(body)]).cycle([ticket("T-7", created=NOW)], NOW)
    assert of_kind(result, ActionKind.JIRA_REMOTE_LINK) == []
    assert of_kind(result, ActionKind.JIRA_COMMENT) == []


NOTIFY = """
roles: {oncall: 'group:@oncall'}
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee, oncall]
    notify: [dm, 'group:@Leads', 'group:leads']
"""


def test_groups_in_notify_lists_become_one_group_post_each_with_whom_to_skip() -> None:
    t = ticket("T-1", created=NOW)
    actions = Runner([policy(NOTIFY)]).cycle([t], NOW + timedelta(minutes=20)).actions
    posts = {spec_of(a): a for a in actions}
    assert list(posts) == ["dm:acc-alice", "group:oncall", "group:leads"]  # leads once
    assert posts["group:oncall"].context["dm_skip"] == {"people": ["acc-alice"], "groups": []}
    assert posts["group:leads"].context["dm_skip"] == {
        "people": ["acc-alice"],
        "groups": ["group:oncall"],
    }
    assert "dm_skip" not in posts["dm:acc-alice"].context
    assert all(a.key.endswith(f"#{spec_of(a)}") for a in actions)


def test_a_group_target_without_dm_skips_nobody_by_person() -> None:
    message = Message(
        rule="r",
        reason="why",
        due=NOW,
        template="nudge",
        audience=(Recipient("assignee", account_id=ALICE.account_id),),
        context={"issue": "T-1"},
    )
    actions = route(
        policy(NOTIFY),
        ticket("T-1"),
        ["group:@oncall", "jira"],
        ActionKey.parse("r:T-1:x"),
        message,
    )
    assert [(a.kind, spec_of(a)) for a in actions] == [
        (ActionKind.SLACK_POST, "group:oncall"),
        (ActionKind.JIRA_COMMENT, None),
    ]
    assert actions[0].context["dm_skip"] == {"people": [], "groups": []}


@pytest.mark.parametrize("target", ["group:", "group:@", "group:@a b", "groups:@x"])
def test_bad_group_targets_are_policy_errors(target: str) -> None:
    body = f"""
rules:
  - rule: ack_overdue
    within: 15m
    notify: ['{target}']
"""
    with pytest.raises(PolicyErrors, match="not a notify target"):
        policy(body)
