"""What the Slack handlers share: metadata payloads, the escalation channel, message text,
and "post unless it is already there".

Split from :mod:`agent.runtime.act.handlers_slack` so that invites and user-group DMs
(their own modules) use the same idempotency marker as every other post: message
metadata ``escalation_agent_<rule>`` holding the key, looked for before posting
when the executor says an earlier attempt may have done it (``reconcile``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from agent.adapters.service_errors import ChannelArchived
from agent.adapters.slack_blocks import fit_message_text
from agent.adapters.slack_port import PostedMessage, event_type_for
from agent.core.actions import PlannedAction, Recipient
from agent.runtime.act.slack_message import HTTP_URL, compose
from agent.runtime.env import ActionEnv, ActionError
from agent.store import JsonDoc


class NoSlackAccount(ActionError):
    """The person to DM has no Slack account the agent can find: only a human can change
    that (Slack, or ``AGENT_USER_MAP``), so no retry."""

    def __init__(self, action: PlannedAction, person: Recipient, email: str) -> None:
        self.email = email
        if person.email is None:
            message = (
                f"{person.label} was not sent this message (it will not be retried): "
                f"{hidden_email_reason(person)}"
            )
        else:
            message = (
                f"{email} has no Slack account to DM (no Slack user has that email, so "
                f"{person.label} was not sent this message and it will not be retried); add "
                "them to Slack with the email Jira shows, or change the procedure's recipients"
            )
        super().__init__(f"{action.key}: {message}")


def hidden_email_reason(person: Recipient) -> str:
    """Why a person whose email Jira hides cannot be found in Slack, and what fixes it."""
    account = f" {person.account_id}" if person.account_id else ""
    return (
        "Jira does not show this person's email (their profile hides it), so their Slack "
        f"account cannot be looked up; map their Jira account{account} to their Slack user "
        "id in AGENT_USER_MAP"
    )


def payload(action: PlannedAction, key: str | None = None) -> dict[str, str]:
    """The metadata payload of a message posted for ``action`` (under ``key`` if given)."""
    return {"issue": action.issue or "", "rule": action.rule, "key": key or action.key}


def ref(posted: PostedMessage, **extra: object) -> JsonDoc:
    return {"channel": posted.channel, "ts": posted.ts, **extra}


def escalation_channel(action: PlannedAction, env: ActionEnv, issue: str) -> str:
    """The id of ``issue``'s escalation channel: from the state, this cycle, or by name.

    Not by name once a channel of the ticket was found archived: the name leads to
    the archived one, and its successor is known only once it is made.
    """
    known = env.channel_of(issue)
    if known is not None:
        return known
    made = action.context.get("channel_action")
    ref_made = env.ref_of(str(made)) if made else None
    if ref_made and ref_made.get("channel"):
        return str(ref_made["channel"])
    ticket = env.state.ticket(issue)
    name = action.context.get("escalation_channel_name") or action.context.get("channel_name")
    if not name or issue in env.archived_channels or (ticket and ticket.archived_channels):
        raise ActionError(f"{action.key}: the escalation channel of {issue} does not exist yet")
    return env.slack.resolve_channel(f"#{name}")


def slack_user(env: ActionEnv, person: Recipient) -> str | None:
    """The person's Slack id: ``AGENT_USER_MAP`` by account id, then by email, then Slack's
    lookup by email. None when none of them knows the person: no Slack user has their
    email, or Jira hides it and the map has no entry (:func:`hidden_email_reason`)."""
    return env.slack_id(person)


def fit_text(action: PlannedAction, text: str) -> str:
    """``text`` within Slack's 40,000 characters, cut with a link to the ticket."""
    url = str(action.context.get("url") or "")
    return fit_message_text(text, url if HTTP_URL.fullmatch(url) else None)


def message_text(
    action: PlannedAction, env: ActionEnv, template: str | None = None, **extra: object
) -> str:
    """The action's rendered message (or ``template``'s, with ``extra`` data) within
    Slack's limits."""
    return fit_text(action, env.render(action, template, **extra))


def post_once(
    action: PlannedAction,
    env: ActionEnv,
    channel: str,
    text: str,
    *,
    key: str,
    reconcile: bool,
    thread_ts: str | None = None,
) -> JsonDoc:
    """Post ``text`` under ``key`` unless ``reconcile`` finds a message with that key
    (the channel's markers, read at most once a cycle and never in a channel made in it)."""
    with watching_archival(action, env, channel):
        found = env.find_marker(channel, key) if reconcile else None
        if found is not None:
            return ref(found, reconciled=True)
        message = compose(action, text, with_facts=thread_ts is None)
        posted = env.slack.post(
            channel,
            message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            event_type=event_type_for(action.event or action.rule),
            payload=payload(action, key),
        )
    env.remember_marker(key, posted)
    return ref(posted)


@contextmanager
def watching_archival(action: PlannedAction, env: ActionEnv, channel: str) -> Iterator[None]:
    """Slack says ``channel`` is archived: if it is the ticket's escalation channel, that is
    recorded (the next plan opens a successor) and the action waits for it."""
    try:
        yield
    except ChannelArchived as exc:
        issue = action.issue
        if issue is None or env.channel_of(issue) != channel:
            raise
        env.channel_archived(issue, channel)
        raise ActionError(
            f"{action.key}: the escalation channel of {issue} ({channel}) was archived, which "
            "removed everyone from it; a new channel replaces it in the next cycle, and this "
            "is done there"
        ) from exc
