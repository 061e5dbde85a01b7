"""N active escalations spread over the five policy packs, healthy at a chosen moment.

Used by ``benchmarks/cycle.py`` and ``tests/scale``. The organisation (people,
Slack user groups, projects, custom fields) is the demo seed's; tickets go
through the Jira seeding API (``bulk_create``), and each gets a comment by its
assignee 5 to 10 minutes before ``at``, worded so no update rule is overdue then.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.demo.jira_setup import create_projects_and_fields
from agent.sandbox.demo.organisation import USER_GROUPS, create_people, email_of, slack_id
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack

# A Tuesday afternoon in business hours for every pack's calendar (London 14:00,
# Kyiv 16:00, New York 09:00, Malta 15:00), away from holidays.
DEFAULT_AT = datetime.fromisoformat("2026-11-24T14:00:00+00:00")
PACKS = ("INC", "PS", "SUP", "DS", "CLI")
SHARED_CHANNELS = (
    "inc-project",
    "ps-project-leadership",
    "sre-escalations",
    "cli-status",
    "operator-support",  # the support pack's shared channel: a thread per incident
)
DEVELOPERS = ("taras", "iryna", "dana", "eli", "farah", "lena", "marco", "kevin")
UPDATE_TEXT = "Investigating with the team; path to green agreed. Next update at 16:00."


@dataclass(frozen=True)
class Seeded:
    keys: list[str]
    assignee_of: dict[str, str]  # issue key -> assignee email


def seed_organisation(ctx: SandboxContext) -> None:
    """People, Slack user groups, the five projects, their fields and shared channels."""
    with ctx.store.lock:
        create_people(ctx)
        for handle, name, members, description in USER_GROUPS:
            slack.create_usergroup(
                ctx, handle, name, [slack_id(ctx, m) for m in members], description
            )
        create_projects_and_fields(ctx)
        bot = slack.bot_slack_id(ctx)
        for name in SHARED_CHANNELS:
            slack.create_channel(ctx, name, bot)


def _account(ctx: SandboxContext, handle: str) -> dict[str, str]:
    user = ctx.users.by_email(email_of(handle))
    if user is None:
        raise KeyError(f"no person {handle!r}: seed the organisation first")
    return {"accountId": str(user["accountId"])}


def _fields(ctx: SandboxContext, pack: str, number: int, assignee: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "project": {"key": pack},
        "summary": f"{pack} escalation {number}: checkout degraded",
        "issuetype": {"name": "Incident" if pack in ("INC", "SUP") else "Task"},
        "assignee": _account(ctx, assignee),
        "description": "Customers report timeouts on checkout since this morning.",
    }
    if pack == "INC":
        base |= {
            "priority": {"name": "Highest"},
            "duedate": "2026-12-31",
            "Account Manager": _account(ctx, "alex"),
        }
    elif pack == "PS":
        base |= {
            "priority": {"name": "High"},
            "labels": ["sev2"],
            "Escalation Sev": {"value": "Sev2"},
            "Customer Impact": {"value": "No"},
            "DRI": _account(ctx, "priya"),
        }
    elif pack == "SUP":
        base |= {
            "priority": {"name": "Medium"},
            "Severity": {"value": "P3"},
            "Product Impacted": "Sportsbook",
            "Impact": "Slow settlement for some players",
            "Time of Occurrence": "2026-11-24T08:00:00.000+0000",
        }
    elif pack == "DS":
        base |= {
            "priority": {"name": "Highest"},
            "labels": ["ESCALATION"],
            "Escalation Reason": "Customer blocked on a production bug",
            "Escalation Contact": _account(ctx, "ines"),
            "Initiator": _account(ctx, "jack"),
            "Crew Lead": _account(ctx, "grace"),
            "Impact Level": {"value": "High"},
        }
    else:
        base |= {
            "priority": {"name": "Low"},
            "Project Manager": _account(ctx, "maria"),
            "Impact": "One client report is late",
        }
    return base


def seed_escalations(
    ctx: SandboxContext, count: int, at: datetime = DEFAULT_AT, *, seed: int = 8
) -> Seeded:
    """``count`` open escalations over the packs, created over the 2 h before ``at``.

    Every ticket gets an assignee comment 5 to 10 minutes before ``at`` (ack,
    update and "next update" rules are met), so a cycle at ``at`` owes nothing new.
    """
    rng = random.Random(seed)
    per_batch = max(1, count // 20)
    made: list[str] = []
    assignee_of: dict[str, str] = {}
    numbers = dict.fromkeys(PACKS, 0)
    for batch_start in range(0, count, per_batch):
        size = min(per_batch, count - batch_start)
        created = at - timedelta(hours=2) + timedelta(minutes=5 * batch_start // per_batch)
        ctx.clock.set(created, frozen=True)
        by_pack: dict[str, list[dict[str, Any]]] = {p: [] for p in PACKS}
        handles: dict[str, list[str]] = {p: [] for p in PACKS}
        for index in range(batch_start, batch_start + size):
            pack = PACKS[index % len(PACKS)]
            numbers[pack] += 1
            handle = rng.choice(DEVELOPERS)
            by_pack[pack].append(_fields(ctx, pack, numbers[pack], handle))
            handles[pack].append(handle)
        for pack, batch in by_pack.items():
            if not batch:
                continue
            created_docs = jira.bulk_create(ctx, batch, email_of("jack"))
            for doc, handle in zip(created_docs, handles[pack], strict=True):
                made.append(str(doc["key"]))
                assignee_of[str(doc["key"])] = email_of(handle)
    for key in made:  # spread over 5-10 minutes before ``at``, so dues are not aligned
        ctx.clock.set(at - timedelta(seconds=rng.randrange(300, 600)), frozen=True)
        jira.add_comment(ctx, key, UPDATE_TEXT, assignee_of[key])
    ctx.clock.set(at, frozen=True)
    return Seeded(made, assignee_of)


def change_some(
    ctx: SandboxContext, seeded: Seeded, fraction: float, *, seed: int = 9
) -> list[str]:
    """Comment (as the assignee) on ``fraction`` of the tickets; returns their keys."""
    rng = random.Random(seed)
    chosen = rng.sample(seeded.keys, max(1, round(len(seeded.keys) * fraction)))
    for key in chosen:
        jira.add_comment(ctx, key, UPDATE_TEXT, seeded.assignee_of[key])
    return chosen
