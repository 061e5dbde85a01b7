"""Names for people in text the agent writes: the Jira display name, never an address
when a name is known.

A reply copied from Slack knows its author by Slack profile (email) and, through
``AGENT_USER_MAP``, maybe by Jira account. The ticket it is copied to usually knows
the same person (assignee, reporter, watcher, a commenter or a person field) with
their display name, which is what readers of the ticket call them.
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.core.model import Person, Ticket


def ticket_people(ticket: Ticket) -> Iterator[Person]:
    """Everyone the ticket names: assignee, reporter, watchers, person fields, authors."""
    for person in (ticket.assignee, ticket.reporter, *ticket.watchers):
        if person is not None:
            yield person
    for value in ticket.fields.values():
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, Person):
                yield item
    authors = [c.author for c in ticket.comments] + [c.author for c in ticket.changelog]
    yield from (author for author in authors if author is not None)


def known_name(ticket: Ticket, *, account_id: str | None, email: str | None) -> str | None:
    """The display name of the person with ``account_id`` or ``email`` on ``ticket``;
    None when the ticket does not know them (or knows them by no name)."""
    wanted = (email or "").strip().lower()
    for person in ticket_people(ticket):
        same = (account_id and person.account_id == account_id) or (
            wanted and (person.email or "").lower() == wanted
        )
        if same and person.display_name.strip():
            return person.display_name
    return None


def author_name(
    ticket: Ticket, *, account_id: str | None, email: str | None, slack_id: str | None
) -> str:
    """How a message's author is named: their name on the ticket, else their address or
    Slack id, else "someone"."""
    return known_name(ticket, account_id=account_id, email=email) or email or slack_id or "someone"
