"""A notification to a Slack user group: a direct message to each of its members.

The core plans one ``slack.post`` to ``group:<handle>`` (see
:mod:`agent.core.routing` for why a group means DMs); only here, when acting,
are the members known. Each DM carries its own key ``<action key>:<member id>``
in the message metadata, so a retry or a run after a crash looks in each DM
conversation first and never sends anyone the same message twice. People the
same notification already reaches (its ``dm`` targets, groups planned before
this one: ``context["dm_skip"]``) are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from agent.core.actions import PlannedAction
from agent.core.destinations import GroupMembers, parse_destination
from agent.runtime.act.slack_common import post_once
from agent.runtime.env import ActionEnv
from agent.store import JsonDoc

log = logging.getLogger(__name__)


def missing_group(handle: str) -> str:
    """The problem text for a handle no Slack user group has: what is wrong, what to do."""
    return (
        f"the Slack user group @{handle} does not exist (usergroups.list has no such handle); "
        f"fix the handle in the policy (group:@<handle>, as Slack shows it) or create the "
        "group in Slack"
    )


def group_members(action: PlannedAction, env: ActionEnv, handle: str) -> tuple[str, ...] | None:
    """The group's member ids; a group that does not exist is reported (log and cycle
    report) and gives None. The action is then done, so this is said once."""
    members = env.group_members(handle)
    if members is None:
        message = missing_group(handle)
        log.warning("%s: %s", action.key, message)
        env.ticket_problem(action, message)
    return members


def _already_told(action: PlannedAction, env: ActionEnv) -> set[str]:
    """Slack ids the same notification reaches through its other targets."""
    skip: Mapping[str, Any] = action.context.get("dm_skip") or {}
    told: set[str] = set()
    people = set(skip.get("people") or ())
    for person in action.audience:
        if (person.account_id or person.email) in people:
            user = env.slack_id(person)
            if user is not None:
                told.add(user)
    for spec in skip.get("groups") or ():  # the groups' specs, as routing lists them
        group = parse_destination(str(spec))
        if isinstance(group, GroupMembers):
            told.update(env.group_members(group.handle) or ())
    return told


def group_dms(
    action: PlannedAction, env: ActionEnv, reconcile: bool, handle: str, text: str
) -> JsonDoc:
    """DM ``text`` to each member of ``@handle`` not told otherwise; the bot is left out."""
    members = group_members(action, env, handle)
    if members is None:
        return {"group": handle, "sent": {}, "warning": missing_group(handle)}
    skip = _already_told(action, env) | {env.slack.auth_test().user_id}
    sent: dict[str, str] = {}
    skipped: list[str] = []
    for member in dict.fromkeys(members):
        if member in skip:
            skipped.append(member)
            continue
        channel = env.slack.dm_channel(member)
        posted = post_once(
            action, env, channel, text, key=f"{action.key}:{member}", reconcile=reconcile
        )
        sent[member] = str(posted["ts"])
    return {"group": handle, "sent": sent, "skipped": skipped}
