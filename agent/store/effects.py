"""The effect intent log: claim, settle and query external effects, exactly once.

Each function runs inside the caller's write transaction. Claiming is
insert-if-absent (``INSERT ... ON CONFLICT DO NOTHING``), then a row lock
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
holds the database's write lock), then an UPDATE conditioned on the claim we
saw. Any one of these alone would stop two replicas claiming the same key; the
conditional UPDATE keeps it true even if the locking were weakened later.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.sql.elements import ColumnElement

from agent.store.protocol import ClaimOutcome, EffectClaim, EffectRecord, EffectStatus, JsonDoc
from agent.store.sqlbits import dump_json, insert_for
from agent.store.store_errors import ClaimLostError, UnknownEffectError
from agent.store.tables import effects
from agent.store.timestamps import as_utc

MAX_ERROR_CHARS = 4000
_PENDING = EffectStatus.PENDING.value


def to_record(row: Row[Any]) -> EffectRecord:
    ref = json.loads(row.external_ref) if row.external_ref is not None else None
    return EffectRecord(
        key=row.key,
        policy=row.policy,
        rule=row.rule,
        issue=row.issue,
        kind=row.kind,
        status=EffectStatus(row.status),
        attempts=row.attempts,
        last_error=row.last_error,
        external_ref=ref,
        claimed_by=row.claimed_by,
        claimed_until=row.claimed_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def fetch(conn: Connection, key: str, *, lock: bool = False) -> EffectRecord | None:
    query = select(effects).where(effects.c.key == key)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    return to_record(row) if row is not None else None


def begin(
    conn: Connection,
    *,
    key: str,
    policy: str,
    rule: str,
    issue: str,
    kind: str,
    owner: str,
    now: datetime,
    claim_for: timedelta,
) -> EffectClaim:
    if claim_for <= timedelta(0):
        raise ValueError(f"claim_for must be positive, got {claim_for}")
    now = as_utc(now, "now")
    until = now + claim_for
    inserted = conn.execute(
        insert_for(conn, effects)
        .values(
            key=key,
            policy=policy,
            rule=rule,
            issue=issue,
            kind=kind,
            status=_PENDING,
            attempts=0,
            claimed_by=owner,
            claimed_until=until,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=[effects.c.key])
        .returning(effects.c.key)
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for INSERT ... ON CONFLICT.
    is_new = inserted.first() is not None
    current = fetch(conn, key, lock=not is_new)
    assert current is not None, f"effect {key} vanished inside its own transaction"
    if is_new:
        return EffectClaim(ClaimOutcome.CLAIMED, current)
    if current.status is EffectStatus.DONE:
        return EffectClaim(ClaimOutcome.ALREADY_DONE, current)
    if current.status is not EffectStatus.PENDING:
        return EffectClaim(ClaimOutcome.CLOSED, current)
    if current.claimed_until is not None and current.claimed_until > now:
        return EffectClaim(ClaimOutcome.BUSY, current)
    # Unclaimed (a failed attempt released it) or a claim that expired unsettled,
    # which means its holder died mid-effect: the effect may already exist outside.
    needs_reconcile = current.claimed_by is not None
    taken = conn.execute(
        update(effects)
        .where(
            effects.c.key == key,
            effects.c.status == _PENDING,
            effects.c.claimed_by.is_not_distinct_from(current.claimed_by),
            effects.c.claimed_until.is_not_distinct_from(current.claimed_until),
        )
        .values(claimed_by=owner, claimed_until=until, updated_at=now)
    )
    claimed = fetch(conn, key)
    assert claimed is not None
    if taken.rowcount != 1:
        return EffectClaim(ClaimOutcome.BUSY, claimed)
    return EffectClaim(ClaimOutcome.CLAIMED, claimed, needs_reconcile=needs_reconcile)


def _held_by(key: str, owner: str) -> tuple[ColumnElement[bool], ...]:
    return (effects.c.key == key, effects.c.status == _PENDING, effects.c.claimed_by == owner)


def _not_ours(conn: Connection, key: str, owner: str, doing: str) -> EffectRecord:
    """Explain why ``owner`` could not settle ``key``; return it if it is already done."""
    current = fetch(conn, key)
    if current is None:
        raise UnknownEffectError(f"cannot {doing} effect {key!r}: it was never begun")
    if current.status is EffectStatus.DONE and doing == "finish":
        return current
    holder = current.claimed_by or "nobody"
    raise ClaimLostError(
        f"cannot {doing} effect {key!r} for {owner}: it is {current.status.value} and held by "
        f"{holder}; the claim expired and was taken over, and the new holder reconciles it"
    )


def finish(
    conn: Connection, *, key: str, owner: str, external_ref: JsonDoc | None, now: datetime
) -> EffectRecord:
    result = conn.execute(
        update(effects)
        .where(*_held_by(key, owner))
        .values(
            status=EffectStatus.DONE.value,
            external_ref=dump_json(external_ref, f"external_ref of effect {key!r}")
            if external_ref is not None
            else None,
            claimed_until=None,
            updated_at=as_utc(now, "now"),
        )
    )
    if result.rowcount != 1:
        return _not_ours(conn, key, owner, "finish")
    record = fetch(conn, key)
    assert record is not None
    return record


def fail(
    conn: Connection, *, key: str, owner: str, error: str, now: datetime, give_up: bool
) -> EffectRecord:
    status = EffectStatus.FAILED if give_up else EffectStatus.PENDING
    result = conn.execute(
        update(effects)
        .where(*_held_by(key, owner))
        .values(
            status=status.value,
            attempts=effects.c.attempts + 1,
            last_error=error[:MAX_ERROR_CHARS],
            claimed_by=None,
            claimed_until=None,
            updated_at=as_utc(now, "now"),
        )
    )
    if result.rowcount != 1:
        _not_ours(conn, key, owner, "fail")
    record = fetch(conn, key)
    assert record is not None
    return record


def for_issue(conn: Connection, issue: str) -> list[EffectRecord]:
    query = (
        select(effects)
        .where(effects.c.issue == issue)
        .order_by(effects.c.created_at, effects.c.key)
    )
    return [to_record(row) for row in conn.execute(query)]
