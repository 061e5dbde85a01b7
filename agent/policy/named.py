"""Everything a policy names on the sites by name: Slack channels and user groups, people by
email, Confluence parent pages. ``check`` verifies each one exists before the first run.

Each name carries where the policy uses it (``policy: what``), so a failed check
says which line of which policy to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from agent.policy.rule_models import (
    ChainStep,
    ClericalChannel,
    PageRule,
    RuleBase,
    SlackIntake,
    WeeklyDigest,
)
from agent.policy.schema import Policy

K = TypeVar("K")


@dataclass(frozen=True)
class ParentPage:
    """A page a rule writes under: its title in a space (None: ``CONFLUENCE_SPACE``)."""

    space: str | None
    title: str


@dataclass
class Named:
    """Names found in policies, each with the places that use it (first use first)."""

    channels: dict[str, list[str]] = field(default_factory=dict)  # "#name" -> uses
    groups: dict[str, list[str]] = field(default_factory=dict)  # handle without "@" -> uses
    emails: dict[str, list[str]] = field(default_factory=dict)  # lower-case email -> uses
    parents: dict[ParentPage, list[str]] = field(default_factory=dict)
    # The ``slack_intake`` channels: the bot reads reports there, so it must be in them.
    intake_channels: set[str] = field(default_factory=set)


def _use(into: dict[K, list[str]], key: K, use: str) -> None:
    uses = into.setdefault(key, [])
    if use not in uses:
        uses.append(use)


def named_in(policies: Sequence[Policy]) -> Named:
    """What the policies name on Slack and Confluence, each with where it is used."""
    found = Named()
    for policy in policies:
        _policy_names(policy, found)
    return found


def _policy_names(policy: Policy, found: Named) -> None:
    where = policy.name
    if policy.channels.project:
        _use(found.channels, _channel(policy.channels.project), f"{where}: channels.project")
    for role, sources in policy.roles.items():
        _sources(sources, f"{where}: roles.{role}", found)
    if policy.after_hours is not None:
        _targets(policy, policy.after_hours.notify, f"{where}: after_hours.notify", found)
    for chain, steps in policy.chains.items():
        _steps(policy, steps, f"{where}: chains.{chain}", found)
    for rule in policy.rules:
        _rule_names(policy, rule, f"{where}: {rule.ident}", found)


def _rule_names(policy: Policy, rule: RuleBase, where: str, found: Named) -> None:
    _targets(policy, rule.notify, f"{where} notify", found)
    _steps(policy, getattr(rule, "chain", []), f"{where} chain", found)
    if isinstance(rule, ClericalChannel):
        _targets(policy, rule.announce_in, f"{where} announce_in", found)
        _sources(rule.always_include, f"{where} always_include", found)
    if isinstance(rule, SlackIntake):
        _use(found.channels, _channel(rule.channel), f"{where} channel")
        found.intake_channels.add(_channel(rule.channel))
    if isinstance(rule, (PageRule, WeeklyDigest)) and rule.parent:
        _use(found.parents, ParentPage(rule.space, rule.parent), f"{where} parent")


def _steps(policy: Policy, steps: Iterable[ChainStep], where: str, found: Named) -> None:
    for index, step in enumerate(steps):
        _targets(policy, step.notify, f"{where}[{index}] notify", found)


def _targets(policy: Policy, targets: Iterable[str], where: str, found: Named) -> None:
    for target in targets:
        if target.startswith("#"):
            _use(found.channels, _channel(target), where)
        elif target == "project_channel" and policy.channels.project:
            _use(found.channels, _channel(policy.channels.project), where)
        elif target.startswith("group:"):
            _use(found.groups, _handle(target), where)


def _sources(sources: Iterable[str], where: str, found: Named) -> None:
    for source in sources:
        if source.startswith("email:"):
            _use(found.emails, source.removeprefix("email:").strip().lower(), where)
        elif source.startswith("group:"):
            _use(found.groups, _handle(source), where)


def _channel(name: str) -> str:
    return "#" + name.strip().removeprefix("#")


def _handle(source: str) -> str:
    return source.removeprefix("group:").strip().removeprefix("@").lower()
