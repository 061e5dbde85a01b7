"""Seeds: the data a fresh sandbox starts with (``empty`` or ``demo``).

Importing this module needs none of the sandbox's libraries (the ``sandbox`` command names
the seeds in its ``--help`` where they may not be installed); the demo organisation is
loaded only when asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.sandbox.context import SandboxContext

SEEDS = ("empty", "demo")


def apply_seed(ctx: SandboxContext, name: str) -> None:
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    if name == "demo":
        from agent.sandbox.demo import seed_demo  # noqa: PLC0415 - loaded only when asked for

        seed_demo(ctx)
