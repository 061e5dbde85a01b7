"""The weekly digest: the PM's weekly status of a policy's escalations.

Without ``space`` it is one message listing the open tickets. With ``space`` the
week also gets a Confluence page (counts, SLA breaches, MTTA/MTTR, a 12-week
chart, from the incident ledger so resolved and pruned tickets still count), and
the message announces that page with the week's totals. The page is planned
before the message so the executor, which runs a plan in order, has created it
by the time the message is posted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from typing import Any

from agent.core.actions import ActionKind, PlannedAction
from agent.core.digest_stats import digest_stats, iso_week
from agent.core.keys import ActionKey
from agent.core.lazy import once
from agent.core.ledger import IncidentRecord
from agent.core.message import Message
from agent.core.model import Ticket
from agent.core.routing import route
from agent.core.rules.base import iso, ticket_context
from agent.core.rules.kind import Family, RuleKind, Says
from agent.policy.calendars import weekday_number
from agent.policy.rule_models import WeeklyDigest
from agent.policy.schema import Policy
from agent.timekeeping.calendar import BusinessCalendar

# A weekly report first noticed this long after its slot is skipped, not sent late.
STALE_AFTER = timedelta(days=1)
PAGE_TEMPLATE = "confluence/weekly_digest.xml.j2"


def digest_title(policy: Policy, rule: WeeklyDigest, week: str) -> str:
    """The page title: unique per policy and ISO week, and the same on every cycle."""
    return rule.title.format(policy=policy.name, week=week)


def weekly_digest(
    policy: Policy,
    rule: WeeklyDigest,
    *,
    tickets: Sequence[Ticket],
    now: datetime,
    calendar: BusinessCalendar,
    severities: Mapping[str, str | None],
    incidents: Mapping[str, IncidentRecord] | None = None,
    done_keys: AbstractSet[str] = frozenset(),
) -> list[PlannedAction]:
    """The week's page (with ``space``) and message, unless ``done_keys`` holds them.

    Every cycle in the day after the slot asks again, and once the page and message
    are carried out nothing is built: the page's numbers (a pass over the ledger) and
    the listing are worked out only for an action still to plan (see ``core.lazy``).
    """
    slot = calendar.weekly_slot_at_or_before(now, weekday_number(rule.weekday), rule.at)
    if now - slot > STALE_AFTER:
        return []
    listed = [t for t in tickets if t.is_open and t.created <= slot]
    if not listed and rule.space is None:
        return []

    @once
    def listing() -> dict[str, Any]:
        return {
            "policy": policy.name,
            "week_of": iso(slot),
            "tickets": [ticket_context(t, severities.get(t.key)) for t in listed],
        }

    actions: list[PlannedAction] = []
    count = f"{len(listed)} open ticket{'' if len(listed) == 1 else 's'}"
    reason = f"{count} for the weekly status of {policy.name}."
    context: Callable[[], Mapping[str, Any]] = listing
    if rule.space is not None:
        space = rule.space
        page = once(
            lambda: _page(
                policy,
                rule,
                space=space,
                slot=slot,
                calendar=calendar,
                incidents=incidents or {},
                listing=listing(),
            )
        )
        if page_key(policy, rule, slot) not in done_keys:
            actions.append(page())

        def announcing() -> dict[str, Any]:
            made = page()
            return {
                **listing(),
                "page": {"key": made.key, "title": made.context["title"], "space": space},
                "stats": {
                    name: made.context["stats"][name]
                    for name in ("week", "opened", "open", "closed", "breach_total")
                },
            }

        context = once(announcing)
        # the page's week (``DigestStats.week``), named without working out its numbers
        reason = f"Weekly digest of {policy.name} for {iso_week(calendar, slot)}."
    message = Message(
        rule=rule.kind,
        reason=reason,
        due=slot,
        template=rule.template or "weekly_digest",
        audience=(),
        context=context,
        urgent=rule.urgent,
    )
    key = ActionKey(rule=rule.ident, owner=policy.name, slot=iso(slot))
    actions += route(policy, None, rule.notify or ["project_channel"], key, message, skip=done_keys)
    return actions


def page_key(policy: Policy, rule: WeeklyDigest, slot: datetime) -> str:
    """The key of the week's page (one per policy, rule and slot)."""
    return ActionKey(rule=rule.ident, owner=policy.name, slot=f"page@{iso(slot)}").format()


def _page(
    policy: Policy,
    rule: WeeklyDigest,
    *,
    space: str,
    slot: datetime,
    calendar: BusinessCalendar,
    incidents: Mapping[str, IncidentRecord],
    listing: Mapping[str, Any],
) -> PlannedAction:
    levels = policy.severity.levels if policy.severity else []
    stats = digest_stats(
        (r for r in incidents.values() if r.policy == policy.name),
        calendar=calendar,
        end=slot,
        levels=levels,
    )
    title = digest_title(policy, rule, iso_week(calendar, slot))
    return PlannedAction(
        key=page_key(policy, rule, slot),
        policy=policy.name,
        rule=rule.kind,
        issue=None,
        kind=ActionKind.CONFLUENCE_PAGE,
        reason=f"The weekly digest page of {policy.name} for {stats.week}.",
        due=slot,
        template=PAGE_TEMPLATE,
        urgent=rule.urgent,
        context={
            **listing,
            "space": space,
            "title": title,
            "parent": rule.parent,
            "timezone": calendar.tz.key,
            "stats": stats.as_context(),
        },
    )


FAMILY = Family(
    "digest",
    "Digest",
    "The weekly overview of a policy's open tickets.",
)
KINDS: tuple[RuleKind[Any], ...] = (
    RuleKind(
        model=WeeklyDigest,
        handler=None,
        family=FAMILY,
        description=(
            "Each week at `weekday` `at`, one digest of all open tickets of the policy "
            "(default: in the project channel). With `space`, also a Confluence page for the "
            "week: escalations opened, open and closed per project and severity, SLA breaches"
            " by rule, mean time to acknowledge and to resolve per severity, and a chart of "
            "the last 12 weeks; the message then announces the page with the week's counts."
        ),
        words="posted the weekly digest",
        params={
            "space": (
                "Confluence space of the weekly digest page; unset: no page, only the message"
                " listing the open tickets."
            ),
            "title": (
                "Digest page title; placeholders `{policy}` and `{week}` (the ISO week, e.g. "
                "`2026-W47`), so each week's page has its own stable title."
            ),
            "parent": (
                "Title of the page to create the digest pages under; unset: the space's home page."
            ),
        },
        templates=frozenset({"weekly_digest"}),
        reads_messages=False,
        says=Says.DIGEST,
        template_files=frozenset({"confluence/weekly_digest.xml.j2"}),
    ),
)
