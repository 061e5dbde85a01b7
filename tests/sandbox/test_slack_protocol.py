"""How Slack calls arrive: form and JSON bodies, GET queries, errors of the protocol itself.

These use raw ``requests`` to send exactly what a client might, alongside
slack-sdk, which sends form bodies for most methods and JSON for chat.postMessage.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from agent.sandbox.slack import channel_messages
from agent.sandbox.slack.args import Args
from tests.support.sandbox import SandboxHandle


def _post(sandbox: SandboxHandle, method: str, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {sandbox.token}", **kwargs.pop("headers", {})}
    return requests.post(f"{sandbox.base}/api/{method}", headers=headers, timeout=10, **kwargs)


def test_form_body_with_sdk_style_booleans(sandbox: SandboxHandle) -> None:
    response = _post(sandbox, "conversations.create", data={"name": "form-made", "is_private": "1"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is True
    assert body["channel"]["is_private"] is True
    other = _post(sandbox, "conversations.create", data={"name": "public", "is_private": "false"})
    assert other.json()["channel"]["is_private"] is False


def test_json_body_with_real_booleans(sandbox: SandboxHandle) -> None:
    response = _post(
        sandbox, "conversations.create", json={"name": "json-made", "is_private": True}
    )
    assert response.json()["channel"]["is_private"] is True


def test_blocks_and_metadata_as_json_text_in_form_fields(sandbox: SandboxHandle) -> None:
    channel = _post(sandbox, "conversations.create", data={"name": "inc-form"}).json()["channel"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hello*"}}]
    metadata = {"event_type": "nudge", "event_payload": {"n": 1}}
    response = _post(
        sandbox,
        "chat.postMessage",
        data={
            "channel": channel["id"],
            "text": "hello",
            "blocks": json.dumps(blocks),
            "metadata": json.dumps(metadata),
        },
    )
    body = response.json()
    assert body["ok"] is True
    assert body["message"]["blocks"] == blocks
    stored = channel_messages(sandbox.ctx, channel["id"])[-1]
    assert stored["metadata"] == metadata
    broken = _post(
        sandbox, "chat.postMessage", data={"channel": channel["id"], "blocks": "[{not json"}
    )
    assert broken.json() == {"ok": False, "error": "invalid_blocks_format"}


@pytest.mark.no_spec_check
def test_invite_users_comma_joined_in_a_form(sandbox: SandboxHandle) -> None:
    ann = sandbox.add_user("Ann", "ann@corp.example")["slackId"]
    bob = sandbox.add_user("Bob", "bob@corp.example")["slackId"]
    channel = _post(sandbox, "conversations.create", data={"name": "inc-c"}).json()["channel"]
    response = _post(
        sandbox, "conversations.invite", data={"channel": channel["id"], "users": f"{ann}, {bob}"}
    )
    assert response.json()["ok"] is True
    # JSON arrays are accepted too
    carl = sandbox.add_user("Carl", "carl@corp.example")["slackId"]
    response = _post(
        sandbox, "conversations.invite", json={"channel": channel["id"], "users": [carl]}
    )
    assert response.json()["channel"]["num_members"] == 4


def test_get_with_query_arguments(sandbox: SandboxHandle) -> None:
    person = sandbox.add_user("Ann", "ann@corp.example")
    response = requests.get(
        f"{sandbox.base}/api/users.lookupByEmail",
        params={"email": "ann@corp.example"},
        headers={"Authorization": f"Bearer {sandbox.token}"},
        timeout=10,
    )
    assert response.json()["user"]["id"] == person["slackId"]


@pytest.mark.no_spec_check
def test_token_as_a_form_field(sandbox: SandboxHandle) -> None:
    response = requests.post(
        f"{sandbox.base}/api/auth.test", data={"token": sandbox.token}, timeout=10
    )
    assert response.json()["ok"] is True
    missing = requests.post(f"{sandbox.base}/api/auth.test", timeout=10)
    assert missing.json() == {"ok": False, "error": "not_authed"}


def test_unknown_method_is_404_unknown_method(sandbox: SandboxHandle) -> None:
    response = _post(sandbox, "chat.teleport", data={"channel": "C1"})
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_method"
    assert response.json()["ok"] is False


@pytest.mark.no_spec_check
def test_missing_required_argument_is_invalid_arguments(sandbox: SandboxHandle) -> None:
    response = _post(sandbox, "users.lookupByEmail", data={})
    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "error": "invalid_arguments",
        "response_metadata": {"messages": ["[ERROR] missing required field: email"]},
    }
    response = _post(sandbox, "conversations.info", json={})
    assert response.json()["error"] == "invalid_arguments"


@pytest.mark.no_spec_check
def test_ill_typed_arguments(sandbox: SandboxHandle) -> None:
    response = _post(sandbox, "users.list", data={"limit": "lots"})
    assert response.json()["error"] == "invalid_arguments"
    response = _post(sandbox, "conversations.create", data={"name": "x", "is_private": "maybe"})
    assert response.json()["error"] == "invalid_arguments"


@pytest.mark.no_spec_check
def test_broken_json_bodies(sandbox: SandboxHandle) -> None:
    headers = {"Content-Type": "application/json"}
    response = _post(sandbox, "chat.postMessage", data=b"{nope", headers=headers)
    assert response.json() == {"ok": False, "error": "invalid_json"}
    response = _post(sandbox, "chat.postMessage", data=b"[1, 2]", headers=headers)
    assert response.json() == {"ok": False, "error": "json_not_object"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("0", False), ("true", True), ("false", False), (True, True), (0, False)],
)
def test_args_booleans(raw: object, expected: bool) -> None:
    assert Args({"flag": raw}).boolean("flag") is expected
    assert Args({}).boolean("flag", default=True) is True


def test_args_lists_integers_and_structured_values() -> None:
    args = Args(
        {
            "users": "U1, U2,,U3",
            "ids": ["U4", "U5"],
            "limit": "5000",
            "blocks": '[{"type": "divider"}]',
            "metadata": {"event_type": "x", "event_payload": {}},
        }
    )
    assert args.string_list("users") == ["U1", "U2", "U3"]
    assert args.string_list("ids") == ["U4", "U5"]
    assert args.string_list("missing") == []
    assert args.integer("limit", 100, maximum=1000) == 1000
    assert args.integer("missing", 100) == 100
    assert args.structured("blocks") == [{"type": "divider"}]
    assert args.structured("metadata") == {"event_type": "x", "event_payload": {}}
    with pytest.raises(ValueError):
        Args({"blocks": "[{"}).structured("blocks")
