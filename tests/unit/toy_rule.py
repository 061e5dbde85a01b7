"""A toy rule kind in one module: its model, its handler and its ``RuleKind``.

``tests/unit/test_rule_catalogue.py`` adds it to the catalogue and shows that the
planner, ``status`` and the reference pick it up with no other file touched.
"""

from __future__ import annotations

from typing import Literal

from agent.core.rules.base import RuleContext
from agent.core.rules.kind import Family, RuleKind, Says
from agent.policy.rule_models import Repeating
from agent.policy.types import Duration


class ToyPing(Repeating):
    """Someone says "pong" on the ticket within ``within`` of its creation."""

    rule: Literal["toy_ping"]
    within: Duration


def toy_ping(ctx: RuleContext, rule: ToyPing) -> None:
    if not ctx.ticket.is_open:
        return
    ponged = any("pong" in c.body.lower() for c in ctx.ticket.comments)
    ctx.obligation(
        "pong",
        due=ctx.ticket.created + rule.within,
        met=ponged,
        reason=f"Nobody said pong on {ctx.issue}.",
        template=ctx.template("nudge"),
        audience=ctx.people_later(rule.to or ["assignee"]),
        targets=rule.notify or ["jira"],
    )


TOY = Family("toy", "Toys", "Rules that exist only to show how a kind is added.")
KIND = RuleKind(
    model=ToyPing,
    handler=toy_ping,
    family=TOY,
    description="A ticket gets a pong within `within` (default: assignee, on the Jira ticket).",
    words="asked for a pong",
    params={"within": "Time after creation to say pong."},
    templates=frozenset({"nudge"}),
    declares_obligations=True,
    reads_messages=False,
    says=Says.NUDGE,
)
