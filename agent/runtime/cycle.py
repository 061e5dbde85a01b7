"""One cycle: load the state, read the tickets, plan (pure), execute, save the state.

``read_and_plan`` is the part ``plan`` shares: it writes nothing when the deps
are read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from agent.core.actions import Plan
from agent.core.state import EngineState
from agent.core.state_codec import state_from_dict, state_to_dict
from agent.runtime.act.archived_channels import record_archived
from agent.runtime.act.executor import Executor
from agent.runtime.deps import Deps
from agent.runtime.env import ActionEnv
from agent.runtime.first_contact import first_contacts
from agent.runtime.fresh_plan import plan_with_fresh_messages
from agent.runtime.gc_pause import collector_paused
from agent.runtime.read.followup_read import read_followups
from agent.runtime.read.page_status import read_page_statuses
from agent.runtime.read.reader import TicketReader
from agent.runtime.report import CycleReport
from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

ENGINE_NAMESPACE = "engine"
STATE_KEY = "state"
# Resolved tickets are forgotten this long after resolution (their effects stay logged).
KEEP_RESOLVED = timedelta(days=30)


def load_state(store: StateStore) -> EngineState:
    raw = store.kv_get(ENGINE_NAMESPACE, STATE_KEY)
    if raw is None:
        return EngineState()
    try:
        return state_from_dict(raw)
    except (ValueError, TypeError, KeyError) as exc:
        raise StoreError(
            f"the engine state in the store is unreadable ({exc}); "
            f"delete kv {ENGINE_NAMESPACE}/{STATE_KEY} to start afresh (done effects are kept)"
        ) from exc


def save_state(store: StateStore, state: EngineState) -> None:
    store.kv_put(ENGINE_NAMESPACE, STATE_KEY, state_to_dict(state))


def read_and_plan(deps: Deps, now: datetime, report: CycleReport) -> Plan:
    """Read tickets (and channel messages) for every policy and plan the cycle.

    A writable run records each policy's first contact before reading (see
    ``agent.runtime.first_contact``); a read-only one plans as if it were now."""
    contacts = first_contacts(deps.store, deps.policies, now, record=not deps.read_only)
    report.first_contact = contacts.at
    report.first_contact_new = contacts.new
    state = load_state(deps.store)
    reader = TicketReader(
        deps.jira,
        deps.slack,
        deps.store,
        save_snapshots=not deps.read_only,
        full_sync_every=timedelta(minutes=deps.settings.full_sync_minutes),
        user_map=deps.settings.user_map,
    )
    read = reader.read(deps.policies, state, report, now)
    state = record_archived(state, read.archived_channels, report)
    pages = read_page_statuses(
        deps.confluence,
        deps.store,
        read.tickets,
        deps.policies,
        state,
        now=now,
        report=report,
        remember=not deps.read_only,
    )
    followups = read_followups(
        deps.confluence, deps.jira, deps.store, read.tickets, deps.policies, report=report
    )
    with collector_paused():  # see gc_pause: about 0.15 s less CPU per plan at N = 10,000
        planned = plan_with_fresh_messages(
            reader,
            read,
            state,
            now=now,
            policies=deps.policies,
            report=report,
            pages=pages,
            first_contact=contacts.at,
            followups=followups,
        )
    report.history = dict(planned.history)
    # channels found archived when re-reading kept copies: recorded for the next plan
    planned = replace(planned, state=record_archived(planned.state, read.archived_channels, report))
    for problem in planned.problems:
        text = f"{problem.issue} [{problem.rule}]: {problem.message}"
        log.warning("ticket problem: %s", text)
        report.problems.append(text)
    for action in planned.actions:
        report.count_planned(action)
    return planned


def run_cycle(
    deps: Deps, now: datetime, should_stop: Callable[[], bool] = lambda: False
) -> CycleReport:
    """Read, plan, carry out and remember; failures are in the report, not raised."""
    if deps.read_only:
        raise StoreError("run_cycle needs a writable store; use read_and_plan for a dry run")
    deps.new_cycle()
    report = CycleReport()
    recovering = deps.store.kv_get(ENGINE_NAMESPACE, STATE_KEY) is None
    if recovering:
        log.info("no engine state in the store: every effect is checked for its marker first")
    planned = read_and_plan(deps, now, report)
    env = ActionEnv(
        jira=deps.jira,
        slack=deps.slack,
        confluence=deps.confluence,
        renderer=deps.renderer,
        store=deps.store,
        state=planned.state,
        confluence_space=deps.settings.confluence_space,
        timezone=deps.settings.timezone,
        policy_zones={policy.name: policy.timezone for policy in deps.policies},
        user_map=deps.settings.user_map,
    )
    executor = Executor(
        deps.store,
        deps.owner,
        should_stop=should_stop,
        recovering=recovering,
        concurrency=deps.settings.write_concurrency,
    )
    execution = executor.run(planned.actions, env, now, report)
    save_state(deps.store, execution.state.pruned(now - KEEP_RESOLVED))
    log.info("cycle at %s: %s", now.isoformat(), report.summary())
    for name in report.first_contact_new:
        log.info("policy %s: first run against this site, recorded at %s", name, now.isoformat())
    for note in report.history_notes(deps.settings.zone, first_run_only=True):
        log.warning("%s", note)
    for failure in report.failures:
        if not failure.repeated:
            log.warning("failed, left for the next cycle: %s: %s", failure.key, failure.error)
    repeated = sum(1 for failure in report.failures if failure.repeated)
    if repeated:
        log.info("%d action(s) still fail as in the previous cycle (said then)", repeated)
    return report
