"""Slack ``auth.test``, ``users.*`` and ``usergroups.*`` through the real slack-sdk client."""

from __future__ import annotations

import re

import pytest
from slack_sdk.errors import SlackApiError

from agent.sandbox.slack import create_usergroup
from tests.support.sandbox import SandboxHandle


def test_auth_test_names_the_bot_and_team(sandbox: SandboxHandle) -> None:
    answer = sandbox.slack().auth_test()
    assert answer["ok"] is True
    assert answer["user_id"] == sandbox.ctx.users.bot()["slackId"]
    assert re.fullmatch(r"T[A-Z0-9]{8,}", answer["team_id"])
    assert re.fullmatch(r"B[A-Z0-9]{8,}", answer["bot_id"])
    assert answer["url"].startswith("http://127.0.0.1:")
    assert answer["team"] == "Sandbox"


def test_users_list_pages_with_cursor_and_skips_people_without_slack(
    sandbox: SandboxHandle,
) -> None:
    added = [sandbox.add_user(f"Person {n}", f"person{n}@corp.example") for n in range(5)]
    sandbox.add_user("Jira Only", "jira.only@corp.example", slack=False)
    client = sandbox.slack()
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        assert len(page["members"]) <= 2
        seen.extend(member["id"] for member in page["members"])
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    # admin + bot + five people, each exactly once, in directory order
    assert len(seen) == len(set(seen)) == 7
    assert pages == 4
    assert [user["slackId"] for user in added] == seen[2:]
    emails = {m["profile"]["email"] for m in client.users_list()["members"]}
    assert "jira.only@corp.example" not in emails


def test_users_list_member_shape(sandbox: SandboxHandle) -> None:
    person = sandbox.add_user("Grace Hopper", "grace@corp.example")
    members = sandbox.slack().users_list()["members"]
    grace = next(m for m in members if m["id"] == person["slackId"])
    assert grace["real_name"] == "Grace Hopper"
    assert grace["name"] == "grace"
    assert grace["deleted"] is False
    assert grace["is_bot"] is False
    assert grace["tz"] == "UTC"
    assert grace["team_id"] == sandbox.slack().auth_test()["team_id"]
    assert grace["profile"]["email"] == "grace@corp.example"
    assert grace["profile"]["real_name"] == "Grace Hopper"
    assert grace["profile"]["display_name"] == "Grace Hopper"
    bot = next(m for m in members if m["is_bot"])
    assert bot["id"] == sandbox.ctx.users.bot()["slackId"]


def test_users_info_and_user_not_found(sandbox: SandboxHandle) -> None:
    person = sandbox.add_user("Ada Lovelace", "ada@corp.example")
    client = sandbox.slack()
    assert client.users_info(user=person["slackId"])["user"]["real_name"] == "Ada Lovelace"
    with pytest.raises(SlackApiError) as caught:
        client.users_info(user="U99999999")
    assert caught.value.response["error"] == "user_not_found"


def test_lookup_by_email_finds_active_people_only(sandbox: SandboxHandle) -> None:
    person = sandbox.add_user("Linus T", "linus@corp.example")
    client = sandbox.slack()
    found = client.users_lookupByEmail(email="LINUS@corp.example")["user"]
    assert found["id"] == person["slackId"]
    with pytest.raises(SlackApiError) as caught:
        client.users_lookupByEmail(email="nobody@corp.example")
    assert caught.value.response["error"] == "users_not_found"
    sandbox.control("DELETE", f"users/{person['accountId']}")
    with pytest.raises(SlackApiError) as caught:
        client.users_lookupByEmail(email="linus@corp.example")
    assert caught.value.response["error"] == "users_not_found"
    # users.info still shows a deactivated person, flagged deleted
    assert client.users_info(user=person["slackId"])["user"]["deleted"] is True


def test_users_list_rejects_a_forged_cursor(sandbox: SandboxHandle) -> None:
    with pytest.raises(SlackApiError) as caught:
        sandbox.slack().users_list(limit=1, cursor="not-a-cursor")
    assert caught.value.response["error"] == "invalid_cursor"


def test_usergroups_list_and_members(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    group = create_usergroup(sandbox.ctx, "@sre-oncall", "SRE on call", [ann, bob])
    assert re.fullmatch(r"S[A-Z0-9]{2,}", group["id"])
    client = sandbox.slack()
    listed = client.usergroups_list(include_users=True, include_count=True)["usergroups"]
    assert len(listed) == 1
    assert listed[0]["handle"] == "sre-oncall"
    assert listed[0]["name"] == "SRE on call"
    assert listed[0]["users"] == [ann, bob]
    assert listed[0]["user_count"] == 2
    without_users = client.usergroups_list()["usergroups"][0]
    assert "users" not in without_users
    assert client.usergroups_users_list(usergroup=group["id"])["users"] == [ann, bob]
    with pytest.raises(SlackApiError) as caught:
        client.usergroups_users_list(usergroup="S00000000")
    assert caught.value.response["error"] == "no_such_subteam"


def test_duplicate_usergroup_handle_is_refused(sandbox: SandboxHandle) -> None:
    create_usergroup(sandbox.ctx, "sre-oncall", "SRE", [])
    with pytest.raises(ValueError, match="sre-oncall"):
        create_usergroup(sandbox.ctx, "@sre-oncall", "SRE again", [])
