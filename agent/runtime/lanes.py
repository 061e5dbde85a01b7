"""Lanes: the plan split into chains that may run at the same time, on a bounded thread pool.

Actions of one ticket depend on each other (the channel before the invites and
posts, an anchor before its thread replies, a page before its remote link), so
they stay in plan order in one lane. Different tickets share nothing the
executor must order, so their lanes run concurrently on ``workers`` threads
(``AGENT_WRITE_CONCURRENCY``): with many nudges the cycle spends its time in
several requests at once instead of one after another.

Policy-level actions (no ``issue``: digests, reports) come after their policy's
ticket actions in the plan and may read what those produced, so they form a
second phase, one lane per policy, started only when every ticket lane ended.

A stop request (SIGTERM) is checked before every action of every lane: lanes
finish the action in flight and start nothing more. An exception that is not an
action's failure (a bug, a store that went away) stops the other lanes the same
way and is raised once they are idle.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from agent.core.actions import PlannedAction

log = logging.getLogger(__name__)

MAX_WORKERS = 32  # AGENT_WRITE_CONCURRENCY's upper bound

Act = Callable[[PlannedAction], bool]
"""Carries out one action; True when it is done (now or before)."""


@dataclass(frozen=True)
class Lane:
    """Actions that must run one after another, in plan order."""

    name: str  # the issue key, or ``policy:<name>`` for policy-level actions
    actions: tuple[PlannedAction, ...]


@dataclass
class LaneOutcome:
    """Keys done by the lanes, and whether a stop request left actions undone."""

    done_keys: set[str] = field(default_factory=set)
    stopped_early: bool = False


def lane_name(action: PlannedAction) -> str:
    return action.issue if action.issue is not None else f"policy:{action.policy}"


def split_lanes(actions: Sequence[PlannedAction]) -> tuple[list[Lane], list[Lane]]:
    """(ticket lanes, policy-level lanes), each in order of first appearance in the plan."""
    tickets: dict[str, list[PlannedAction]] = {}
    policies: dict[str, list[PlannedAction]] = {}
    for action in actions:
        group = tickets if action.issue is not None else policies
        group.setdefault(lane_name(action), []).append(action)
    return (
        [Lane(name, tuple(chain)) for name, chain in tickets.items()],
        [Lane(name, tuple(chain)) for name, chain in policies.items()],
    )


def run_in_order(
    actions: Sequence[PlannedAction], act: Act, should_stop: Callable[[], bool]
) -> LaneOutcome:
    """The whole plan in one thread, in plan order (``AGENT_WRITE_CONCURRENCY=1``)."""
    outcome = LaneOutcome()
    for action in actions:
        if should_stop():
            outcome.stopped_early = True
            break
        if act(action):
            outcome.done_keys.add(action.key)
    return outcome


class LanePool:
    """Runs lanes on at most ``workers`` threads; one lane is never run by two threads."""

    def __init__(self, workers: int, should_stop: Callable[[], bool]) -> None:
        if not 1 <= workers <= MAX_WORKERS:
            raise ValueError(
                f"a lane pool needs 1..{MAX_WORKERS} workers, not {workers}; "
                "check AGENT_WRITE_CONCURRENCY"
            )
        self.workers = workers
        self._should_stop = should_stop
        self._broken = threading.Event()  # a lane raised: the others stop too
        self._lock = threading.Lock()
        self._outcome = LaneOutcome()

    def _stop(self) -> bool:
        return self._broken.is_set() or self._should_stop()

    def _run_lane(self, lane: Lane, act: Act) -> None:
        try:
            for action in lane.actions:
                if self._stop():
                    with self._lock:
                        self._outcome.stopped_early = True
                    return
                if act(action):
                    with self._lock:
                        self._outcome.done_keys.add(action.key)
        except BaseException:
            self._broken.set()
            raise

    def _phase(self, lanes: Sequence[Lane], act: Act) -> None:
        if not lanes:
            return
        workers = min(self.workers, len(lanes))
        errors: list[BaseException] = []
        with ThreadPoolExecutor(workers, thread_name_prefix="lane") as pool:
            futures = [pool.submit(self._run_lane, lane, act) for lane in lanes]
            for future in futures:
                error = future.exception()  # waits for the lane to end
                if error is not None:
                    errors.append(error)
        if errors:
            for extra in errors[1:]:
                log.error("another lane failed too: %r", extra)
            raise errors[0]

    def run(self, actions: Sequence[PlannedAction], act: Act) -> LaneOutcome:
        """Ticket lanes concurrently, then policy-level lanes concurrently."""
        ticket_lanes, policy_lanes = split_lanes(actions)
        self._phase(ticket_lanes, act)
        if self._stop():
            # Lanes that never started did not notice the stop themselves.
            self._outcome.stopped_early = self._outcome.stopped_early or bool(policy_lanes)
        else:
            self._phase(policy_lanes, act)
        return self._outcome


def run_plan(
    actions: Sequence[PlannedAction],
    act: Act,
    *,
    workers: int,
    should_stop: Callable[[], bool],
) -> LaneOutcome:
    """The plan's actions through ``act``: in order with one worker, else in lanes."""
    if workers == 1:
        return run_in_order(actions, act, should_stop)
    return LanePool(workers, should_stop).run(actions, act)
