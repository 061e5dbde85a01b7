"""Read-only HTML viewer of the sandbox's Jira, Confluence and Slack, for people."""

from __future__ import annotations

from flask import Flask

from agent.sandbox.app import SandboxContext


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register the viewer's routes."""
