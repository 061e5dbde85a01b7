"""What the post-mortem pages say: the status a person set on them, for the planner.

The post-mortem obligation is met when a person sets the page's status lozenge
to one of the rule's ``done_status`` words. The core cannot read Confluence, so
before planning the runtime reads the status of exactly the pages whose answer
can change the plan: resolved tickets of a ``postmortem_due`` rule, past the
rule's deadline (before it nothing is nudged anyway), whose fields are still
missing (filled fields meet it already), whose page the agent has written (a
done page effect) and which were not seen done before. A page seen done is
remembered in the store (kv ``page_status``), so a steady cycle reads nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from agent.adapters.confluence_port import ConfluencePort
from agent.adapters.confluence_status import StatusReadError
from agent.adapters.service_errors import NotFound, ServiceError
from agent.core.model import Ticket
from agent.core.rules.intake import missing_fields
from agent.core.selection import governs
from agent.core.severity import severity
from agent.core.state import EngineState
from agent.policy import Policy
from agent.policy.rule_models import PostmortemDue
from agent.runtime.read.followup_read import agent_page
from agent.runtime.report import CycleReport
from agent.store import StateStore

log = logging.getLogger(__name__)

NAMESPACE = "page_status"
"""kv namespace: ``<issue>:<rule>`` -> the done status a person set (kept once seen)."""

PageStatuses = dict[str, dict[str, str]]


def _pending(
    policy: Policy, rule: PostmortemDue, ticket: Ticket, state: EngineState, now: datetime
) -> bool:
    """Whether the page's status could still change this rule's plan for the ticket."""
    if ticket.is_open or not governs(policy, ticket):
        return False
    if rule.severities and severity(policy, ticket) not in rule.severities:
        return False
    kept = state.ticket(ticket.key)
    resolved = ticket.resolved_at or (kept.resolved_at if kept else None) or ticket.updated
    return now >= resolved + rule.within and bool(missing_fields(ticket, rule.fields))


def read_page_statuses(
    confluence: ConfluencePort | None,
    store: StateStore,
    tickets: Iterable[Ticket],
    policies: Sequence[Policy],
    state: EngineState,
    *,
    now: datetime,
    report: CycleReport,
    remember: bool = True,
) -> PageStatuses:
    """issue -> {rule name: status title} for the pages that matter (see the module doc).

    A page that cannot be read is left out (its obligation goes on as if not
    done) and the failure is logged and reported; a deleted page is not done.
    """
    found: PageStatuses = {}
    if confluence is None:
        return found
    rules = [
        (policy, rule)
        for policy in policies
        for rule in policy.rules
        if isinstance(rule, PostmortemDue)
    ]
    if not rules:
        return found
    for ticket in tickets:
        for policy, rule in rules:
            if not _pending(policy, rule, ticket, state, now):
                continue
            status = _status(confluence, store, ticket.key, rule, report=report, remember=remember)
            if status is not None:
                found.setdefault(ticket.key, {})[rule.rule] = status
    return found


def _status(
    confluence: ConfluencePort,
    store: StateStore,
    issue: str,
    rule: PostmortemDue,
    *,
    report: CycleReport,
    remember: bool,
) -> str | None:
    kept = store.kv_get(NAMESPACE, f"{issue}:{rule.ident}")
    if isinstance(kept, str):
        return kept
    page_id = agent_page(store, issue, rule.rule)
    if page_id is None:
        return None
    try:
        status = confluence.page_status(page_id)
    except NotFound:
        log.info("%s: the post-mortem page %s is gone; it is not done", issue, page_id)
        return None
    except (ServiceError, StatusReadError) as exc:
        message = f"cannot read the post-mortem page's status ({exc}); trying again next cycle"
        log.warning("%s: %s", issue, message)
        report.add_problems([f"{issue} [{rule.ident}]: {message}"])
        return None
    if status is not None and remember and _is_done(status, rule):
        store.kv_put(NAMESPACE, f"{issue}:{rule.ident}", status)
    return status


def _is_done(status: str, rule: PostmortemDue) -> bool:
    return status.upper() in {word.upper() for word in rule.done_status}
