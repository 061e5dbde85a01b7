"""The effect intent log: claim, settle, retry, give up, reconcile after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agent.store import (
    ClaimLostError,
    ClaimOutcome,
    EffectStatus,
    StateStore,
    UnknownEffectError,
)
from tests.store.support import CLAIM, T0, begin

KEY = "incident:ack-nudge:INC-1:1"


def test_a_new_effect_is_claimed_as_pending(store: StateStore) -> None:
    claim = begin(store, KEY, "replica-a")

    assert claim.outcome is ClaimOutcome.CLAIMED
    assert claim.claimed
    assert claim.needs_reconcile is False
    record = claim.record
    assert (record.key, record.policy, record.rule, record.issue, record.kind) == (
        KEY,
        "incident",
        "ack-nudge",
        "INC-1",
        "slack.message",
    )
    assert record.status is EffectStatus.PENDING
    assert record.attempts == 0
    assert record.claimed_by == "replica-a"
    assert record.claimed_until == T0 + CLAIM
    assert record.created_at == record.updated_at == T0
    assert store.get_effect(KEY) == record


def test_a_live_claim_makes_everyone_else_wait(store: StateStore) -> None:
    begin(store, KEY, "replica-a")

    other = begin(store, KEY, "replica-b", T0 + CLAIM - timedelta(microseconds=1))
    again = begin(store, KEY, "replica-a", T0 + timedelta(minutes=1))

    assert other.outcome is ClaimOutcome.BUSY
    assert again.outcome is ClaimOutcome.BUSY
    assert other.record.claimed_by == "replica-a"
    stored = store.get_effect(KEY)
    assert stored is not None
    assert stored.claimed_until == T0 + CLAIM


def test_done_is_never_done_again(store: StateStore) -> None:
    begin(store, KEY, "replica-a")
    ref = {"channel": "C1", "ts": "1772443800.000100"}

    done = store.finish_effect(KEY, "replica-a", ref, T0 + timedelta(seconds=2))

    assert done.status is EffectStatus.DONE
    assert done.external_ref == ref
    assert done.claimed_until is None
    assert done.updated_at == T0 + timedelta(seconds=2)
    for owner, later in (("replica-a", timedelta(seconds=3)), ("replica-b", timedelta(days=30))):
        claim = begin(store, KEY, owner, T0 + later)
        assert claim.outcome is ClaimOutcome.ALREADY_DONE
        assert claim.record.external_ref == ref
    stored = store.get_effect(KEY)
    assert stored is not None and stored.status is EffectStatus.DONE


def test_finishing_twice_keeps_the_first_reference(store: StateStore) -> None:
    begin(store, KEY, "replica-a")
    store.finish_effect(KEY, "replica-a", {"comment": "10001"}, T0)

    again = store.finish_effect(KEY, "replica-a", {"comment": "99999"}, T0 + timedelta(minutes=1))

    assert again.external_ref == {"comment": "10001"}
    assert again.updated_at == T0


def test_an_expired_claim_is_taken_over_and_must_be_reconciled(store: StateStore) -> None:
    begin(store, KEY, "replica-a")  # ...which then crashes mid-effect

    takeover = begin(store, KEY, "replica-b", T0 + CLAIM)

    assert takeover.outcome is ClaimOutcome.CLAIMED
    assert takeover.needs_reconcile is True
    assert takeover.record.claimed_by == "replica-b"
    assert takeover.record.claimed_until == T0 + 2 * CLAIM
    assert takeover.record.created_at == T0
    with pytest.raises(ClaimLostError, match="held by replica-b"):
        store.finish_effect(KEY, "replica-a", {"comment": "1"}, T0 + CLAIM)
    finished = store.finish_effect(KEY, "replica-b", {"comment": "1"}, T0 + CLAIM)
    assert finished.status is EffectStatus.DONE
    assert finished.claimed_by == "replica-b"


def test_a_failure_is_counted_and_retried_later(store: StateStore) -> None:
    begin(store, KEY, "replica-a")

    failed = store.fail_effect(KEY, "replica-a", "slack: ratelimited", T0 + timedelta(seconds=1))

    assert failed.status is EffectStatus.PENDING
    assert failed.attempts == 1
    assert failed.last_error == "slack: ratelimited"
    assert failed.claimed_by is None
    assert failed.claimed_until is None
    assert store.get_effect(KEY) == failed  # pending, held by nobody: free to retry

    retry = begin(store, KEY, "replica-b", T0 + timedelta(minutes=1))
    assert retry.outcome is ClaimOutcome.CLAIMED
    assert retry.needs_reconcile is False  # the failure was reported: nothing to reconcile
    assert retry.record.attempts == 1

    store.fail_effect(KEY, "replica-b", "slack: timeout", T0 + timedelta(minutes=1))
    begin(store, KEY, "replica-a", T0 + timedelta(minutes=2))
    done = store.finish_effect(KEY, "replica-a", {"ts": "1.2"}, T0 + timedelta(minutes=2))
    assert done.status is EffectStatus.DONE
    assert done.attempts == 2
    assert done.last_error == "slack: timeout"


def test_giving_up_closes_the_effect_for_good(store: StateStore) -> None:
    begin(store, KEY, "replica-a")

    failed = store.fail_effect(KEY, "replica-a", "channel_not_found", T0, give_up=True)

    assert failed.status is EffectStatus.FAILED
    assert failed.attempts == 1
    closed = begin(store, KEY, "replica-b", T0 + timedelta(hours=1))
    assert closed.outcome is ClaimOutcome.CLOSED
    assert closed.record.last_error == "channel_not_found"
    stored = store.get_effect(KEY)
    assert stored is not None and stored.status is EffectStatus.FAILED


def test_only_the_holder_may_settle_an_effect(store: StateStore) -> None:
    begin(store, KEY, "replica-a")

    with pytest.raises(ClaimLostError, match="replica-b"):
        store.fail_effect(KEY, "replica-b", "boom", T0)
    with pytest.raises(ClaimLostError):
        store.finish_effect(KEY, "replica-b", None, T0)
    record = store.get_effect(KEY)
    assert record is not None
    assert (record.status, record.attempts) == (EffectStatus.PENDING, 0)


def test_settling_an_unknown_effect_names_it(store: StateStore) -> None:
    with pytest.raises(UnknownEffectError, match="'nope': it was never begun"):
        store.finish_effect("nope", "replica-a", None, T0)
    with pytest.raises(UnknownEffectError):
        store.fail_effect("nope", "replica-a", "x", T0)
    assert store.get_effect("nope") is None


def test_effects_are_listed_per_issue(store: StateStore) -> None:
    begin(store, "k1", "r", T0, issue="INC-1", rule="ack-nudge")
    begin(store, "k2", "r", T0 + timedelta(minutes=1), issue="INC-1", rule="page-create")
    begin(store, "k3", "r", T0 + timedelta(minutes=2), issue="INC-2", rule="ack-nudge")
    store.finish_effect("k1", "r", None, T0 + timedelta(minutes=10))
    store.finish_effect("k3", "r", None, T0 + timedelta(minutes=20))

    assert [e.key for e in store.effects_for_issue("INC-1")] == ["k1", "k2"]
    assert store.effects_for_issue("INC-404") == []


def test_long_errors_are_truncated_and_bad_arguments_refused(store: StateStore) -> None:
    begin(store, KEY, "replica-a")

    failed = store.fail_effect(KEY, "replica-a", "x" * 10_000, T0)

    assert failed.last_error == "x" * 4000
    with pytest.raises(ValueError, match="claim_for must be positive"):
        begin(store, "k", "replica-a", claim_for=timedelta(0))
    with pytest.raises(ValueError, match="cannot be stored as JSON"):
        begin(store, "k", "replica-a")
        store.finish_effect("k", "replica-a", {"when": T0}, T0)
