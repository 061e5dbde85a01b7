"""Placeholders: the site-specific values a starter policy leaves for its team to fill.

``escalation-agent init`` copies a bundled pack and puts ``<CHANGE ME: ...>`` in
place of every value that names something of one site: people, Slack user
groups and channels, Confluence spaces and parent pages, Jira projects
(``STARTER_KEYS`` lists where they are). The loader refuses a policy while one
is left, naming file, line and key, so neither ``check`` nor ``run`` accepts a
starter that still points at the example organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent.policy.checks import Loc

MARK = "CHANGE ME"


def placeholder(what: str) -> str:
    """The text put in place of a site-specific value; ``what`` says what belongs there."""
    return f"<{MARK}: {what}>"


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and f"<{MARK}" in value


def placeholders_in(node: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    """Every placeholder in a parsed policy document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from placeholders_in(value, (*loc, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from placeholders_in(value, (*loc, index))
    elif is_placeholder(node):
        yield loc, str(node)


def left_message(text: str) -> str:
    return (
        f"{text} is a placeholder from 'escalation-agent init': replace it with your site's value"
    )
