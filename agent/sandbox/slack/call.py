"""One Web API call as the handlers see it: arguments, acting user, shared state.

Also the lookups most methods start with (a channel the caller may see, a
message in it, a user by id), each failing with Slack's own error name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.context import SandboxContext
from agent.sandbox.slack import workspace
from agent.sandbox.slack.args import Args
from agent.sandbox.slack.ratelimit import SlackRateLimits
from agent.sandbox.store import Doc


@dataclass
class Call:
    ctx: SandboxContext
    args: Args
    actor: Doc  # the calling user's directory doc (the bot, for a bot token)
    limits: SlackRateLimits
    host_url: str

    @property
    def actor_id(self) -> str:
        slack_id = self.actor["slackId"]
        assert isinstance(slack_id, str)
        return slack_id

    def channel(self, name: str = "channel", *, by_name: bool = False) -> Doc:
        """The conversation named by argument ``name``: an id (or ``#name`` if ``by_name``).

        Only the chat methods accept ``#name``; conversations.* want ids, as in Slack.
        """
        value = self.args.required(name)
        if by_name and value.startswith("#"):
            doc = workspace.find_channel(self.ctx, value)
        else:
            doc = workspace.get_channel(self.ctx, value)
        if doc is None or not self.can_see(doc):
            raise SlackError("channel_not_found")
        return doc

    def can_see(self, channel: Doc) -> bool:
        """Private channels and DMs are invisible to non-members, as in Slack."""
        if channel.get("is_private") or channel.get("is_im"):
            return self.actor_id in channel.get("members", [])
        return True

    def is_member(self, channel: Doc) -> bool:
        return self.actor_id in channel.get("members", [])

    def require_member(self, channel: Doc) -> None:
        if not self.is_member(channel):
            raise SlackError("not_in_channel")

    def require_active(self, channel: Doc) -> None:
        if channel.get("is_archived"):
            raise SlackError("is_archived")

    def message(self, channel: Doc, name: str = "ts", error: str = "message_not_found") -> Doc:
        ts = self.args.required(name)
        doc = workspace.get_message(self.ctx, channel["id"], ts)
        if doc is None:
            raise SlackError(error)
        return doc

    def slack_user(self, slack_id: str) -> Doc | None:
        """A person with a Slack account, or None."""
        return self.ctx.users.by_slack_id(slack_id)


Handler = Callable[[Call], dict[str, Any]]
