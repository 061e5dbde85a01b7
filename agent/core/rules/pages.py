"""What a paperwork page says, and the two actions every page gets: the page and its link.

Shared by the page rules (incident summary, response report, lessons learned)
and the post-mortem. Each page is one ``CONFLUENCE_PAGE`` action keyed
``page@<resolved>#<digest>``: the digest covers the rule's field values, so when
someone fills the root cause after the page was drafted, a new key is planned
and the page is refreshed (the handler only overwrites the agent's own
version); while nothing changes, the key stays and nothing is planned. Right
after it comes a ``JIRA_REMOTE_LINK`` keyed ``page@<resolved>:link`` (no digest:
one link per page, its global id stable) whose URL the executor takes from the
page action's external ref (``link_from_ref``), since only Confluence knows
the page's id.

Pure: times come from the ticket and the clock the planner was given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from agent.core.actions import ActionKind
from agent.core.followups import actions_page
from agent.core.human_updates import first_acknowledgement
from agent.core.rules.base import RuleContext, iso, plain_value
from agent.policy.rule_models import IncidentSummary
from agent.timekeeping.durations import format_duration

# A page's changelog table and timeline stop here: a ticket with thousands of
# edits would make a page nobody reads (the full history stays on the ticket).
MAX_CHANGES = 50
MAX_TIMELINE = 100
NOT_ACKNOWLEDGED = "—"
DIGEST_LENGTH = 8


def fields_digest(values: Mapping[str, Any]) -> str:
    """A short stable digest of field values (key order and dict order do not matter)."""
    text = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def filled(values: Mapping[str, Any]) -> list[str]:
    """Names of the fields that have a value (what a refresh would write)."""
    return [name for name, value in values.items() if value not in (None, "", [], {})]


def time_to_acknowledge(ctx: RuleContext) -> str:
    """From reported to the first human update (the ack rule's own test), or a dash."""
    acked = first_acknowledgement(ctx.updates(), ctx.ticket.created)
    return format_duration(acked - ctx.ticket.created) if acked is not None else NOT_ACKNOWLEDGED


def changes(ctx: RuleContext) -> list[dict[str, Any]]:
    """The ticket's changelog, one entry per changed field: who changed what, when."""
    out = [
        {
            "at": iso(change.created),
            "who": change.author.display_name if change.author else None,
            "field": item.field,
            "from": item.from_value,
            "to": item.to_value,
        }
        for change in sorted(ctx.ticket.changelog, key=lambda c: c.created)
        for item in change.items
    ]
    return out[-MAX_CHANGES:]


def timeline(ctx: RuleContext) -> list[dict[str, Any]]:
    """Human comments, oldest first: the communication steps."""
    entries = [
        {
            "at": iso(c.created),
            "who": c.author.display_name if c.author else None,
            "text": c.body,
        }
        for c in sorted(ctx.ticket.comments, key=lambda c: c.created)
        if not c.by_agent
    ]
    return entries[-MAX_TIMELINE:]


def summary_page_title(ctx: RuleContext) -> tuple[str | None, str | None]:
    """Title and space of the ticket's incident summary page, if the policy writes one."""
    for rule in ctx.policy.rules:
        if isinstance(rule, IncidentSummary) and (
            not rule.severities or ctx.severity in rule.severities
        ):
            title = rule.title.format(
                key=ctx.issue, summary=ctx.ticket.summary, project=ctx.ticket.project
            )
            return title, rule.space
    return None, None


def field_values(ctx: RuleContext, fields: list[str]) -> dict[str, Any]:
    """The rule's fields as template data; they also key the page (``fields_digest``)."""
    return {name: plain_value(ctx.ticket.field_value(name)) for name in fields}


def record(ctx: RuleContext, fields: list[str], resolved: datetime) -> dict[str, Any]:
    """Everything a resolved ticket's paperwork shows (times in ISO, the policy's zone)."""
    total = resolved - ctx.ticket.created
    return ctx.context(
        created=iso(ctx.ticket.created),
        resolved_at=iso(resolved),
        resolution_time=format_duration(total),
        resolution_minutes=int(total.total_seconds() // 60),
        resolution=ctx.ticket.resolution,
        fields=field_values(ctx, fields),
        description=ctx.ticket.description,
        timeline=timeline(ctx),
        changes=changes(ctx),
        time_to_acknowledge=time_to_acknowledge(ctx),
        timezone=ctx.policy.timezone,
    )


def plan_page(
    ctx: RuleContext,
    *,
    resolved: datetime,
    what: str,
    reason: str,
    template: str,
    title: str,
    fields: Mapping[str, Any],
    data: Callable[[], Mapping[str, Any]],
) -> None:
    """The page action (keyed by the digest of ``fields``) and the link back on the ticket.

    ``data()`` is the page's template data (with ``title``, ``space`` and ``fields``);
    it is only worked out if the page is still to be written: a resolved ticket is
    planned every cycle until it is pruned, and its page is almost always written.
    """
    slot = f"page@{iso(resolved)}"
    version = fields_digest(fields)  # after ``#``: every version shares the key's base
    ctx.action(
        ActionKind.CONFLUENCE_PAGE,
        slot,
        where=version,
        reason=reason,
        due=resolved,
        template=template,
        context=lambda: {
            **data(),
            "facts": filled(fields),
            "actions_section": actions_page(ctx.policy) == ctx.rule_name,
        },
    )
    ctx.action(
        ActionKind.JIRA_REMOTE_LINK,
        f"{slot}:link",
        reason=f"A link on {ctx.issue} to {what}: {title}.",
        due=resolved,
        template=None,
        context=lambda: ctx.context(link_from_ref=ctx.key(slot, version), link_title=title),
    )
