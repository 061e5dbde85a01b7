"""Registers each service's routes on the sandbox app."""

from __future__ import annotations

from flask import Flask

from agent.sandbox import confluence, jira, slack, viewer
from agent.sandbox.context import SandboxContext


def register_all(app: Flask, ctx: SandboxContext) -> None:
    jira.register(app, ctx)
    confluence.register(app, ctx)
    slack.register(app, ctx)
    viewer.register(app, ctx)
