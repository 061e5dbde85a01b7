"""What a rule has to say, as one value: routing decides where it goes and under which key.

A nudge, a reminder, a chain step, an alert or a digest is a ``Message``: why and when
(``reason``, ``due``), which template (``template``: its name without the medium, so
``nudge`` is ``slack/nudge.j2`` in Slack and ``jira/nudge.j2`` on the ticket) with what
data (``context``), and for whom (``audience``). ``audience`` and ``context`` may be
:data:`agent.core.lazy.Later`: they are worked out only if some place still needs the
message (most of a steady cycle's messages were sent already). ``agent.core.routing``
turns one message and a notify list into planned actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agent.core.actions import Recipient
from agent.core.lazy import Later


@dataclass(frozen=True)
class Message:
    """One thing a rule says (see the module's docstring)."""

    rule: str  # the rule's kind, for the actions it becomes
    reason: str
    due: datetime
    template: str
    audience: Later[tuple[Recipient, ...]]
    context: Later[Mapping[str, Any]]
    urgent: bool = False
    # the Slack metadata event of its posts when it is not the rule's own (a heads-up)
    event: str | None = None
