"""Every person the policies touch: who plays a role on a current ticket, or is named by email.

``users`` and ``check`` match each of them in Slack before the first run, so an
operator learns who the agent cannot tag or message (Jira hides their email,
or Slack has nobody with it) while there is time to map them in
``AGENT_USER_MAP``. User groups are left out: they are not people, and
``check`` verifies they exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agent.core.model import Ticket
from agent.core.roles import resolve_role
from agent.core.selection import governs
from agent.policy.rule_models import ClericalChannel
from agent.policy.schema import Policy
from agent.policy.types import BUILTIN_ROLES


@dataclass
class Touched:
    """One person: their Jira account (when known), email (None when hidden or not read),
    name, and where the policies use them (``policy role (tickets)``)."""

    account_id: str | None
    email: str | None
    name: str
    uses: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What ``AGENT_USER_MAP`` knows them by: the account id, else the email."""
        return self.account_id or (self.email or "").lower()

    def where(self, most: int = 3) -> list[str]:
        """``support-p1-p4 assignee (SUP-1, SUP-3)``, ``incident-critical cto``; at most
        ``most`` tickets named per role."""
        return [
            f"{policy} {role}" + (f" ({_some(tickets, most)})" if tickets else "")
            for (policy, role), tickets in self.uses.items()
        ]


def _some(keys: list[str], most: int) -> str:
    shown = ", ".join(keys[:most])
    return shown if len(keys) <= most else f"{shown} and {len(keys) - most} more"


def touched_people(policies: Sequence[Policy], tickets: Iterable[Ticket]) -> list[Touched]:
    """The people each policy's roles name on its tickets, and its fixed people, by name."""
    found: dict[str, Touched] = {}
    listed = sorted(tickets, key=lambda t: (t.created, t.key))
    for policy in policies:
        roles = sorted(set(policy.roles) | BUILTIN_ROLES)
        fixed = [(role, source) for role in roles for source in policy.role_sources(role)]
        fixed += [
            (rule.ident, source)
            for rule in policy.rules
            if isinstance(rule, ClericalChannel)
            for source in rule.always_include
        ]
        for role, source in fixed:
            if source.startswith("email:"):
                email = source.removeprefix("email:").strip()
                _seen(found, None, email, email, use=(policy.name, role), ticket=None)
        for ticket in listed:
            if not governs(policy, ticket):
                continue
            for role in roles:
                for person in resolve_role(policy, ticket, role).found:
                    if person.account_id is None:
                        continue  # a user group, or a fixed email (listed above, once)
                    _seen(
                        found,
                        person.account_id,
                        person.email,
                        person.label,
                        use=(policy.name, role),
                        ticket=ticket.key,
                    )
    _merge_fixed(found)
    return sorted(found.values(), key=lambda p: (p.name.lower(), p.key))


def _merge_fixed(found: dict[str, Touched]) -> None:
    """A person named by email who also shows up by account (with that email) is one person."""
    by_email = {p.email.lower(): p for p in found.values() if p.account_id is not None and p.email}
    for key, person in list(found.items()):
        if person.account_id is None and person.email and person.email.lower() in by_email:
            into = by_email[person.email.lower()]
            for use, tickets in person.uses.items():
                into.uses.setdefault(use, []).extend(tickets)
            del found[key]


def _seen(
    found: dict[str, Touched],
    account_id: str | None,
    email: str | None,
    name: str,
    *,
    use: tuple[str, str],
    ticket: str | None,
) -> None:
    key = account_id or (email or "").lower()
    person = found.get(key)
    if person is None:
        person = found[key] = Touched(account_id, email, name)
    tickets = person.uses.setdefault(use, [])
    if ticket is not None and ticket not in tickets:
        tickets.append(ticket)
