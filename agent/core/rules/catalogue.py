"""The rule catalogue: every rule kind the agent knows, in one place, asked by name or by rule.

The kinds are declared in their family modules (``KINDS`` at the end of each,
next to their handlers); this module only gathers them, in the order the
reference lists them. Nothing else lists rule names: the planner, backfill,
the reader, fresh-plan, status, the demo and the reference generator ask the
catalogue for a kind's handler and traits.

A kind added at run time (``extended``, for a test's toy kind or a plug-in) is
seen by every one of them, since they ask on each call rather than keeping copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from agent.core.rules import (
    clerical,
    clocks,
    closure,
    digest,
    followup_issues,
    intake,
    limits,
    paperwork,
    slack_intake,
    updates,
)
from agent.core.rules.kind import Family, RuleKind, Says
from agent.policy.rule_models import RuleBase

AnyKind = RuleKind[Any]


class UnknownRule(KeyError):
    """A rule names a kind the catalogue does not hold (a model without a ``RuleKind``)."""


class Catalogue:
    """The rule kinds by name, in declaration order."""

    def __init__(self, kinds: tuple[AnyKind, ...]) -> None:
        self._kinds: dict[str, AnyKind] = {}
        for kind in kinds:
            self._add(kind)

    def _add(self, kind: AnyKind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"rule kind {kind.name!r} is declared twice")
        self._kinds[kind.name] = kind

    def __iter__(self) -> Iterator[AnyKind]:
        return iter(tuple(self._kinds.values()))

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    @property
    def names(self) -> tuple[str, ...]:
        """Every kind's identifier, sorted."""
        return tuple(sorted(self._kinds))

    def get(self, name: str) -> AnyKind:
        try:
            return self._kinds[name]
        except KeyError:
            raise UnknownRule(
                f"no rule kind {name!r} in the catalogue; declare a RuleKind for it in a "
                "module listed in agent/core/rules/catalogue.py"
            ) from None

    def of(self, rule: RuleBase) -> AnyKind:
        """The kind of a rule of a policy."""
        return self.get(rule.kind)

    def families(self) -> tuple[Family, ...]:
        """The families, in the order their first kind was declared."""
        seen: dict[str, Family] = {}
        for kind in self:
            seen.setdefault(kind.family.key, kind.family)
        return tuple(seen.values())

    def where(self, **traits: object) -> frozenset[str]:
        """Names of the kinds whose traits have these values, e.g. ``where(paperwork=True)``."""
        return frozenset(
            kind.name
            for kind in self
            if all(getattr(kind, trait) == value for trait, value in traits.items())
        )

    def saying(self, says: Says) -> frozenset[str]:
        return self.where(says=says)

    @contextmanager
    def extended(self, *kinds: AnyKind) -> Iterator[Catalogue]:
        """The catalogue with ``kinds`` added while the block runs."""
        for kind in kinds:
            self._add(kind)
        try:
            yield self
        finally:
            for kind in kinds:
                self._kinds.pop(kind.name, None)


CATALOGUE = Catalogue(
    (
        *intake.KINDS,
        *slack_intake.KINDS,
        *clerical.KINDS,
        *limits.KINDS,
        *clocks.KINDS,
        *updates.KINDS,
        *closure.KINDS,
        *paperwork.KINDS,
        *digest.KINDS,
        *followup_issues.KINDS,
    )
)
