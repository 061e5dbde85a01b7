"""What clerical_channel and the notify routing plan for Slack: intro + pin, remote link,
archived-channel policy, and user groups as notify targets (pure core, no I/O)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.core.actions import ActionKind, Recipient
from agent.core.routing import route
from agent.policy.errors import PolicyErrors
from tests.unit.factories import ALICE, Runner, of_kind, policy, ticket, utc

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
    assert keys == [
        "channel",
        "channel:intro",
        "channel:pin",
        "invite:acc-alice",
        "invite:@dev-support",
        "announce",
        "channel:link",
    ]
    create = of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0]
    assert create.context["on_archived"] == "unarchive"
    intro = of_kind(result, ActionKind.SLACK_POST)[0]
    assert intro.template == "slack/channel_intro.j2"
    assert intro.channel == "escalation:T-7"
    assert intro.context["assignee"] == "Alice Assignee"
    pin = of_kind(result, ActionKind.SLACK_PIN)[0]
    assert pin.context["message_key"] == intro.key
    link = of_kind(result, ActionKind.JIRA_REMOTE_LINK)[0]
    assert link.context["link_from_ref"] == create.key
    assert link.context["link_title"] == "Slack #ds-7-checkout-is-down"
    assert "link_url" not in link.context


def test_archived_replace_is_passed_to_the_channel_action() -> None:
    body = CHANNEL + "    archived: replace\n"
    result = Runner([policy(body)]).cycle([ticket("T-7", created=NOW)], NOW)
    assert of_kind(result, ActionKind.SLACK_CREATE_CHANNEL)[0].context["on_archived"] == "replace"
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
    posts = {a.channel: a for a in actions}
    assert list(posts) == ["dm:acc-alice", "group:oncall", "group:leads"]  # leads once
    assert posts["group:oncall"].context["dm_skip"] == {"people": ["acc-alice"], "groups": []}
    assert posts["group:leads"].context["dm_skip"] == {
        "people": ["acc-alice"],
        "groups": ["group:oncall"],
    }
    assert "dm_skip" not in posts["dm:acc-alice"].context
    assert all(a.key.endswith(f"#{a.channel}") for a in actions)


def test_a_group_target_without_dm_skips_nobody_by_person() -> None:
    actions = route(
        policy=policy(NOTIFY),
        rule="r",
        ticket=ticket("T-1"),
        targets=["group:@oncall", "jira"],
        base_key="r:T-1:x",
        reason="why",
        due=NOW,
        template="nudge",
        audience=(Recipient("assignee", account_id=ALICE.account_id),),
        context={"issue": "T-1"},
        urgent=False,
    )
    assert [(a.kind, a.channel) for a in actions] == [
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
