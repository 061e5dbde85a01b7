"""Rule handlers by family; ``HANDLERS`` maps a rule identifier to its per-ticket handler."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.core.rules import (
    clerical,
    clocks,
    closure,
    followup_issues,
    intake,
    paperwork,
    slack_intake,
    updates,
)
from agent.core.rules.base import RuleContext

Handler = Callable[[RuleContext, Any], None]

HANDLERS: dict[str, Handler] = {}
for _family in (
    intake,
    slack_intake,
    clerical,
    clocks,
    updates,
    closure,
    paperwork,
    followup_issues,
):
    HANDLERS.update(_family.HANDLERS)

# Rules the planner runs across tickets rather than per ticket.
POLICY_LEVEL_RULES = frozenset({"limit_daily", "limit_active", "limit_assignee", "weekly_digest"})
# Rules whose obligations outlive the ticket's resolution (the rest are settled on close).
KEEP_ITEMS_WHEN_CLOSED = frozenset({"closure_missing_fields", "followup_overdue", "postmortem_due"})
# Rules that still apply to an escalation held back by a limit or rejected at intake.
RUN_WHILE_HELD = frozenset({"intake_missing_fields", "intake_rejected"})
# Rules that declare obligations (``RuleContext.obligation``): for a held escalation
# these run on a scratch context so its plan lists what it owes, waiting for release.
DECLARE_OBLIGATIONS = frozenset(
    {
        "ack_overdue",
        "closure_missing_fields",
        "eod_update_overdue",
        "estimate_missing",
        "followup_overdue",
        "intake_missing_fields",
        "postmortem_due",
        "progress_overdue",
        "sev1_daily_update",
        "sev1_setup_missing",
        "sev2_weekly_update",
        "update_next_missing",
        "update_overdue",
    }
)
