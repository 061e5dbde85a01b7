"""Who plays which role on a ticket: from Jira fields, fixed emails or Slack user groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agent.core.actions import Recipient
from agent.core.model import Person, Ticket
from agent.policy.schema import Policy


@dataclass(frozen=True)
class RoleResolution:
    """The recipients found for some roles, and why any role came up empty."""

    recipients: tuple[Recipient, ...]
    problems: tuple[str, ...]


def _person(role: str, person: Person) -> Recipient:
    return Recipient(
        role=role,
        account_id=person.account_id,
        email=person.email,
        display_name=person.display_name,
    )


def _from_source(role: str, source: str, ticket: Ticket) -> tuple[list[Recipient], list[str]]:
    if source.startswith("email:"):
        return [Recipient(role=role, email=source.removeprefix("email:"))], []
    if source.startswith("group:"):
        return [Recipient(role=role, group=source.removeprefix("group:").lstrip("@"))], []
    field = source.removeprefix("field:")
    value = ticket.field_value(field)
    if value is None:
        return [], [f"role {role} comes from {field!r}, which is empty"]
    people = list(value) if isinstance(value, (list, tuple)) else [value]
    found: list[Recipient] = []
    problems: list[str] = []
    for person in people:
        if not isinstance(person, Person):
            problems.append(f"role {role} comes from {field!r}, which holds {person!r}, not a user")
        elif not person.active:
            problems.append(
                f"role {role} is {person.display_name} ({field!r}), a deactivated or deleted user"
            )
        else:
            found.append(_person(role, person))
    return found, problems


@dataclass(frozen=True)
class OneRole:
    """Everyone one role's sources name on a ticket, and why a source named nobody."""

    role: str
    found: tuple[Recipient, ...]
    issues: tuple[str, ...]


def resolve_role(policy: Policy, ticket: Ticket, role: str) -> OneRole:
    found: list[Recipient] = []
    issues: list[str] = []
    for source in policy.role_sources(role):
        more, trouble = _from_source(role, source, ticket)
        found += more
        issues += trouble
    return OneRole(role, tuple(found), tuple(issues))


def combine_roles(each: Iterable[OneRole], *, required: bool = True) -> RoleResolution:
    """Roles' recipients in order, no duplicates; an empty required role is a problem."""
    recipients: list[Recipient] = []
    problems: list[str] = []
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for one in each:
        if not one.found and required:
            problems += one.issues or [f"role {one.role} has nobody on this ticket"]
        for recipient in one.found:
            ident = (recipient.account_id, recipient.email, recipient.group)
            if ident not in seen:
                seen.add(ident)
                recipients.append(recipient)
    return RoleResolution(tuple(recipients), tuple(problems))


def resolve_roles(
    policy: Policy, ticket: Ticket, roles: Iterable[str], *, required: bool = True
) -> RoleResolution:
    """Recipients for ``roles`` in order, no duplicates; an empty required role is a problem."""
    return combine_roles((resolve_role(policy, ticket, role) for role in roles), required=required)


@dataclass(frozen=True)
class RoleHolders:
    """Who holds some roles on a ticket, resolved once to test many people against.

    ``human_updates`` asks "does this author play the role?" for every comment,
    change and message; resolving the roles once per ticket instead of once per
    question keeps rule evaluation fast at thousands of tickets.
    """

    anyone: bool  # the roles include ``any``: every human counts
    account_ids: frozenset[str]
    emails: frozenset[str]  # lower-case
    # Slack user-group handles (lower case, no ``@``): their members hold the roles too
    groups: frozenset[str] = frozenset()

    def has_person(self, person: Person) -> bool:
        if self.anyone or (person.account_id and person.account_id in self.account_ids):
            return True
        return person.email is not None and person.email.lower() in self.emails

    def has_email(self, email: str) -> bool:
        return self.anyone or email.lower() in self.emails

    def has_account(self, account_id: str) -> bool:
        return self.anyone or account_id in self.account_ids

    def has_member(self, groups: frozenset[str]) -> bool:
        """Whether someone in these user groups (a message's ``author_groups``) holds a role."""
        return self.anyone or not self.groups.isdisjoint(groups)


def group_handle(group: str) -> str:
    """``@gamnify-support`` or ``Gamnify-Support`` -> ``gamnify-support`` (Slack's handle)."""
    return group.strip().removeprefix("@").lower()


def role_holders(
    policy: Policy,
    ticket: Ticket,
    roles: Iterable[str],
    resolved: RoleResolution | None = None,
) -> RoleHolders:
    """Who holds ``roles``; ``resolved`` is their resolution if the caller already has it."""
    roles = list(roles)
    if "any" in roles:
        return RoleHolders(True, frozenset(), frozenset())
    found = (resolved or resolve_roles(policy, ticket, roles, required=False)).recipients
    return RoleHolders(
        False,
        frozenset(r.account_id for r in found if r.account_id),
        frozenset(r.email.lower() for r in found if r.email),
        frozenset(group_handle(r.group) for r in found if r.group),
    )
