"""ensure_channel, invites, joins and look-ups against the sandbox, with the real slack-sdk."""

from __future__ import annotations

import pytest

from agent.adapters.service_errors import ChannelNotFound
from agent.adapters.slack_blocks import channel_topic
from agent.adapters.slack_channels import ChannelNamesExhausted, fit_description, holds_key
from agent.adapters.slack_names import channel_name
from agent.adapters.slack_port import SlackPort
from agent.sandbox.slack import workspace
from tests.adapters.test_slack_support import (
    adapter_for,
    person,
    slack_calls,
    stored_channel,
)
from tests.support.sandbox import SandboxHandle

KEY = "DS-1234"
LINK = "https://sandbox.example/browse/DS-1234"
NAME = channel_name("ds-{number}-{summary}", {"number": 1234, "summary": "Checkout fails"})
TOPIC = channel_topic(KEY, "Checkout fails", severity="SEV2", link=LINK)
PURPOSE = f"Escalation of {KEY}: Checkout fails"


def test_creates_the_channel_with_topic_and_purpose(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)

    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert ref.created is True
    assert ref.name == "ds-1234-checkout-fails"
    channel = stored_channel(sandbox, ref.id)
    assert channel["name"] == ref.name
    assert channel["topic"]["value"] == TOPIC
    assert channel["purpose"]["value"] == PURPOSE
    assert channel["is_private"] is False


def test_private_channel(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE, private=True)
    assert stored_channel(sandbox, ref.id)["is_private"] is True


def test_second_run_reuses_our_channel_without_touching_it(sandbox: SandboxHandle) -> None:
    first, _ = adapter_for(sandbox)
    made = first.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    sandbox.clear_requests()
    again, _ = adapter_for(sandbox)  # a fresh adapter: nothing cached, as after a restart

    ref = again.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert ref.id == made.id
    assert ref.created is False
    assert [e["status"] for e in slack_calls(sandbox, "conversations.create")] == [200]
    assert slack_calls(sandbox, "conversations.setTopic") == []  # unchanged: not set again
    assert slack_calls(sandbox, "conversations.setPurpose") == []
    assert len([c for c in workspace.all_channels(sandbox.ctx) if not c.get("is_im")]) == 1


def test_reuse_updates_a_changed_topic(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    made = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    new_topic = channel_topic(KEY, "Checkout fails", severity="SEV1", link=LINK)

    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=new_topic, purpose=PURPOSE)

    assert ref == made.__class__(made.id, made.name, created=False)
    assert stored_channel(sandbox, made.id)["topic"]["value"] == new_topic


def test_name_taken_by_someone_else_moves_to_a_suffix(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana Human", "hana@sandbox.example")
    theirs = workspace.create_channel(sandbox.ctx, NAME, human)
    workspace.set_topic_or_purpose(
        sandbox.ctx, theirs, "topic", "DS-12345 is a different ticket", human
    )
    taken_2 = workspace.create_channel(sandbox.ctx, f"{NAME}-2", human)
    adapter, _ = adapter_for(sandbox)

    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert ref.name == f"{NAME}-3"
    assert ref.created is True
    assert ref.id not in (theirs["id"], taken_2["id"])
    assert (
        stored_channel(sandbox, theirs["id"])["topic"]["value"] == "DS-12345 is a different ticket"
    )
    # name, then (with the listing known) straight to -3: -2 is known to be someone else's
    assert [e["status"] for e in slack_calls(sandbox, "conversations.create")] == [200, 200]


def test_our_suffixed_channel_is_found_again(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana Human", "hana@sandbox.example")
    workspace.create_channel(sandbox.ctx, NAME, human)
    first, _ = adapter_for(sandbox)
    made = first.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    assert made.name == f"{NAME}-2"

    again, _ = adapter_for(sandbox)
    ref = again.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert (ref.id, ref.created) == (made.id, False)


def test_archived_channel_of_ours_is_passed_over_for_the_next_suffix(
    sandbox: SandboxHandle,
) -> None:
    adapter, _ = adapter_for(sandbox)
    made = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    channel = workspace.get_channel(sandbox.ctx, made.id)
    assert channel is not None
    workspace.set_archived(sandbox.ctx, channel, True, channel["creator"])

    fresh = adapter_for(sandbox)[0]
    ref = fresh.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    again = fresh.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert (ref.name, ref.created, ref.replaced) == (f"{NAME}-2", True, (made.id,))
    assert (again.id, again.created) == (ref.id, False)
    assert stored_channel(sandbox, made.id)["is_archived"] is True
    # replace (the default) never asks Slack to unarchive: a bot token cannot
    assert slack_calls(sandbox, "conversations.unarchive") == []


def test_unarchive_asks_slack_first_and_moves_on_when_refused(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    made = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    channel = workspace.get_channel(sandbox.ctx, made.id)
    assert channel is not None
    workspace.set_archived(sandbox.ctx, channel, True, channel["creator"])

    ref = adapter_for(sandbox)[0].ensure_channel(
        NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE, replace_archived=False
    )

    assert (ref.name, ref.replaced) == (f"{NAME}-2", (made.id,))
    refused = slack_calls(sandbox, "conversations.unarchive")
    assert [e["status"] for e in refused] == [200]  # answered not_in_channel


def test_public_channel_of_ours_without_the_bot_is_joined(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana Human", "hana@sandbox.example")
    theirs = workspace.create_channel(sandbox.ctx, NAME, human)
    workspace.set_topic_or_purpose(sandbox.ctx, theirs, "purpose", f"War room for {KEY}", human)
    adapter, _ = adapter_for(sandbox)

    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    assert (ref.id, ref.created) == (theirs["id"], False)
    bot = adapter.auth_test().user_id
    assert bot in stored_channel(sandbox, ref.id)["members"]
    assert stored_channel(sandbox, ref.id)["topic"]["value"] == TOPIC


def test_every_suffix_taken_is_a_clear_error(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana Human", "hana@sandbox.example")
    workspace.create_channel(sandbox.ctx, "ds-9", human)
    for number in range(2, 21):
        workspace.create_channel(sandbox.ctx, f"ds-9-{number}", human)
    adapter, _ = adapter_for(sandbox)

    with pytest.raises(ChannelNamesExhausted, match=r"#ds-9 .*DS-9"):
        adapter.ensure_channel("ds-9", issue_key="DS-9", topic="DS-9", purpose="DS-9")


def test_invalid_name_is_refused_before_calling_slack(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    with pytest.raises(ValueError, match="channel_name"):
        adapter.ensure_channel("Has Spaces", issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    assert slack_calls(sandbox, "conversations.create") == []


def test_too_long_topic_is_cut_but_keeps_the_key(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    long_topic = "Very long words " * 40 + KEY
    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=long_topic, purpose=PURPOSE)
    topic = stored_channel(sandbox, ref.id)["topic"]["value"]
    assert len(topic) <= 250
    assert topic.startswith(f"{KEY} | Very long words")


def test_key_matching_is_whole_key() -> None:
    assert holds_key("DS-1234 | SEV2", "DS-1234")
    assert holds_key("about ds-1234.", "DS-1234")
    assert not holds_key("DS-12345", "DS-1234")
    assert not holds_key("XDS-1234", "DS-1234")
    assert fit_description("no key here", "DS-1") == "DS-1 | no key here"


# -- invites ---------------------------------------------------------------------------
def test_invites_people_skipping_those_without_slack_and_those_already_in(
    sandbox: SandboxHandle,
) -> None:
    alice = person(sandbox, "Alice", "alice@sandbox.example")
    bob = person(sandbox, "Bob", "bob@sandbox.example")
    sandbox.add_user("Carol NoSlack", "carol@sandbox.example", slack=False)
    adapter, _ = adapter_for(sandbox)
    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)
    channel = workspace.get_channel(sandbox.ctx, ref.id)
    assert channel is not None
    workspace.add_members(sandbox.ctx, channel, [bob])

    emails = ["Alice@Sandbox.example", "bob@sandbox.example", "carol@sandbox.example"]
    ids = [adapter.user_id_for_email(email) for email in emails]
    assert ids == [alice, bob, None]
    bot = adapter.auth_test().user_id
    sandbox.clear_requests()
    result = adapter.invite(ref.id, [i for i in ids if i] + [bot])

    # one call for everyone; with force Slack invites the valid ones and says nothing
    # about Bob, who is in already (the bot itself is never sent)
    calls = slack_calls(sandbox, "conversations.invite")
    assert len(calls) == 1
    assert result.invited == (alice, bob)
    assert result.already == (bot,)
    assert result.failed == {}
    assert result.ok
    members = stored_channel(sandbox, ref.id)["members"]
    assert alice in members and bob in members


def test_invite_reports_people_slack_refuses(sandbox: SandboxHandle) -> None:
    alice = person(sandbox, "Alice", "alice@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    ref = adapter.ensure_channel(NAME, issue_key=KEY, topic=TOPIC, purpose=PURPOSE)

    mixed = adapter.invite(ref.id, [alice, "U0NOBODY1"])
    # force: the valid one went in; Slack does not say which ids it disregarded
    assert mixed.invited == (alice, "U0NOBODY1")
    assert alice in stored_channel(sandbox, ref.id)["members"]

    result = adapter.invite(ref.id, ["U0NOBODY1", "U0NOBODY2"])  # nobody valid: refused

    assert result.invited == ()
    assert result.failed == {"U0NOBODY1": "user_not_found", "U0NOBODY2": "user_not_found"}
    assert not result.ok


def test_lookups_are_cached(sandbox: SandboxHandle) -> None:
    alice = person(sandbox, "Alice", "alice@sandbox.example")
    adapter: SlackPort = adapter_for(sandbox)[0]  # mypy checks the adapter fits the port
    for _ in range(3):
        assert adapter.user_id_for_email("alice@sandbox.example") == alice
        assert adapter.user_id_for_email("nobody@sandbox.example") is None
        adapter.auth_test()
    assert len(slack_calls(sandbox, "users.lookupByEmail")) == 2
    assert len(slack_calls(sandbox, "auth.test")) == 1


def test_deactivated_people_are_not_found(sandbox: SandboxHandle) -> None:
    doc = sandbox.add_user("Gone", "gone@sandbox.example")
    sandbox.control("DELETE", f"users/{doc['accountId']}")
    adapter, _ = adapter_for(sandbox)
    assert adapter.user_id_for_email("gone@sandbox.example") is None


# -- named channels ----------------------------------------------------------------------
def test_resolves_and_joins_a_public_policy_channel(sandbox: SandboxHandle) -> None:
    human = person(sandbox, "Hana Human", "hana@sandbox.example")
    escalations = workspace.create_channel(sandbox.ctx, "sre-escalations", human)
    adapter, _ = adapter_for(sandbox)

    assert adapter.resolve_channel("#sre-escalations") == escalations["id"]
    assert adapter.resolve_channel("C0000001") == "C0000001"
    adapter.join("#sre-escalations")
    adapter.join("#sre-escalations")  # already in: fine

    assert adapter.auth_test().user_id in stored_channel(sandbox, escalations["id"])["members"]
    assert len(slack_calls(sandbox, "conversations.list")) == 1  # cached


def test_unknown_channel_name_is_channel_not_found(sandbox: SandboxHandle) -> None:
    adapter, _ = adapter_for(sandbox)
    with pytest.raises(ChannelNotFound, match="#no-such-channel"):
        adapter.resolve_channel("#no-such-channel")
