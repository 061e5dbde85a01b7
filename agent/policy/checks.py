"""Cross-reference checks on a policy whose shape is already valid.

Each problem is returned as (key path, message) so the loader can attach the
line number from the YAML document.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from datetime import date
from functools import cache

import holidays

from agent.policy.calendars import calendar_for
from agent.policy.rule_models import ChainStep, Repeating, SlackIntake, UpdateOverdue, kind_name
from agent.policy.schema import Policy
from agent.policy.types import BUILTIN_ROLES
from agent.timekeeping.calendar import CalendarError

Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]

CHANNEL_PLACEHOLDERS = frozenset({"number", "key", "project", "summary"})
_ROLE_LIST_ATTRS = ("to", "by", "participants", "mention", "invite")


@cache
def _supported_countries() -> dict[str, list[str]]:
    return dict(holidays.list_supported_countries())


def check_policy(policy: Policy) -> list[Problem]:
    problems: list[Problem] = []
    calendar_problems = list(_check_calendar(policy))
    problems += calendar_problems or list(_check_calendar_builds(policy))
    problems += _check_roles(policy)
    problems += _check_severities(policy)
    problems += _check_chains(policy)
    problems += _check_channels(policy)
    problems += _check_rules(policy)
    return problems


def _check_calendar_builds(policy: Policy) -> Iterator[Problem]:
    """The engine's calendar must accept the settings the checks above let through."""
    try:
        calendar_for(policy)
    except CalendarError as exc:
        yield ("business_hours",), f"the business calendar rejects these settings: {exc}"


def _check_calendar(policy: Policy) -> Iterator[Problem]:
    try:
        policy.zone  # noqa: B018 - parsed here so a wrong name is reported at load
    except ValueError:
        yield (
            ("timezone",),
            (f"{policy.timezone!r} is not a known time zone; use an IANA name like Europe/Berlin"),
        )
    hours = policy.business_hours
    if hours.end <= hours.start:
        yield (
            ("business_hours", "end"),
            (f"ends at {hours.end:%H:%M}, not after its start {hours.start:%H:%M}"),
        )
    if not hours.weekdays:
        yield ("business_hours", "weekdays"), "needs at least one weekday"
    if policy.holidays:
        countries = _supported_countries()
        country = policy.holidays.country
        if country not in countries:
            yield (
                ("holidays", "country"),
                (
                    f"{country!r} is not a holiday country known to the holidays library; "
                    "use an ISO 3166 alpha-2 code such as US, GB, DE, UA"
                ),
            )
        elif policy.holidays.subdivision and policy.holidays.subdivision not in countries[country]:
            known = ", ".join(countries[country][:20]) or "none"
            yield (
                ("holidays", "subdivision"),
                (
                    f"{policy.holidays.subdivision!r} is not a subdivision of {country}; "
                    f"known: {known}"
                ),
            )
        for i, text in enumerate(policy.holidays.extra):
            try:
                date.fromisoformat(text)
            except ValueError:
                yield ("holidays", "extra", i), f"{text!r} is not a date; use YYYY-MM-DD"


def _known_roles(policy: Policy) -> set[str]:
    return set(policy.roles) | BUILTIN_ROLES


def _role_problem(policy: Policy, loc: Loc, role: str, allow_any: bool = False) -> Problem | None:
    if role in _known_roles(policy) or (allow_any and role == "any"):
        return None
    known = ", ".join(sorted(_known_roles(policy)))
    return loc, f"unknown role {role!r}; known roles: {known} (declare it under roles:)"


def _check_roles(policy: Policy) -> Iterator[Problem]:
    checks: list[Problem | None] = []
    for i, role in enumerate(policy.updates.by):
        checks.append(_role_problem(policy, ("updates", "by", i), role, allow_any=True))
    for i, role in enumerate(policy.fallback):
        checks.append(_role_problem(policy, ("fallback", i), role))
    if policy.after_hours:
        for i, role in enumerate(policy.after_hours.contacts):
            checks.append(_role_problem(policy, ("after_hours", "contacts", i), role))
    for r, rule in enumerate(policy.rules):
        for attr in _ROLE_LIST_ATTRS:
            for i, role in enumerate(getattr(rule, attr, []) or []):
                checks.append(
                    _role_problem(policy, ("rules", r, attr, i), role, allow_any=attr == "by")
                )
        single = getattr(rule, "role", None)
        if isinstance(single, str):
            checks.append(_role_problem(policy, ("rules", r, "role"), single))
        if isinstance(rule, Repeating):
            for s, step in enumerate(rule.chain):
                for i, role in enumerate(step.to):
                    checks.append(_role_problem(policy, ("rules", r, "chain", s, "to", i), role))
    for name, steps in policy.chains.items():
        for s, step in enumerate(steps):
            for i, role in enumerate(step.to):
                checks.append(_role_problem(policy, ("chains", name, s, "to", i), role))
    yield from (c for c in checks if c is not None)


def _check_severities(policy: Policy) -> Iterator[Problem]:
    spec = policy.severity
    if spec is None:
        for r, rule in enumerate(policy.rules):
            if rule.severities:
                yield ("rules", r, "severities"), "needs a severity: section in the policy"
        return
    levels = spec.levels
    allowed = ", ".join(levels)
    mappings: list[tuple[Loc, dict[str, str]]] = [
        (("severity", "labels"), spec.labels),
        (("severity", "priority"), spec.priority),
    ]
    if spec.field:
        mappings.append((("severity", "field", "map"), spec.field.map))
    for loc, mapping in mappings:
        for source, level in mapping.items():
            if level not in levels:
                yield (*loc, source), f"{level!r} is not a severity level; use one of {allowed}"
    if spec.default is not None and spec.default not in levels:
        yield ("severity", "default"), f"{spec.default!r} is not a level; use one of {allowed}"
    for r, rule in enumerate(policy.rules):
        for i, level in enumerate(rule.severities):
            if level not in levels:
                yield (
                    ("rules", r, "severities", i),
                    (f"{level!r} is not a severity level; use one of {allowed}"),
                )
        for attr in ("from_level", "to_level"):
            named = getattr(rule, attr, None)
            if named is not None and named not in levels:
                yield ("rules", r, attr), f"{named!r} is not a severity level; use one of {allowed}"


def _check_steps(steps: list[ChainStep], loc: Loc, chains: set[str]) -> Iterator[Problem]:
    previous = None
    for s, step in enumerate(steps):
        if previous is not None and step.after <= previous:
            yield (*loc, s, "after"), "chain steps must come later than the step before"
        previous = step.after
        if step.then is not None and step.then not in chains:
            known = ", ".join(sorted(chains)) or "none defined"
            yield (*loc, s, "then"), f"unknown chain {step.then!r}; known chains: {known}"


def _check_chains(policy: Policy) -> Iterator[Problem]:
    names = set(policy.chains)
    for name, steps in policy.chains.items():
        yield from _check_steps(steps, ("chains", name), names)
    for r, rule in enumerate(policy.rules):
        if isinstance(rule, Repeating):
            yield from _check_steps(rule.chain, ("rules", r, "chain"), names)
            if rule.chain_ref is not None and rule.chain_ref not in names:
                known = ", ".join(sorted(names)) or "none defined"
                yield (
                    ("rules", r, "chain_ref"),
                    (f"unknown chain {rule.chain_ref!r}; known chains: {known}"),
                )
    yield from _chain_cycles(policy)


def _chain_cycles(policy: Policy) -> Iterator[Problem]:
    edges = {
        name: [step.then for step in steps if step.then is not None and step.then in policy.chains]
        for name, steps in policy.chains.items()
    }
    reported: set[frozenset[str]] = set()
    for start in sorted(edges):
        path: list[str] = []
        cycle = _find_cycle(start, edges, path)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            yield ("chains", start), "escalation chain cycle: " + " -> ".join(cycle)


def _find_cycle(node: str, edges: dict[str, list[str]], path: list[str]) -> list[str]:
    if node in path:
        return [*path[path.index(node) :], node]
    path.append(node)
    for nxt in edges.get(node, []):
        if found := _find_cycle(nxt, edges, path):
            return found
    path.pop()
    return []


def _check_channels(policy: Policy) -> Iterator[Problem]:
    template = policy.channels.escalation
    if template is not None:
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
        except ValueError as exc:
            yield ("channels", "escalation"), f"{template!r} is not a valid name template: {exc}"
        else:
            unknown = names - CHANNEL_PLACEHOLDERS
            if unknown:
                allowed = ", ".join("{" + n + "}" for n in sorted(CHANNEL_PLACEHOLDERS))
                yield (
                    ("channels", "escalation"),
                    (f"unknown placeholder(s) {sorted(unknown)}; allowed: {allowed}"),
                )
    for r, rule in enumerate(policy.rules):
        targets = list(rule.notify) + list(getattr(rule, "announce_in", []))
        if "escalation_channel" in targets and template is None:
            yield ("rules", r, "notify"), "escalation_channel needs channels.escalation"
        if "project_channel" in targets and policy.channels.project is None:
            yield ("rules", r, "notify"), "project_channel needs channels.project"
        if "incident_thread" in targets and not any(
            isinstance(other, SlackIntake) for other in policy.rules
        ):
            yield ("rules", r, "notify"), f"incident_thread needs a {kind_name(SlackIntake)} rule"


def _check_rules(policy: Policy) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    for r, rule in enumerate(policy.rules):
        if rule.ident in seen:
            yield (
                ("rules", r, "name"),
                (
                    f"rule {rule.ident!r} appears twice (also rules[{seen[rule.ident]}]); "
                    "give each a distinct name:"
                ),
            )
        seen.setdefault(rule.ident, r)
        if isinstance(rule, UpdateOverdue) and (rule.every is None) == (not rule.at):
            yield ("rules", r), f"{rule.kind} needs exactly one of every: or at:"
        if isinstance(rule, UpdateOverdue) and rule.window is not None and not rule.at:
            yield ("rules", r, "window"), "window: needs at: (it counts updates before each slot)"
