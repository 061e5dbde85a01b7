"""The sandbox's confluence service (routes registered on the shared app)."""

from __future__ import annotations

from flask import Flask

from agent.sandbox.app import SandboxContext


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register this service's routes."""
