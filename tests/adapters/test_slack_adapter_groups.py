"""User groups, DM conversations and channel links through the adapter, on the sandbox."""

from __future__ import annotations

from agent.sandbox.slack import create_usergroup
from tests.adapters.test_slack_support import adapter_for, person, slack_calls
from tests.support.sandbox import SandboxHandle


def test_a_handle_is_looked_up_once_and_members_are_read_fresh(sandbox: SandboxHandle) -> None:
    ann = person(sandbox, "Ann", "ann@sandbox.example")
    ben = person(sandbox, "Ben", "ben@sandbox.example")
    group = create_usergroup(sandbox.ctx, "@sre-oncall", "SRE on call", [ann])
    adapter, _ = adapter_for(sandbox)

    assert adapter.usergroup_id("@SRE-oncall") == group["id"]
    assert adapter.usergroup_members("sre-oncall") == (ann,)
    group["users"] = [ann, ben]  # the rotation changed
    sandbox.ctx.store.put("slack.usergroup", group["id"], group)
    assert adapter.usergroup_members("@sre-oncall") == (ann, ben)

    assert len(slack_calls(sandbox, "usergroups.list")) == 1
    assert len(slack_calls(sandbox, "usergroups.users.list")) == 2


def test_an_unknown_handle_is_none_and_a_new_group_is_found_later(sandbox: SandboxHandle) -> None:
    ann = person(sandbox, "Ann", "ann@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    assert adapter.usergroup_members("@db-oncall") is None
    assert adapter.usergroup_id("@db-oncall") is None
    create_usergroup(sandbox.ctx, "@db-oncall", "DB on call", [ann])
    assert adapter.usergroup_members("@db-oncall") == (ann,)


def test_dm_conversation_is_opened_once_and_channel_links_use_the_workspace_url(
    sandbox: SandboxHandle,
) -> None:
    ann = person(sandbox, "Ann", "ann@sandbox.example")
    adapter, _ = adapter_for(sandbox)
    first = adapter.dm_channel(ann)
    assert adapter.dm_channel(ann) == first and first.startswith("D")
    assert len(slack_calls(sandbox, "conversations.open")) == 1
    assert adapter.channel_url("C0123") == f"{sandbox.base}/archives/C0123"
