"""Where a planned Slack message goes, as a value: the core says where, the runtime resolves it.

A policy names places in words (``project_channel``, ``escalation_channel``, ``dm``,
``#name``, ``group:@handle``, ``incident_thread``); ``agent.core.routing`` turns them into
one of these values, and the Slack handlers resolve each kind (look a channel up, find
the ticket's escalation channel, open a DM, DM a group's members, reply in a thread)
by its type. Each value's ``spec`` is its string form, the one an action key ends with
(``...#dm:acc-1``) and the one earlier versions wrote into keys and markers: it must not
change, and :func:`parse_destination` reads every one back.
"""

from __future__ import annotations

from dataclasses import dataclass

ESCALATION = "escalation:"
DM = "dm:"
GROUP = "group:"
THREAD = "thread:"


@dataclass(frozen=True)
class Channel:
    """A channel the policy names (``#name``, as written there: the project's channel, an
    ``announce_in`` or ``notify`` channel, a ``slack_intake`` channel)."""

    name: str

    @property
    def spec(self) -> str:
        return self.name


@dataclass(frozen=True)
class EscalationChannel:
    """The ticket's own escalation channel (its id is known once it is made)."""

    issue: str

    @property
    def spec(self) -> str:
        return f"{ESCALATION}{self.issue}"


@dataclass(frozen=True)
class DirectMessage:
    """A direct message to a person: a Jira accountId, or an email for people the policy
    names by email."""

    who: str

    @property
    def spec(self) -> str:
        return f"{DM}{self.who}"


@dataclass(frozen=True)
class GroupMembers:
    """A direct message to each member of a Slack user group (``handle`` without ``@``,
    lowercase): who they are is only known when acting."""

    handle: str

    @classmethod
    def of(cls, handle: str) -> GroupMembers:
        """The group as a policy writes it (``@SRE-oncall``, ``sre-oncall``), normalised."""
        return cls(handle.strip().removeprefix("@").lower())

    @property
    def spec(self) -> str:
        return f"{GROUP}{self.handle}"


@dataclass(frozen=True)
class IncidentThread:
    """The thread of an incident's report in a ``slack_intake`` channel."""

    channel: str  # the conversation id
    ts: str

    @property
    def spec(self) -> str:
        return f"{THREAD}{self.channel}:{self.ts}"


Destination = Channel | EscalationChannel | DirectMessage | GroupMembers | IncidentThread


def parse_destination(spec: str) -> Destination:
    """The destination an earlier version wrote as ``spec``; ValueError for anything else."""
    if spec.startswith("#"):
        return Channel(spec)
    if spec.startswith(ESCALATION) and (issue := spec.removeprefix(ESCALATION)):
        return EscalationChannel(issue)
    if spec.startswith(DM) and (who := spec.removeprefix(DM)):
        return DirectMessage(who)
    if spec.startswith(GROUP) and (handle := spec.removeprefix(GROUP)):
        return GroupMembers(handle)
    if spec.startswith(THREAD):
        channel, _, ts = spec.removeprefix(THREAD).partition(":")
        if channel and ts:
            return IncidentThread(channel, ts)
    raise ValueError(
        f"not a destination: {spec!r} (expected #name, escalation:<ISSUE>, dm:<who>, "
        "group:<handle> or thread:<channel id>:<ts>)"
    )
