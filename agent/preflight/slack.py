"""Slack before the first run: every channel and user group a policy names, and who they reach.

A policy notifying a channel that does not exist passes every other check and
fails at the first due nudge; a mention of someone who is not in the channel
notifies nobody. Both are found here, with read calls only:

- each named channel exists, is not archived, and the bot is in it (or it is
  public, and the bot joins it when it first posts); a ``slack_intake`` channel,
  where the bot reads operators' reports, warns while the bot is not in it;
- each named user group exists (a group with no members is a warning);
- a channel a rule notifies holds the fixed people and user-group members the
  rule mentions (a warning otherwise). People who play a role per ticket
  (assignee, a user-picker field) are not known before the tickets are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from agent.adapters.slack_directory import SlackDirectory
from agent.adapters.slack_identity import slack_match
from agent.core.destinations import Channel
from agent.core.routing import destination
from agent.policy.named import Named
from agent.policy.rule_models import ChainStep, EscalationAlert, RuleBase, SlackIntake
from agent.policy.schema import Policy
from agent.preflight.result import CheckResult, failed, passed, warned


def _uses(uses: Sequence[str]) -> str:
    shown = "; ".join(uses[:2])
    return shown if len(uses) <= 2 else f"{shown} and {len(uses) - 2} more"


def channel_checks(directory: SlackDirectory, named: Named) -> Iterator[CheckResult]:
    """One line per channel the policies name."""
    for channel, uses in named.channels.items():
        name = f"slack.channel {channel}"
        facts = directory.channel(channel)
        if facts is None:
            yield failed(
                name,
                f"no channel {channel} that the bot can see (named by {_uses(uses)}): create "
                "it, or if it is private invite the bot to it, or fix the name in the policy",
            )
        elif facts.archived:
            yield failed(
                name,
                f"{channel} is archived (named by {_uses(uses)}): unarchive it or name "
                "another channel in the policy",
            )
        elif facts.bot_is_member:
            yield passed(name, f"{channel} exists and the bot is a member")
        elif facts.private:
            yield failed(name, f"{channel} is private and the bot is not in it: invite the bot")
        elif channel in named.intake_channels:
            yield warned(
                name,
                f"the bot is not in {channel}, where it reads operators' reports (named by "
                f"{_uses(uses)}): it joins this public channel at its first read; invite it "
                "now so that it is there before the first report",
            )
        else:
            yield passed(name, f"{channel} is public; the bot joins it when it first posts there")


def group_checks(directory: SlackDirectory, named: Named) -> Iterator[CheckResult]:
    """One line per user group the policies name."""
    for handle, uses in named.groups.items():
        name = f"slack.group @{handle}"
        members = directory.group_members(handle)
        if members is None:
            yield failed(
                name,
                f"no Slack user group @{handle} (named by {_uses(uses)}): create it in Slack "
                "or fix the handle in the policy",
            )
        elif not members:
            yield warned(name, f"@{handle} has no members: whatever goes to it reaches nobody")
        else:
            yield passed(name, f"@{handle} exists with {len(members)} member(s)")


@dataclass
class _Reach:
    """For one channel: the fixed people and groups rules mention there, and where."""

    people: dict[str, list[str]] = field(default_factory=dict)  # email -> uses
    groups: dict[str, list[str]] = field(default_factory=dict)  # handle -> uses


def _mentioned_in_channels(policies: Sequence[Policy]) -> dict[str, _Reach]:
    """Channel name -> the fixed people and groups that rules notifying it mention."""
    reach: dict[str, _Reach] = {}
    for policy in policies:
        for rule in policy.rules:
            roles = list(rule.to) + (rule.mention if isinstance(rule, EscalationAlert) else [])
            _note(policy, rule.notify, roles, f"{policy.name}: {rule.ident}", reach)
            steps: list[ChainStep] = list(getattr(rule, "chain", []))
            for index, step in enumerate(steps):
                _note(policy, step.notify, step.to, f"{policy.name}: {_step(rule, index)}", reach)
        if policy.after_hours is not None:
            spec = policy.after_hours
            _note(policy, spec.notify, spec.contacts, f"{policy.name}: after_hours", reach)
    return reach


def _step(rule: RuleBase, index: int) -> str:
    return f"{rule.ident} chain[{index}]"


def _note(
    policy: Policy,
    targets: Sequence[str],
    roles: Sequence[str],
    where: str,
    reach: dict[str, _Reach],
) -> None:
    # the named channels among the targets, read as the planner reads them
    found = (destination(policy, None, target) for target in targets)
    channels = [where.name for where in found if isinstance(where, Channel)]
    if "incident_thread" in targets:  # the incidents' threads are in the intake channels
        channels += [r.channel for r in policy.rules if isinstance(r, SlackIntake)]
    for channel in channels:
        into = reach.setdefault("#" + channel.removeprefix("#"), _Reach())
        for role in roles:
            for source in policy.role_sources(role):
                use = f"{role} in {where}"
                if source.startswith("email:"):
                    email = source.removeprefix("email:").strip().lower()
                    into.people.setdefault(email, []).append(use)
                elif source.startswith("group:"):
                    handle = source.removeprefix("group:").strip().removeprefix("@").lower()
                    into.groups.setdefault(handle, []).append(use)


def member_checks(
    directory: SlackDirectory, policies: Sequence[Policy], user_map: Mapping[str, str]
) -> Iterator[CheckResult]:
    """A warning per channel whose members miss people that rules mention there."""
    for channel, reach in _mentioned_in_channels(policies).items():
        facts = directory.channel(channel)
        if facts is None or facts.archived or (facts.private and not facts.bot_is_member):
            continue  # the channel check fails already
        members = directory.members(facts.id)
        outside: list[str] = []
        for email, uses in reach.people.items():
            found = slack_match(None, email, user_map, directory.user_id_for_email).slack_id
            if found is not None and found not in members:
                outside.append(f"{email} ({uses[0]})")
        for handle, uses in reach.groups.items():
            missing = [m for m in directory.group_members(handle) or () if m not in members]
            if missing:
                outside.append(f"{len(missing)} member(s) of @{handle} ({uses[0]})")
        if outside:
            yield warned(
                f"slack.members {channel}",
                f"not in {channel}: {', '.join(outside)}; a mention there notifies nobody who "
                f"is not a member: invite them to {channel}",
            )
