"""The follow-ups section of the weekly digest: opened, done, overdue, by owner, oldest first.

From what the runtime read of the policy's resolved escalations (their
follow-up issues, ``FollowupsSeen``), for the digest week ``[start, end)``. A
follow-up is overdue once its due date has passed in the policy's zone (the same
moment ``followup_overdue`` chases it). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agent.core.calendar import BusinessCalendar
from agent.core.digest_stats import Week
from agent.core.followups import FollowupIssue, FollowupsSeen, followup_due

UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class _Row:
    escalation: str
    issue: FollowupIssue


def _owner(issue: FollowupIssue) -> str:
    person = issue.ticket.assignee
    return person.display_name if person is not None else UNASSIGNED


def _most_overdue_first(item: tuple[str, list[int]]) -> tuple[int, int, str]:
    name, (n_open, n_overdue) = item
    return (-n_overdue, -n_open, name)


def followup_digest(
    seen: Iterable[tuple[str, FollowupsSeen]], *, week: Week, calendar: BusinessCalendar
) -> dict[str, Any] | None:
    """The section's data, or None when the escalations have no follow-up at all."""
    rows = [_Row(escalation, issue) for escalation, s in seen for issue in s.issues]
    if not rows:
        return None
    opened = sum(1 for r in rows if week.holds(r.issue.ticket.created))
    done = sum(1 for r in rows if r.issue.done and week.holds(r.issue.ticket.resolved_at))

    def overdue(row: _Row) -> bool:
        due = row.issue.ticket.due_date
        return (
            not row.issue.done
            and due is not None
            and followup_due(calendar, due.date()) <= week.end
        )

    still_open = sorted(
        (r for r in rows if not r.issue.done),
        key=lambda r: (r.issue.ticket.due_date is None, r.issue.ticket.due_date, r.issue.key),
    )
    owners: dict[str, list[int]] = {}  # owner -> [open, overdue]
    for row in still_open:
        counts = owners.setdefault(_owner(row.issue), [0, 0])
        counts[0] += 1
        counts[1] += overdue(row)
    return {
        "opened": opened,
        "done": done,
        "open_total": len(still_open),
        "overdue_total": sum(1 for r in still_open if overdue(r)),
        "by_owner": [
            {"owner": name, "open": n_open, "overdue": n_overdue}
            for name, (n_open, n_overdue) in sorted(owners.items(), key=_most_overdue_first)
        ],
        "open": [
            {
                "escalation": r.escalation,
                "issue": r.issue.key,
                "summary": r.issue.ticket.summary,
                "owner": _owner(r.issue),
                "due": r.issue.ticket.due_date.date().isoformat()
                if r.issue.ticket.due_date
                else None,
                "overdue": overdue(r),
            }
            for r in still_open
        ],
    }
