"""What a rule kind is: its model, its handler and its traits, declared once next to the handler.

Every part of the agent that treats rules differently (the planner, backfill,
the reader, fresh-plan, status, the demo, the reference generator) asks these
traits through ``agent.core.rules.catalogue`` instead of keeping its own list of
rule names, so a new kind is one module: its model, handler and ``RuleKind``.

``RuleKind`` is generic in the model, so mypy checks that each handler takes
the model it is declared with.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from agent.core.obligations import ObligationKind
from agent.core.rules.base import RuleContext
from agent.policy.rule_models import RuleBase, kind_name

R = TypeVar("R", bound=RuleBase)


class Says(enum.Enum):
    """What a kind's messages are, as a reader counts them (the demo's headline)."""

    NOTICE = "notice"  # a one-off or clerical message
    NUDGE = "nudge"  # a reminder about an overdue obligation
    CALL = "call"  # a request for a call
    PAGE = "page"  # a page to the after-hours contacts
    DIGEST = "digest"  # the weekly overview of a policy


@dataclass(frozen=True)
class Family:
    """A group of kinds documented together (one section of ``docs/rules.md``)."""

    key: str
    title: str
    blurb: str


@dataclass(frozen=True)
class RuleKind(Generic[R]):
    """One rule kind: ``model`` is its policy section, ``handler`` runs it on one ticket.

    A kind without a handler runs once per policy across its tickets (limits, the
    digest); the planner calls those itself. The traits default to the safe side
    for a new kind: it reads channel messages, settles its items on close and
    rests while its ticket is held.
    """

    model: type[R]
    handler: Callable[[RuleContext, R], None] | None
    family: Family
    # What it enforces and, when a rule names no to:/notify:, whom it tells and where.
    description: str
    # What it did, in a reader's words (the demo's timeline).
    words: str
    # Its own parameters' meaning, where the shared words (by parameter name) do not fit.
    params: Mapping[str, str] = field(default_factory=dict)
    # Message templates its handler names by default (``jira/<name>.j2``, ``slack/<name>.j2``).
    templates: frozenset[str] = frozenset()
    # Templates it renders by path: its pages (``confluence/<name>.xml.j2``) and messages
    # that exist for one medium only (a Slack report's ticket description, say).
    template_files: frozenset[str] = frozenset()
    # Its open items outlive the ticket's resolution (the rest are settled on close).
    keeps_items_when_closed: bool = False
    # It still applies to an escalation held back by a limit or rejected at intake.
    runs_while_held: bool = False
    # It records open obligations (``RuleContext.obligation``/``owe``).
    declares_obligations: bool = False
    # A channel message can change what it does (a human update counts for it).
    reads_messages: bool = True
    # Its pages show the ticket's description, so the reader fetches it.
    reads_descriptions: bool = False
    # It reads the text of updates (not only who wrote them when).
    reads_message_content: bool = False
    # It writes paperwork on resolution (pages, log rows, their links): what backfill plans.
    paperwork: bool = False
    says: Says = Says.NOTICE
    # Which kind of obligation it stands for in adherence figures (replay).
    adherence: ObligationKind | None = None

    @property
    def name(self) -> str:
        """The identifier policies name it by in ``rule:``."""
        return kind_name(self.model)

    @property
    def per_ticket(self) -> bool:
        return self.handler is not None
