"""Slack actions: the escalation channel, invites, posts (threads, DMs), done marks, pins.

Every post carries metadata ``escalation_agent_<rule>`` with the action key, so
reconciliation finds a message posted before a crash instead of posting again.
Destinations (``agent.core.destinations``: a named channel, the ticket's escalation
channel, a DM, a user group's members, an incident's thread) are resolved here by
their type; invites are in :mod:`agent.runtime.act.slack_invites`, DMs to a user group's
members in :mod:`agent.runtime.act.slack_groups`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import assert_never

from agent.core.actions import ActionKind, PlannedAction, Recipient
from agent.core.destinations import (
    Channel,
    Destination,
    DirectMessage,
    EscalationChannel,
    GroupMembers,
    IncidentThread,
)
from agent.core.keys import ActionKey
from agent.render.escaping import plain_slack_text
from agent.runtime.act.slack_common import (
    NoSlackAccount,
    escalation_channel,
    message_text,
    post_once,
    slack_user,
)
from agent.runtime.act.slack_common import ref as message_ref
from agent.runtime.act.slack_groups import group_dms
from agent.runtime.act.slack_invites import invite
from agent.runtime.env import ActionEnv, ActionError, Handler
from agent.store import EffectStatus, JsonDoc

log = logging.getLogger(__name__)

TOPIC_SEPARATOR = " | "
# The line a successor channel starts with: which archived channel it replaces.
SUCCESSOR_TEMPLATE = "slack/channel_successor.j2"


@dataclass(frozen=True)
class Target:
    """Where a post goes: a conversation id, a user to DM (``dm_user``), or each member
    of a Slack user group by DM (``group``, a handle)."""

    channel: str | None = None
    dm_user: str | None = None
    group: str | None = None
    thread_ts: str | None = None  # a reply in this thread of ``channel``


def _recipient(action: PlannedAction, who: str) -> Recipient:
    for person in action.audience:
        if who in (person.account_id, person.email):
            return person
    return Recipient(role="dm", email=who if "@" in who else None, account_id=who)


def resolve_target(action: PlannedAction, env: ActionEnv, where: Destination | None) -> Target:
    match where:
        case None:
            raise ActionError(f"{action.key}: a Slack action needs a channel")
        case Channel(name):
            return Target(channel=env.slack.resolve_channel(name))
        case EscalationChannel(issue):
            return Target(channel=escalation_channel(action, env, issue))
        case DirectMessage(who):
            person = _recipient(action, who)
            user = slack_user(env, person)
            if user is None:
                raise NoSlackAccount(action, person, person.email or person.label)
            return Target(dm_user=user)
        case GroupMembers(handle):
            return Target(group=handle)
        case IncidentThread(channel, ts):
            return Target(channel=channel, thread_ts=ts)
    assert_never(where)


def post(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Post (or DM); a DM to someone without Slack is done with a warning, like invites."""
    try:
        target = resolve_target(action, env, action.channel)
    except NoSlackAccount as exc:
        log.warning("%s: %s", action.key, exc)
        env.ticket_problem(action, str(exc).removeprefix(f"{action.key}: "))
        return {"skipped": [exc.email], "warning": str(exc)}
    if target.group is not None:
        return group_dms(action, env, reconcile, target.group, message_text(action, env))
    thread = env.ref_of(action.thread_of.format()) if action.thread_of else None
    if thread and env.is_archived(action.issue, str(thread.get("channel"))):
        thread = None  # its thread is in an archived channel: a new one starts here
    thread_ts = str(thread["ts"]) if thread and thread.get("ts") else target.thread_ts
    channel = str(thread["channel"]) if thread and thread.get("ts") else target.channel
    if channel is None:
        # a DM: conversations.open gives the same conversation every time, so after a
        # crash the message is looked for there like in any channel
        assert target.dm_user is not None
        channel = env.slack.dm_channel(target.dm_user)
    return post_once(
        action,
        env,
        channel,
        message_text(action, env),
        key=action.key,
        reconcile=reconcile,
        thread_ts=thread_ts,
    )


def create_channel(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Create (or find again: the topic holds the issue key) the ticket's public channel."""
    if action.issue is None:
        raise ActionError(f"{action.key}: an escalation channel needs a ticket")
    name = action.context.get("channel_name")
    if not name:
        raise ActionError(f"{action.key}: the action's context has no channel_name")
    context = action.context
    summary = plain_slack_text(context.get("summary") or "")  # ticket text: nothing live
    parts = [action.issue, summary]
    if context.get("severity"):
        parts.append(f"severity {plain_slack_text(context['severity'])}")
    if context.get("url"):
        parts.append(str(context["url"]))
    topic = TOPIC_SEPARATOR.join(p for p in parts if p)
    purpose = f"Escalation {action.issue}: {summary}".strip()
    channel = env.slack.ensure_channel(
        str(name),
        issue_key=action.issue,
        topic=topic,
        purpose=purpose,
        private=bool(context.get("is_private", False)),
        replace_archived=context.get("on_archived") == "replace",
    )
    env.learned_channels[action.issue] = channel.id
    if channel.created:
        env.channel_created(channel.id)
    result: JsonDoc = {
        "channel": channel.id,
        "name": channel.name,
        "created": channel.created,
        "url": env.slack.channel_url(channel.id),  # for the ticket's remote link
    }
    replaced = list(dict.fromkeys([*channel.replaced, *_replaces(context)]))
    if replaced:
        result["replaces"] = replaced
        result["note"] = post_once(
            action,
            env,
            channel.id,
            message_text(action, env, SUCCESSOR_TEMPLATE, replaced=replaced),
            key=f"{action.key}:replaces",
            reconcile=reconcile,
        )
    return result


def _replaces(context: Mapping[str, object]) -> list[str]:
    replaces = context.get("replaces")
    return [replaces] if isinstance(replaces, str) and replaces else []


def _message_key(action: PlannedAction) -> str:
    key = action.context.get("message_key")
    if not key:
        raise ActionError(f"{action.key}: the action's context has no message_key")
    return str(key)


def _posted_ref(action: PlannedAction, env: ActionEnv, key: str) -> JsonDoc | None:
    """Where the message ``key`` was posted, or None if it never was."""
    ref = env.ref_of(key)
    if (not ref or not ref.get("ts")) and action.channel:
        # the store does not know it (it was lost): the message's marker does
        channel = resolve_target(action, env, action.channel).channel
        found = env.find_marker(channel, key) if channel else None
        ref = message_ref(found) if found is not None else None
    return ref if ref and ref.get("ts") else None


def pin(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    key = _message_key(action)
    ref = _posted_ref(action, env, key)
    if ref is None:
        raise ActionError(f"{action.key}: the message {key} has not been posted yet")
    env.slack.pin(str(ref["channel"]), str(ref["ts"]))
    return {"channel": ref["channel"], "ts": ref["ts"]}


def unpin(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Unpin the message; one that was never posted was never pinned, so that is done too."""
    key = _message_key(action)
    ref = _posted_ref(action, env, key)
    if ref is None:
        log.info("%s: the message %s was never posted; nothing to unpin", action.key, key)
        return {"message": key, "unpinned": False}
    env.slack.unpin(str(ref["channel"]), str(ref["ts"]))
    return {"channel": ref["channel"], "ts": ref["ts"]}


def thread_done(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """A one-line "done" reply in every thread the anchor's posts started."""
    if not action.thread_of or action.issue is None:
        raise ActionError(f"{action.key}: a thread-done action needs a ticket and an anchor")
    anchor = action.thread_of
    threads = [
        (record, where)
        for record in env.store.effects_for_issue(action.issue)
        if record.kind == ActionKind.SLACK_POST.value
        and (where := _place_of(record.key, anchor)) is not None
        and record.status is EffectStatus.DONE
        and record.external_ref
        and record.external_ref.get("ts")
        # an archived channel takes no replies (and its threads are closed with it)
        and not env.is_archived(action.issue, str(record.external_ref.get("channel")))
    ]
    replied: list[str] = []
    done = ActionKey.parse(action.key)
    text = env.render(action) if threads else ""
    for record, where in threads:
        assert record.external_ref is not None
        channel, ts = str(record.external_ref["channel"]), str(record.external_ref["ts"])
        key = done.at(where).format()  # the reply in the thread of ``anchor#<where>``
        posted = post_once(action, env, channel, text, key=key, reconcile=reconcile, thread_ts=ts)
        replied.append(key if posted.get("reconciled") else str(posted["ts"]))
    return {"threads": len(threads), "replies": replied}


def _place_of(key: str, anchor: ActionKey) -> str | None:
    """Where the post keyed ``key`` went when it is the anchor's post in some place
    (``<anchor>#<where>``: a thread its ``done`` reply goes to); None for any other key."""
    found = ActionKey.parse(key)
    return found.where if found.base == anchor else None


HANDLERS: dict[ActionKind, Handler] = {
    ActionKind.SLACK_CREATE_CHANNEL: create_channel,
    ActionKind.SLACK_INVITE: invite,
    ActionKind.SLACK_POST: post,
    ActionKind.SLACK_THREAD_DONE: thread_done,
    ActionKind.SLACK_PIN: pin,
    ActionKind.SLACK_UNPIN: unpin,
}
