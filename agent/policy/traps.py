"""Policies that are valid but will not do what their authors expect: ``check`` warns (exit 0).

Two traps can be seen in the policy alone:

- channel messages counted as updates where the policy has no escalation
  channel: messages are read only from a ticket's escalation channel, so none
  will ever count;
- an acknowledgement, progress or interval-update rule that is not ``urgent`` in
  a policy that does act at night (an ``after_hours:`` section, an
  ``after_hours_page`` rule or another urgent rule): it stays silent outside
  business hours, which the procedure probably did not mean.

The third (a notify channel whose members do not include the people it
mentions) needs Slack and lives with the site checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agent.policy.rule_models import AckOverdue, AfterHoursPage, ProgressOverdue, UpdateOverdue
from agent.policy.schema import Policy


@dataclass(frozen=True)
class Trap:
    """One warning: the policy, and what will happen and what to do, in a sentence."""

    policy: str
    message: str


def policy_traps(policies: Sequence[Policy]) -> list[Trap]:
    """Every trap the policies fall into, in policy order."""
    return [trap for policy in policies for trap in _traps(policy)]


def _traps(policy: Policy) -> Iterator[Trap]:
    if "channel_message" in policy.updates.sources and policy.channels.escalation is None:
        yield Trap(
            policy.name,
            "updates.sources counts channel_message, but the policy has no "
            "channels.escalation: messages are read only from a ticket's escalation channel, "
            "so none will ever count as an update; add channels.escalation or drop "
            "channel_message",
        )
    night = _acts_at_night(policy)
    if night is None:
        return
    hours = policy.business_hours
    for rule in policy.rules:
        if rule.urgent or not _silent_at_night(rule):
            continue
        yield Trap(
            policy.name,
            f"{rule.ident} is not urgent, so it stays silent outside business hours "
            f"({hours.start:%H:%M}-{hours.end:%H:%M} {policy.timezone}) although the policy "
            f"acts at night ({night}); add 'urgent: true' to it if the procedure expects it "
            "around the clock",
        )


def _acts_at_night(policy: Policy) -> str | None:
    """Why the policy evidently covers nights, or None."""
    if policy.after_hours is not None:
        return "it has after_hours contacts"
    for rule in policy.rules:
        if isinstance(rule, AfterHoursPage):
            return f"{rule.ident} pages people"
    urgent = [rule.ident for rule in policy.rules if rule.urgent]
    return f"{', '.join(urgent)} {'is' if len(urgent) == 1 else 'are'} urgent" if urgent else None


def _silent_at_night(rule: object) -> bool:
    """Acknowledgement, progress and wall-clock interval updates: clocks that run at night."""
    if isinstance(rule, (AckOverdue, ProgressOverdue)):
        return True
    return isinstance(rule, UpdateOverdue) and rule.every is not None and rule.clock == "wall"
