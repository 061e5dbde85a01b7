"""Who the policies touch and who each is in Slack: ``users``, the people line of ``check``,
and the ``AGENT_USER_MAP`` skeleton for the ones the agent cannot find.

The people come from each policy's current tickets (one search per policy, no
comments) and its fixed people; each is matched the way the agent matches
them when it acts (:func:`agent.adapters.slack_identity.slack_match`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from agent.adapters.jira_jql import policy_jql
from agent.adapters.jira_port import JiraPort, UnknownFieldError
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_identity import MatchKind, SlackMatch, slack_match
from agent.core.model import Person, Ticket
from agent.core.people import Touched, touched_people
from agent.policy.named import Named
from agent.policy.schema import Policy
from agent.preflight.result import CheckResult, failed, passed, warned
from agent.runtime.read.reader import fields_to_fetch

MAP_HELP = (
    "map them in AGENT_USER_MAP (a YAML file: Jira account id or email -> Slack member id); "
    "`escalation-agent users --write-map users.yaml` writes one to fill in"
)


@dataclass(frozen=True)
class PersonMatch:
    """A person the policies touch and their Slack match (or why there is none)."""

    person: Touched
    match: SlackMatch


@dataclass
class Census:
    """Everyone the policies touch, matched; ``errors`` names policies whose tickets could
    not be read (their people are missing from the list)."""

    people: list[PersonMatch] = field(default_factory=list)
    tickets: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def unmatched(self) -> list[PersonMatch]:
        return [p for p in self.people if not p.match.kind.found]

    def count(self, kind: MatchKind) -> int:
        return sum(1 for p in self.people if p.match.kind is kind)

    def summary(self) -> str:
        """``12 people: 10 found in Slack, 2 without a Slack identity (1 hidden email, ...)``."""
        missing = self.unmatched
        text = f"{len(self.people)} people on {self.tickets} ticket(s)"
        if not missing:
            return f"{text}: every one found in Slack"
        hidden = self.count(MatchKind.HIDDEN_EMAIL)
        no_account = self.count(MatchKind.NO_ACCOUNT)
        return (
            f"{text}: {len(self.people) - len(missing)} found in Slack, {len(missing)} without "
            f"a Slack identity ({hidden} with the email hidden by Jira, {no_account} with no "
            "Slack account for their email)"
        )


def current_tickets(jira: JiraPort, policies: Sequence[Policy], census: Census) -> list[Ticket]:
    """Each policy's tickets as its search finds them now (fields only, no comments)."""
    found: dict[str, Ticket] = {}
    for policy in policies:
        try:
            for ticket in jira.search(policy_jql(policy), fields_to_fetch(policy)):
                found.setdefault(ticket.key, ticket)
        except (ServiceError, UnknownFieldError) as exc:
            census.errors.append(f"policy {policy.name}: its tickets could not be read: {exc}")
    census.tickets = len(found)
    return list(found.values())


def take_census(
    jira: JiraPort,
    policies: Sequence[Policy],
    user_map: Mapping[str, str],
    lookup_email: Callable[[str], str | None],
) -> Census:
    """Every person the policies touch now, each matched in Slack as the agent would."""
    census = Census()
    tickets = current_tickets(jira, policies, census)
    for person in touched_people(policies, tickets):
        match = slack_match(person.account_id, person.email, user_map, lookup_email)
        census.people.append(PersonMatch(person, match))
    return census


class MapFileError(Exception):
    """The map file exists but cannot be read or is not a mapping; nothing was written."""


def write_map(path: Path, unmatched: Sequence[PersonMatch]) -> int:
    """Add the unmatched people to an ``AGENT_USER_MAP`` file, to fill in; returns how many.

    A new file gets a header saying what to do; an existing one keeps every line
    and gets only the people it does not name yet (by account id or email).
    """
    known: set[str] = set()
    if path.exists():
        try:
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        except (OSError, YAMLError) as exc:
            raise MapFileError(f"{path} cannot be read as YAML: {exc}") from exc
        if data is not None and not isinstance(data, dict):
            raise MapFileError(f"{path} is not a YAML mapping of Jira users to Slack ids")
        known = {str(k).strip().lower() for k in (data or {})}
    entries = [p for p in unmatched if p.person.key and p.person.key.lower() not in known]
    lines: list[str] = []
    if not path.exists():
        lines += [
            "# AGENT_USER_MAP for escalation-agent: Jira account id (or email) -> Slack member id.",
            "# Fill in each person's Slack member id (in Slack: their profile, the ⋮ menu,",
            "# 'Copy member ID'; it looks like U0123ABCD), delete the ones you cannot map,",
            "# then set AGENT_USER_MAP to this file.",
        ]
    for entry in entries:
        who = entry.person
        seen = "; ".join(who.where())
        lines.append(_comment(f"{who.name}: {entry.match.kind.value} ({seen})"))
        lines.append(f'{json.dumps(who.key)}: ""')
    if not lines:
        return 0
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    gap = "\n" if before and not before.endswith("\n") else ""
    with path.open("a", encoding="utf-8") as out:
        out.write(gap + "\n".join(lines) + "\n")
    return len(entries)


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def email_checks(
    jira_people: Callable[[str], Sequence[Person]],
    named: Named,
    user_map: Mapping[str, str],
    lookup_email: Callable[[str], str | None],
) -> Iterator[CheckResult]:
    """One line per person a policy names by email: are they in Jira, and in Slack?"""
    for email, uses in named.emails.items():
        name = f"people {email}"
        where = "; ".join(uses[:2]) + (f" and {len(uses) - 2} more" if len(uses) > 2 else "")
        try:
            in_jira = list(jira_people(email))
        except ServiceError as exc:
            yield failed(name, f"Jira could not be asked about {email}: {exc}")
            continue
        slack = slack_match(None, email, user_map, lookup_email)
        missing = []
        if not in_jira:
            missing.append("no active Jira user has this email")
        if slack.slack_id is None:
            missing.append(
                "no Slack user has this email: add them to Slack with it, or map the email "
                "to their Slack member id in AGENT_USER_MAP"
            )
        if missing:
            yield failed(name, f"{email} (named by {where}): {'; '.join(missing)}")
        elif all(person.email is None for person in in_jira):
            yield warned(
                name,
                f"{email} is in Jira and Slack, but Jira hides the email: their comments and "
                f"changes cannot be matched to a role named by this email ({where}); name them "
                "through a user-picker field instead",
            )
        else:
            yield passed(name, f"{email} is in Jira and in Slack ({slack.kind.value})")


def census_check(census: Census, most: int = 10) -> CheckResult:
    """The people line: how many the policies touch have no Slack identity, and who."""
    missing = census.unmatched
    text = census.summary()
    if census.errors:
        text += f" ({len(census.errors)} polic(ies) could not be read)"
    if not missing:
        return passed("people", text)
    names = [f"{p.person.name} ({p.match.kind.value})" for p in missing[:most]]
    if len(missing) > most:
        names.append(f"{len(missing) - most} more")
    return warned(
        "people",
        f"{text}: {', '.join(names)}. The agent names them in messages but cannot mention or "
        f"DM them; {MAP_HELP}, or `escalation-agent users` to list them all",
    )
