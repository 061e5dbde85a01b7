"""Inviting the people a procedure names into the escalation channel, in one call.

Everyone goes into one ``conversations.invite`` (Slack takes up to 1000 users;
with ``force`` the valid ones are invited even if one id is not). A user group
(``group:@sre-oncall``) is invited as its members (Slack invites people, not
groups). A person with no Slack account the agent can find (no
``AGENT_USER_MAP`` entry, and no Slack user with their email, or no email at
all because their Jira profile hides it) cannot be invited by anyone but a
human, so the channel is told once, with what to do, and the rest are still
invited. Only the executor learns that, so there is no planned action for that
note: it is posted under the invite's ``note_scope`` plus ``:no-slack:`` and who
is missing (in the message metadata), so a later invite of someone else does not
repeat it, and, when the executor says an earlier attempt may have run
(``reconcile``), it is looked for before it is posted again.
"""

from __future__ import annotations

import hashlib
import logging

from agent.core.actions import PlannedAction, Recipient
from agent.core.destinations import Channel, EscalationChannel
from agent.render.escaping import escape_mrkdwn
from agent.runtime.act.slack_common import (
    escalation_channel,
    fit_text,
    hidden_email_reason,
    post_once,
    slack_user,
    watching_archival,
)
from agent.runtime.act.slack_groups import group_members
from agent.runtime.env import ActionEnv, ActionError
from agent.store import EffectStatus, JsonDoc

log = logging.getLogger(__name__)


def no_slack_key(action: PlannedAction, missing: list[Recipient]) -> str:
    """The note's key: the invite's scope (one per channel) and who is missing."""
    scope = str(action.context.get("note_scope") or action.key)
    whom = sorted(p.account_id or p.email or p.label for p in missing)
    return f"{scope}:no-slack:{hashlib.sha256(chr(10).join(whom).encode()).hexdigest()[:10]}"


def _channel(action: PlannedAction, env: ActionEnv) -> str:
    match action.channel:
        case EscalationChannel(issue):
            return escalation_channel(action, env, issue)
        case Channel(name):
            return env.slack.resolve_channel(name)
    where = action.channel.spec if action.channel else "nowhere"
    raise ActionError(f"{action.key}: invites go to a channel, not {where!r}")


def _why_not(person: Recipient) -> str:
    """Why ``person`` was not invited and what to do, in plain words (escaped by the caller)."""
    who = f"{person.label} ({person.role.replace('_', ' ')})"
    if person.email is None:
        return f"{who} was not invited: {hidden_email_reason(person)}, or invite them by hand"
    return (
        f"{who} has no Slack account under {person.email}; add them to AGENT_USER_MAP or "
        "invite them by hand"
    )


def _tell_channel(
    action: PlannedAction, env: ActionEnv, channel: str, missing: list[Recipient], reconcile: bool
) -> JsonDoc:
    """The one note in the channel about people who could not be invited (and the log line)."""
    lines = [f"• {escape_mrkdwn(_why_not(p))}." for p in missing]
    text = fit_text(action, ":warning: Not invited:\n" + "\n".join(lines))
    key = no_slack_key(action, missing)
    earlier = _earlier_note(action, env, key)
    if earlier is not None:
        return earlier
    note = {**post_once(action, env, channel, text, key=key, reconcile=reconcile), "key": key}
    if not note.get("reconciled"):
        for person in missing:
            message = _why_not(person)
            log.warning("%s: %s", action.key, message)
            env.ticket_problem(action, message)
    return note


def _earlier_note(action: PlannedAction, env: ActionEnv, key: str) -> JsonDoc | None:
    """The same note, posted by an earlier invite into this channel (the store holds it)."""
    if action.issue is None:
        return None
    for record in env.store.effects_for_issue(action.issue):
        note = (record.external_ref or {}).get("note")
        if record.status is EffectStatus.DONE and isinstance(note, dict) and note.get("key") == key:
            return {**note, "reconciled": True}
    return None


def invite(action: PlannedAction, env: ActionEnv, reconcile: bool) -> JsonDoc:
    """Invite the audience (groups as their members); report who has no Slack account."""
    if action.issue is None:
        raise ActionError(f"{action.key}: an invite needs a ticket")
    channel = _channel(action, env)
    user_ids: list[str] = []
    skipped: list[str] = []
    missing: list[Recipient] = []
    for person in action.audience:
        if person.group is not None:
            members = group_members(action, env, person.group)
            if members is None:
                skipped.append(f"group {person.group}")
            user_ids += members or ()
            continue
        user = slack_user(env, person)
        if user is None:
            missing.append(person)
            skipped.append(person.email or person.account_id or person.label)
        else:
            user_ids.append(user)
    result: JsonDoc = {"channel": channel, "invited": user_ids, "skipped": skipped}
    if user_ids:
        with watching_archival(action, env, channel):
            invited = env.slack.invite(channel, user_ids)
        if not invited.ok:
            failed = ", ".join(f"{who}: {error}" for who, error in invited.failed.items())
            raise ActionError(f"{action.key}: Slack refused to invite {failed}")
    if missing:
        result["note"] = _tell_channel(action, env, channel, missing, reconcile)
    return result
