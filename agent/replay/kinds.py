"""Which kind of obligation each rule model stands for, in adherence figures.

A PM asks "did we acknowledge in time, keep the updates coming, write the
paperwork?", not about rule identifiers. This is the one place that groups the
rule models into those kinds, by class, so a catalogue of rules can take it
over as one more trait of each rule.
"""

from __future__ import annotations

import enum

from agent.policy.rule_models import (
    AckOverdue,
    ClosureMissingFields,
    EodUpdateOverdue,
    EstimateMissing,
    IntakeMissingFields,
    LimitBase,
    PostmortemDue,
    ProgressOverdue,
    RuleBase,
    Sev1DailyUpdate,
    Sev1SetupMissing,
    Sev2WeeklyUpdate,
    UpdateNextMissing,
    UpdateOverdue,
)


class ObligationKind(enum.StrEnum):
    ACKNOWLEDGEMENT = "acknowledgement"
    UPDATE_CADENCE = "update cadence"
    END_OF_DAY = "end of day"
    SET_UP = "set-up"
    PAPERWORK = "paperwork"
    LIMITS = "limits"


KIND_OF: tuple[tuple[type[RuleBase], ObligationKind], ...] = (
    (AckOverdue, ObligationKind.ACKNOWLEDGEMENT),
    (UpdateOverdue, ObligationKind.UPDATE_CADENCE),
    (ProgressOverdue, ObligationKind.UPDATE_CADENCE),
    (Sev1DailyUpdate, ObligationKind.UPDATE_CADENCE),
    (Sev2WeeklyUpdate, ObligationKind.UPDATE_CADENCE),
    (UpdateNextMissing, ObligationKind.UPDATE_CADENCE),
    (EodUpdateOverdue, ObligationKind.END_OF_DAY),
    (Sev1SetupMissing, ObligationKind.SET_UP),
    (IntakeMissingFields, ObligationKind.SET_UP),
    (EstimateMissing, ObligationKind.SET_UP),
    (ClosureMissingFields, ObligationKind.PAPERWORK),
    (PostmortemDue, ObligationKind.PAPERWORK),
    (LimitBase, ObligationKind.LIMITS),
)


def kind_of(rule: RuleBase) -> ObligationKind | None:
    """The kind of obligation ``rule`` sets; None for rules that only act (clerical, pages)."""
    return next((kind for model, kind in KIND_OF if isinstance(rule, model)), None)
