"""The ``demo`` seed: a small organisation with one Jira project per procedure.

The data lives in :mod:`agent.sandbox.demo`; this module is the name the seed
registry (:mod:`agent.sandbox.seed`) imports.
"""

from __future__ import annotations

from agent.sandbox.demo import seed_demo

__all__ = ["seed_demo"]
