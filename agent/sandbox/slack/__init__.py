"""The sandbox's Slack Web API (``/api/<method>``) and its seeding functions.

Seeding API (see :mod:`agent.sandbox.slack.workspace`): ``create_channel``,
``find_channel``, ``post_message``, ``channel_messages``, ``create_usergroup``.
"""

from __future__ import annotations

from flask import Flask

from agent.sandbox.context import SandboxContext
from agent.sandbox.slack.workspace import (
    channel_messages,
    create_channel,
    create_usergroup,
    find_channel,
    post_message,
)

__all__ = [
    "channel_messages",
    "create_channel",
    "create_usergroup",
    "find_channel",
    "post_message",
    "register",
]


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register the Slack Web API and its ``/_sandbox/slack/...`` controls on the sandbox app."""
    from agent.sandbox.slack import acting, routes  # noqa: PLC0415 - keeps package import light

    routes.register(app, ctx)
    acting.register(app, ctx)
