"""The ``demo`` seed: a small organisation with one Jira project per procedure."""

from __future__ import annotations

from agent.sandbox.app import SandboxContext


def seed_demo(ctx: SandboxContext) -> None:
    """Create the demo organisation's people, projects, tickets and Confluence space."""
    raise NotImplementedError("the demo seed arrives with the sandbox's seed data")
