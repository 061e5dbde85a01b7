"""Seeds: the data a fresh sandbox starts with (``empty`` or ``demo``)."""

from __future__ import annotations

from agent.sandbox.context import SandboxContext

SEEDS = ("empty", "demo")


def apply_seed(ctx: SandboxContext, name: str) -> None:
    if name not in SEEDS:
        raise ValueError(f"unknown seed {name!r}; choose one of {', '.join(SEEDS)}")
    if name == "demo":
        from agent.sandbox.demo_seed import seed_demo  # noqa: PLC0415

        seed_demo(ctx)
