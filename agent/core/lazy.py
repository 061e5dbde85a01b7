"""Values a rule may never need, worked out only when an action is really built.

In a steady cycle nearly every nudge a rule plans was already carried out, and
the planner drops it by key. Who to tag and the template data are the costly
part of a nudge (role lookups, formatting), and neither is part of its key
(except a DM's recipient), so rules hand them over as ``Later`` values: a plain
value, or a function that ``resolve`` calls at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, TypeVar

T = TypeVar("T")

Later: TypeAlias = T | Callable[[], T]


def resolve(value: Later[T]) -> T:
    """The value itself, or what its function returns."""
    return value() if callable(value) else value


def once(make: Callable[[], T]) -> Callable[[], T]:
    """``make``, called on the first use only and its answer kept."""
    kept: list[T] = []

    def get() -> T:
        if not kept:
            kept.append(make())
        return kept[0]

    return get


def extended(base: Callable[[], Mapping[str, Any]], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base()`` with ``extra`` on top: template data of a repeat or a chain step."""
    return {**base(), **extra}
