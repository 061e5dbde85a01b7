"""One replica runs the cycle at a time: a renewable lease in the shared state store.

Several ``run`` replicas may share one PostgreSQL database for availability. The
per-effect claims already stop two replicas from doing the same thing twice;
the lease also stops them racing on the engine-state document (read, plan,
write back). The holder renews it at every cycle; the others stand by and
try again each poll interval, so when the holder dies (even by SIGKILL) one of
them takes over within a lease lifetime plus a poll interval.

The lease runs on wall-clock time (never the agent's ``--now`` clock): every
replica must agree on when it expires.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import datetime, timedelta

from agent.clock import Clock, SystemClock
from agent.runtime.processes import has_ended_here
from agent.store import StateStore, StoreError

log = logging.getLogger(__name__)

LEASE_NAME = "cycle"
# The holder may miss this many poll intervals before another replica takes over.
LEASE_INTERVALS = 3


def lease_owner() -> str:
    """hostname-pid-random: unique even when two containers reuse a hostname and a pid."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """Whether a lease owner (``host-pid-random``) is a process of this host that has ended.

    Only other processes of this host can be checked; anything else (another host, this
    process, an owner string of another shape) counts as alive and its lease is waited out.
    """
    host, sep, _random = owner.rpartition("-")
    host, sep2, pid_text = host.rpartition("-")
    if not sep or not sep2 or pid_text == str(os.getpid()):
        return False
    return has_ended_here(host, pid_text)


def lease_ttl(poll_seconds: float) -> timedelta:
    if poll_seconds <= 0:
        raise ValueError(f"poll_seconds must be positive, not {poll_seconds}")
    return timedelta(seconds=poll_seconds * LEASE_INTERVALS)


class CycleLease:
    """Take or renew the cycle lease before each cycle; remember and log changes of leadership."""

    def __init__(
        self,
        store: StateStore,
        *,
        ttl: timedelta,
        owner: str | None = None,
        clock: Clock | None = None,
        name: str = LEASE_NAME,
    ) -> None:
        if ttl <= timedelta(0):
            raise ValueError(f"the lease's ttl must be positive, not {ttl}")
        self.store = store
        self.ttl = ttl
        self.owner = owner or lease_owner()
        self.name = name
        self.clock: Clock = clock or SystemClock()
        self.held = False

    def acquire(self) -> bool:
        """True when this replica holds the lease for the next ``ttl`` (taken or renewed).

        A lease left by a dead agent process on this host (killed mid-cycle, e.g. a cron
        run) is taken over at once rather than waited out.
        """
        now = self.clock.now()
        got = self.store.acquire_lease(self.name, self.owner, self.ttl, now)
        if not got and self._release_if_holder_died(now):
            got = self.store.acquire_lease(self.name, self.owner, self.ttl, now)
        if got and not self.held:
            log.info("took the %s lease as %s (renewed every cycle)", self.name, self.owner)
        elif not got:
            if self.held:
                log.warning("lost the %s lease to another replica; standing by", self.name)
            else:
                self._log_standby(now)
        self.held = got
        return got

    def _release_if_holder_died(self, now: datetime) -> bool:
        holder = self.store.lease_holder(self.name, now)
        if holder is None or not owner_is_dead(holder.owner):
            return False
        log.warning(
            "%s holds the %s lease but is no longer running; taking over", holder.owner, self.name
        )
        return self.store.release_lease(self.name, holder.owner)

    def _log_standby(self, now: datetime) -> None:
        holder = self.store.lease_holder(self.name, now)
        if holder is None:
            log.debug("%s lease not taken this time; standing by", self.name)
            return
        log.debug(
            "skipping the cycle: %s holds the %s lease until %s; standing by",
            holder.owner,
            self.name,
            holder.expires_at.isoformat(),
        )

    def release(self) -> None:
        """Give the lease up at a graceful stop, so a standby replica takes over at once."""
        if not self.held:
            return
        self.held = False
        try:
            if self.store.release_lease(self.name, self.owner):
                log.info("released the %s lease", self.name)
        except StoreError as exc:
            log.warning(
                "could not release the %s lease (it lapses by itself in %s): %s",
                self.name,
                self.ttl,
                exc,
            )
