"""How ``plan`` and ``status`` show obligations: times in the policy's zone, the zone named.

Both commands read the same obligations from the planner, so they show them the
same way: what is due, and for one that waits, why and when it will fire.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.core.obligations import Obligation, Waiting, waiting
from agent.policy.schema import Policy


def policy_zones(policies: Sequence[Policy]) -> dict[str, ZoneInfo]:
    """Each policy's time zone by policy name."""
    return {policy.name: policy.zone for policy in policies}


def when_in(moment: datetime, zone: ZoneInfo) -> str:
    """``Mon 23 Nov 11:15 Europe/Malta``: a time in a policy's zone, the zone named."""
    return f"{moment.astimezone(zone):%a %d %b %H:%M} {zone.key}"


def fires(wait: Waiting, zone: ZoneInfo) -> str:
    """When a waiting obligation will fire, in words a person can act on."""
    if wait.fires_at is not None:
        return f"from {when_in(wait.fires_at, zone)}"
    return wait.fires_when or "-"


def print_waiting(
    console: Console, obligations: Sequence[Obligation], zones: Mapping[str, ZoneInfo]
) -> None:
    """A table of the obligations that are due but whose nudge waits (nothing if none)."""
    rows = waiting(obligations)
    if not rows:
        return
    table = Table(title=f"{len(rows)} obligation(s) due but waiting", expand=False)
    for column in ("ticket", "policy", "obligation", "due", "why it waits", "fires"):
        table.add_column(column, overflow="fold")
    for obligation in rows:
        wait = obligation.waiting
        assert wait is not None  # waiting() keeps only those
        zone = zones.get(obligation.policy, ZoneInfo("UTC"))
        table.add_row(
            obligation.issue,
            obligation.policy,
            obligation.ident,
            when_in(obligation.due, zone),
            escape(f"{wait.reason.value}: {wait.why}"),
            escape(fires(wait, zone)),
        )
    console.print(table)
