"""Which kind of obligation each rule stands for, in adherence figures.

A PM asks "did we acknowledge in time, keep the updates coming, write the
paperwork?", not about rule identifiers; each rule kind says which of those it
is (``RuleKind.adherence`` in the catalogue).
"""

from __future__ import annotations

from agent.core.obligations import ObligationKind
from agent.core.rules.catalogue import CATALOGUE
from agent.policy.rule_models import RuleBase

__all__ = ["ObligationKind", "kind_of"]


def kind_of(rule: RuleBase) -> ObligationKind | None:
    """The kind of obligation ``rule`` sets; None for rules that only act (clerical, pages)."""
    return CATALOGUE.of(rule).adherence
