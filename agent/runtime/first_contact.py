"""When each policy first ran against the site, kept in the store (kv ``first_contact``).

The first cycle that runs a policy records its clock time; the planner leaves
alone every ticket resolved before it (``agent.core.history``). The record is
written with ``kv_put_if_absent``, so replicas racing on one PostgreSQL agree
on a single instant, and it is never moved by later cycles. A read-only run
(``plan``, ``AGENT_DRY_RUN``) records nothing and plans as if the policies
first ran now.

A lost state file loses the record too: the next cycle records a new first
contact, so what was resolved meanwhile is history rather than a flood, and the
nudges already sent are recognised by their markers (the executor checks every
effect when the engine state is gone). ``backfill --since`` writes what a team
still wants of that history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from agent.policy import Policy
from agent.store import StateStore, StoreError

NAMESPACE = "first_contact"


@dataclass(frozen=True)
class FirstContacts:
    """Each policy's first contact, and which of them this run is (or would be) the first."""

    at: dict[str, datetime] = field(default_factory=dict)
    new: tuple[str, ...] = ()


def _parse(name: str, raw: object) -> datetime:
    text = raw.get("at") if isinstance(raw, dict) else None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise StoreError(
            f"the first contact of policy {name} in the store is unreadable ({raw!r}); "
            f'set kv {NAMESPACE}/{name} to {{"at": "<ISO-8601 with offset>"}} or delete it '
            "(then the next cycle counts as the policy's first)"
        )
    return moment


def first_contacts(
    store: StateStore, policies: Sequence[Policy], now: datetime, *, record: bool
) -> FirstContacts:
    """The recorded first contacts; policies without one get ``now`` (recorded if ``record``)."""
    found: dict[str, datetime] = {}
    new: list[str] = []
    for policy in policies:
        raw = store.kv_get(NAMESPACE, policy.name)
        if raw is None:
            mine = {"at": now.isoformat()}
            raw = store.kv_put_if_absent(NAMESPACE, policy.name, mine) if record else mine
            if raw == mine:
                new.append(policy.name)
        found[policy.name] = _parse(policy.name, raw)
    return FirstContacts(found, tuple(new))


def declare_first_contact(store: StateStore, policy: str, at: datetime) -> datetime:
    """Record ``at`` as the policy's first contact unless one is recorded; return the one kept.

    For a site that ran the agent before its store existed (a migration), for the
    demo, which plays an agent that has been running for days, and for tests.
    """
    if at.tzinfo is None:
        raise ValueError("a first contact needs a time zone")
    return _parse(policy, store.kv_put_if_absent(NAMESPACE, policy, {"at": at.isoformat()}))


def history_note(policy: str, count: int, first: datetime, zone: ZoneInfo) -> str:
    """What ``plan`` and a first ``run`` say about the tickets left alone, and how to add them."""
    local = first.astimezone(zone)
    return (
        f"{policy}: {count} ticket(s) resolved before the agent first ran this policy "
        f"({local:%Y-%m-%d %H:%M %Z}) are left alone as history: no paperwork, log rows, "
        "links or nudges. To write their paperwork: escalation-agent backfill --since "
        f"YYYY-MM-DD --policy {policy} (shows what it would write; writes only with --yes)."
    )
