"""Carries out a plan's actions exactly once, through the store's effect intent log.

For every action, in plan order: claim its key (``begin_effect``); skip it when
it is already done, held by another replica, or closed; after a crash
(``needs_reconcile``) let the handler look for the effect's marker before
acting; perform; record it done with where it landed (``finish_effect``). A
failure is recorded (``fail_effect``) and left for the next cycle; the other
actions still run. With ``concurrency`` above 1 the plan runs in lanes (one per
ticket, see :mod:`agent.runtime.lanes`) on that many threads; claims make each
action exactly-once whichever thread, or replica, gets to it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from agent.adapters.service_errors import ServiceError
from agent.core.actions import ActionKind, PlannedAction
from agent.core.state import EngineState
from agent.render.environment import TemplateRenderError
from agent.runtime.act import (
    handlers_confluence,
    handlers_followups,
    handlers_intake,
    handlers_jira,
    handlers_slack,
)
from agent.runtime.act.archived_channels import record_archived
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.runtime.lanes import run_plan
from agent.runtime.processes import has_ended_here
from agent.runtime.report import CycleReport
from agent.store import ClaimLostError, ClaimOutcome, EffectClaim, StateStore

log = logging.getLogger(__name__)

DEFAULT_CLAIM = timedelta(minutes=5)
# Failures that belong to one action (a service said no, a template broke, data was
# missing): recorded and retried next cycle. Anything else is a bug and propagates.
ACTION_FAILURES = (ServiceError, ActionError, TemplateRenderError, ValueError, LookupError)

HANDLERS: dict[ActionKind, Handler] = {
    **handlers_jira.HANDLERS,
    **handlers_intake.HANDLERS,
    **handlers_slack.HANDLERS,
    **handlers_confluence.HANDLERS,
    **handlers_followups.HANDLERS,
}


def must_reconcile(claim: EffectClaim, recovering: bool) -> bool:
    """Whether the effect may exist although the store cannot say it is done.

    A claim that expired mid-effect (a crash), an earlier attempt that failed in
    a way that may have taken effect (a 5xx or a lost connection after the
    request was sent), or a store that lost its memory: look for the marker first.
    """
    return claim.needs_reconcile or claim.record.attempts > 0 or recovering


def holder_is_dead(holder: str) -> bool:
    """Whether a claim owner (``host:pid``, see ``default_owner``) is a dead process here.

    Only processes on this host can be checked; the owner string of this very
    process means an earlier process with the same pid (a restarted container).
    """
    host, _, pid_text = holder.rpartition(":")
    if host == socket.gethostname() and pid_text == str(os.getpid()):
        return True
    return has_ended_here(host, pid_text)


@dataclass
class Execution:
    """The outcome of running a plan: keys done (now or before) and the updated state."""

    state: EngineState
    done_keys: set[str] = field(default_factory=set)
    stopped_early: bool = False


class Executor:
    """Runs actions for one owner (this process) with claims of ``claim_for``."""

    def __init__(
        self,
        store: StateStore,
        owner: str,
        *,
        claim_for: timedelta = DEFAULT_CLAIM,
        handlers: dict[ActionKind, Handler] | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        recovering: bool = False,
        concurrency: int = 1,
    ) -> None:
        self.store = store
        self.owner = owner
        self.claim_for = claim_for
        self.handlers = handlers or HANDLERS
        self.should_stop = should_stop
        # The store lost its memory (no engine state): every effect may exist already.
        self.recovering = recovering
        self.concurrency = concurrency  # lanes run at once; 1 = the plan in order

    def run(
        self,
        actions: Iterable[PlannedAction],
        env: ActionEnv,
        now: datetime,
        report: CycleReport,
    ) -> Execution:
        execution = Execution(state=env.state)
        outcome = run_plan(
            list(actions),
            lambda action: self._one(action, env, now, report),
            workers=self.concurrency,
            should_stop=self.should_stop,
        )
        execution.done_keys = outcome.done_keys
        if outcome.stopped_early:
            log.info("stopping: the remaining actions are left for the next cycle")
            execution.stopped_early = True
        report.add_problems(env.take_problems())
        state = env.state.with_done(execution.done_keys)
        for issue, channel_id in env.learned_channels.items():
            if state.ticket(issue) is not None:
                state = state.with_channel(issue, channel_id)
        execution.state = record_archived(state, env.archived_channels, report)
        return execution

    def _claim(self, action: PlannedAction, now: datetime) -> EffectClaim:
        return self.store.begin_effect(
            action.key,
            policy=action.policy,
            rule=action.rule,
            issue=action.issue or f"policy:{action.policy}",
            kind=action.kind.value,
            owner=self.owner,
            now=now,
            claim_for=self.claim_for,
        )

    def _take_over_dead_claim(self, claim: EffectClaim, now: datetime) -> bool:
        """Release a live claim whose holder is a dead agent process on this host."""
        holder = claim.record.claimed_by
        if claim.outcome is not ClaimOutcome.BUSY or holder is None or not holder_is_dead(holder):
            return False
        log.warning(
            "%s: claimed by %s, which is no longer running; taking it over",
            claim.record.key,
            holder,
        )
        try:
            self.store.fail_effect(
                claim.record.key, holder, f"the agent process {holder} died holding it", now
            )
        except ClaimLostError as exc:
            log.info("%s: could not take the claim over: %s", claim.record.key, exc)
            return False
        return True

    def _one(
        self, action: PlannedAction, env: ActionEnv, now: datetime, report: CycleReport
    ) -> bool:
        """Carry out one action; True when it is done (now or before)."""
        claim = self._claim(action, now)
        if self._take_over_dead_claim(claim, now):
            claim = self._claim(action, now)
        if claim.outcome is ClaimOutcome.ALREADY_DONE:
            report.count_skipped(action)
            if claim.record.external_ref is not None:
                env.remember_ref(action.key, claim.record.external_ref)
            return True
        if claim.outcome is not ClaimOutcome.CLAIMED:
            log.info("%s: %s, skipped", action.key, claim.outcome.value)
            report.count_skipped(action)
            return False
        handler = self.handlers.get(action.kind)
        try:
            if handler is None:
                raise ActionError(f"{action.key}: no handler for {action.kind.value}")
            reconcile = must_reconcile(claim, self.recovering)
            if reconcile:
                log.info("%s: an earlier attempt may have done it; checking first", action.key)
            ref = handler(action, env, reconcile)
        except ACTION_FAILURES as exc:
            message = f"{type(exc).__name__}: {exc}"
            # A failure a person must fix (a missing scope, an archived channel) comes back
            # every cycle: it is a warning the first time, then logged quietly until it changes.
            repeated = claim.record.last_error == message
            log.log(
                logging.INFO if repeated else logging.WARNING,
                "%s (%s on %s) %s: %s",
                action.key,
                action.kind.value,
                action.issue,
                "still fails as before" if repeated else "failed",
                exc,
            )
            try:
                self.store.fail_effect(action.key, self.owner, message, now)
            except ClaimLostError as lost:
                log.warning("%s: could not record the failure: %s", action.key, lost)
            service = exc.service if isinstance(exc, ServiceError) else None
            report.count_failed(action, message, service, repeated=repeated)
            return False
        try:
            self.store.finish_effect(action.key, self.owner, ref, now)
        except ClaimLostError as exc:
            log.warning("%s: done, but the claim was taken over meanwhile: %s", action.key, exc)
        env.remember_ref(action.key, ref)
        report.count_done(action)
        log.info("%s: %s done on %s", action.key, action.kind.value, action.issue or action.policy)
        return True
