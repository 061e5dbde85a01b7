"""Action keys as values: what an idempotency key is made of, and its one string form.

Every planned effect has a key that stays the same for the same inputs, so it is done at
most once. The string form is what the store's rows and the markers on the sites
(Jira comment properties and remote links, Slack message metadata, Confluence content
properties) hold, written for years by every earlier version: :meth:`ActionKey.format`
must give it byte for byte, and :meth:`ActionKey.parse` must read every one of them
(``tests/data/markers`` holds real ones). The form is
``<rule>:<owner>:<slot>[#<where>]``:

- ``rule``: the rule's ident (its ``name``, else its kind). A name is free text: one
  with a ``:`` formats as always, and parses with the rest of it in ``owner``, as
  every earlier version read such keys (pruning, the demo's names);
- ``owner``: the ticket's key, or the policy's name for an action about no ticket (the
  weekly digest);
- ``slot``: what the action is, with any moments and follow-ups after it, joined by
  ``:`` (``alert``, ``ack@2026-11-23T10:15Z``, ``ack@...:repeat@...``, ``ack@...:done``,
  ``channel:intro@2``, ``page@...``);
- ``where``: everything after the slot's first ``#``: the place a routed message goes
  (``jira``, ``#channel``, ``dm:<who>``, ``escalation:<ISSUE>``, ``group:<handle>``,
  ``thread:<channel>:<ts>``) or a page's version digest.

An effect an action makes besides its own appends ``:<part>`` to the action's whole
key, place included: one DM per member of a user group (``...#group:leads:U123``), the
note about people an invite could not reach (``...:no-slack:<digest>``), a successor
channel's note (``...:replaces``). Such keys are stored and marked like the others;
nothing reads their parts.

The slot itself may hold a ``#`` only where earlier versions put one there, so the first
``#`` after the owner starts ``where``; a label or priority with a ``#`` in it round-trips
all the same (``format`` joins the parts back as they were split).
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = ":"
WHERE = "#"


@dataclass(frozen=True, slots=True)  # made millions of times by a replay: built directly
class ActionKey:
    """One action's idempotency key, by its parts (see the module's docstring)."""

    rule: str
    owner: str
    slot: str
    where: str | None = None

    def format(self) -> str:
        """The key as stored and marked on the sites: ``rule:owner:slot[#where]``."""
        head = f"{self.rule}{SEPARATOR}{self.owner}{SEPARATOR}{self.slot}"
        return head if self.where is None else f"{head}{WHERE}{self.where}"

    def __str__(self) -> str:
        return self.format()

    @classmethod
    def parse(cls, text: str) -> ActionKey:
        """The parts of a key written by this or any earlier version; ValueError otherwise."""
        rule, sep1, rest = text.partition(SEPARATOR)
        owner, sep2, tail = rest.partition(SEPARATOR)
        if not (sep1 and sep2 and rule and owner):
            raise ValueError(
                f"not an action key: {text!r} (expected rule:owner:slot, as the agent writes)"
            )
        slot, sep, where = tail.partition(WHERE)
        return cls(rule=rule, owner=owner, slot=slot, where=where if sep else None)

    @property
    def base(self) -> ActionKey:
        """This key without its place: the key every place's version shares."""
        return self if self.where is None else ActionKey(self.rule, self.owner, self.slot)

    def at(self, where: str) -> ActionKey:
        """This key for one place (``alert`` -> ``alert#dm:acc-1``)."""
        return ActionKey(self.rule, self.owner, self.slot, where)

    def then(self, step: str) -> ActionKey:
        """A key that follows this one, in the same place: ``ack@<due>`` -> ``ack@<due>:done``.

        A key with a place gets the step before it (the place stays last)."""
        return ActionKey(self.rule, self.owner, f"{self.slot}{SEPARATOR}{step}", self.where)


def issue_of(key: str) -> str | None:
    """The owner part of a stored key (a ticket's key, or a policy's name); None when the
    text is not an action key at all."""
    try:
        return ActionKey.parse(key).owner
    except ValueError:
        return None
