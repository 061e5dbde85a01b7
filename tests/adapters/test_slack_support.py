"""Shared helpers of the Slack adapter tests (no tests here): the adapter on a sandbox.

The adapter is built the way the agent builds it (``build_slack_adapter`` from
settings, so the client has the production retry handlers) with a call point
whose sleep is recorded, never slept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.adapters.calls import ServiceCaller
from agent.adapters.retry import RetryBudget
from agent.adapters.slack_adapter import SlackAdapter, build_slack_adapter
from agent.config import load_settings
from agent.sandbox.slack import workspace
from agent.secrets import Redactor
from tests.support.sandbox import AGENT_EMAIL, SLACK_TIME_SCALE, TOKEN, SandboxHandle


class RecordedSleep:
    """The call point's sleep: records each wait, runs ``then`` and returns at once."""

    def __init__(self, then: Callable[[], object] | None = None) -> None:
        self.waits: list[float] = []
        self._then = then

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if self._then is not None:
            self._then()


def settings_for(sandbox: SandboxHandle, time_scale: float = SLACK_TIME_SCALE) -> Any:
    """The agent's settings for the sandbox; ``time_scale`` as the sandbox's slack_time_scale."""
    return load_settings(
        {
            "JIRA_URL": sandbox.base,
            "JIRA_EMAIL": AGENT_EMAIL,
            "JIRA_API_TOKEN": TOKEN,
            "CONFLUENCE_URL": f"{sandbox.base}/wiki",
            "CONFLUENCE_EMAIL": AGENT_EMAIL,
            "CONFLUENCE_API_TOKEN": TOKEN,
            "CONFLUENCE_SPACE": "OPS",
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_API_URL": f"{sandbox.base}/api/",
            "AGENT_SLACK_TIME_SCALE": str(time_scale),
        }
    )


def adapter_for(
    sandbox: SandboxHandle, sleep: RecordedSleep | None = None
) -> tuple[SlackAdapter, ServiceCaller]:
    caller = ServiceCaller(
        "slack", Redactor([TOKEN]), RetryBudget(120), sleep=sleep or RecordedSleep()
    )
    return build_slack_adapter(settings_for(sandbox), caller), caller


def slack_calls(sandbox: SandboxHandle, method: str) -> list[dict[str, Any]]:
    """The logged requests to one Web API method, in order."""
    return [e for e in sandbox.requests_log() if e["path"] == f"/api/{method}"]


def person(sandbox: SandboxHandle, name: str, email: str) -> str:
    """A new person with a Slack account; their Slack id."""
    slack_id = sandbox.add_user(name, email)["slackId"]
    assert isinstance(slack_id, str)
    return slack_id


def stored_channel(sandbox: SandboxHandle, channel_id: str) -> dict[str, Any]:
    channel = workspace.get_channel(sandbox.ctx, channel_id)
    assert channel is not None, channel_id
    return dict(channel)


def stored_messages(sandbox: SandboxHandle, channel_id: str) -> list[dict[str, Any]]:
    """Every message of a conversation as stored (thread replies and metadata included)."""
    return [dict(doc) for doc in workspace.stored_messages(sandbox.ctx, channel_id)]
