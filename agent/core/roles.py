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


def resolve_roles(
    policy: Policy, ticket: Ticket, roles: Iterable[str], *, required: bool = True
) -> RoleResolution:
    """Recipients for ``roles`` in order, no duplicates; an empty required role is a problem."""
    recipients: list[Recipient] = []
    problems: list[str] = []
    seen: set[tuple[str | None, str | None, str | None]] = set()
    for role in roles:
        found: list[Recipient] = []
        issues: list[str] = []
        for source in policy.role_sources(role):
            more, trouble = _from_source(role, source, ticket)
            found += more
            issues += trouble
        if not found and required:
            problems += issues or [f"role {role} has nobody on this ticket"]
        for recipient in found:
            ident = (recipient.account_id, recipient.email, recipient.group)
            if ident not in seen:
                seen.add(ident)
                recipients.append(recipient)
    return RoleResolution(tuple(recipients), tuple(problems))


def plays_role(policy: Policy, ticket: Ticket, roles: Iterable[str], person: Person) -> bool:
    """Whether ``person`` is one of ``roles`` on the ticket (``any`` = any human)."""
    roles = list(roles)
    if "any" in roles:
        return True
    for recipient in resolve_roles(policy, ticket, roles, required=False).recipients:
        if recipient.account_id and recipient.account_id == person.account_id:
            return True
        if recipient.email and person.email and recipient.email.lower() == person.email.lower():
            return True
    return False


def email_plays_role(policy: Policy, ticket: Ticket, roles: Iterable[str], email: str) -> bool:
    roles = list(roles)
    if "any" in roles:
        return True
    return any(
        r.email is not None and r.email.lower() == email.lower()
        for r in resolve_roles(policy, ticket, roles, required=False).recipients
    )
