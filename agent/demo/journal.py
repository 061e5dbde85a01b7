"""What the agent did in one cycle, read back from its effect log, in words.

``run_cycle`` reports counts; the demo wants one line per rule and ticket, so
after each cycle it reads the effects that became done at that cycle's ``now``.
Effects are grouped by (policy, rule name, issue): one rule usually makes several
effects at once (a channel, six invites, a post and a comment).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from agent.core.keys import ActionKey
from agent.core.obligations import ObligationKind
from agent.core.rules.catalogue import CATALOGUE
from agent.policy.rule_models import SlackIntake
from agent.store import EffectStatus, JsonDoc, StateStore

POLICY_ISSUE = "policy:"

PAGE_KINDS = frozenset({"confluence.page", "confluence.log_row"})
THREAD_DONE = "slack.thread_done"
OPEN_THREAD = "slack.open_thread"
MESSAGE_KINDS = frozenset({"slack.post", "jira.comment"})
KIND_WORDS: dict[str, tuple[str, str]] = {  # kind -> (singular, plural)
    "slack.create_channel": ("Slack channel", "Slack channels"),
    "slack.invite": ("invite", "invites"),
    "slack.post": ("Slack message", "Slack messages"),
    "slack.open_thread": ("incident thread opened", "incident threads opened"),
    "jira.issue_from_report": ("ticket from a Slack report", "tickets from Slack reports"),
    "slack.pin": ("pin", "pins"),
    "slack.unpin": ("unpin", "unpins"),
    "slack.thread_done": ("thread closed", "threads closed"),
    "jira.comment": ("Jira comment", "Jira comments"),
    "jira.add_label": ("label", "labels"),
    "jira.remove_label": ("label removed", "labels removed"),
    "jira.set_priority": ("priority set", "priorities set"),
    "jira.set_field": ("field set", "fields set"),
    "jira.add_watcher": ("watcher", "watchers"),
    "jira.remote_link": ("link", "links"),
    "confluence.page": ("page", "pages"),
    "confluence.log_row": ("log row", "log rows"),
    "confluence.log_actions": ("log row updated", "log rows updated"),
    "confluence.task": ("task edit", "task edits"),
    "jira.create_issue": ("follow-up issue", "follow-up issues"),
    "jira.transition": ("issue moved", "issues moved"),
}


def _is_limit(family: str) -> bool:
    """Whether effects of this rule kind hold and release escalations (the limits)."""
    return family in CATALOGUE and CATALOGUE.get(family).adherence is ObligationKind.LIMITS


@dataclass(frozen=True)
class Effect:
    """One effect the agent carried out."""

    at: datetime
    policy: str
    family: str  # the rule identifier (``update_overdue``)
    name: str  # the rule's name in its pack (``urgent_hourly``), from the effect key
    issue: str  # a ticket key, or ``policy:<name>`` for pack-wide effects
    kind: str
    key: str
    page: str | None = None  # the Confluence page written or added to, by id

    @property
    def repeat(self) -> bool:
        return ":repeat@" in self.key

    @property
    def held(self) -> bool:
        """The hold itself (label or comment): ``<limit>:<ISSUE>:hold@...``."""
        return _is_limit(self.family) and ":hold" in self.key

    @property
    def released(self) -> bool:
        """The release (label removed, comment): ``<limit>:<ISSUE>:release@...``."""
        return _is_limit(self.family) and ":release" in self.key


@dataclass
class Happening:
    """The effects of one rule on one ticket in one cycle: one output line."""

    at: datetime
    policy: str
    name: str
    family: str
    issue: str
    kinds: Counter[str] = field(default_factory=Counter)
    repeat: bool = True
    released: bool = False

    @property
    def holds(self) -> bool:
        """Whether the line is about a limit holding or releasing escalations."""
        return _is_limit(self.family)

    @property
    def subject(self) -> str:
        return "(pack)" if self.issue.startswith(POLICY_ISSUE) else self.issue

    @property
    def what(self) -> str:
        if self.released:
            return "released from the hold: there is room again"
        if set(self.kinds) == {THREAD_DONE}:
            return "answered: marked its reminder thread done"
        if set(self.kinds) == {OPEN_THREAD}:
            return "opened its incident thread in Slack"
        kind = CATALOGUE.get(self.family) if self.family in CATALOGUE else None
        if kind is not None and kind.model is SlackIntake and set(self.kinds) == {"jira.comment"}:
            return "copied replies in its Slack thread to the ticket"
        if kind is not None and kind.paperwork and not PAGE_KINDS & set(self.kinds):
            return "asked for the fields its page needs"
        words = kind.words if kind is not None else self.family.replace("_", " ")
        return f"{words}{' again' if self.repeat else ''}"

    @property
    def made(self) -> str:
        parts = []
        for kind, count in self.kinds.items():
            singular, plural = KIND_WORDS.get(kind, (kind, kind))
            parts.append(f"{count} {singular if count == 1 else plural}")
        return ", ".join(parts)


def effects_done_at(
    store: StateStore, issues: Iterable[str], now: datetime, expected: int | None = None
) -> list[Effect]:
    """Effects that became done at ``now`` (the cycle's time), for the given issues.

    ``expected`` (the cycle report's done count) stops the scan once all are found.
    """
    found: list[Effect] = []
    for issue in issues:
        if expected is not None and len(found) >= expected:
            break
        for record in store.effects_for_issue(issue):
            if record.status is not EffectStatus.DONE or record.updated_at != now:
                continue
            if changed_nothing(record.external_ref):
                continue
            found.append(
                Effect(
                    at=now,
                    policy=record.policy,
                    family=record.rule,
                    name=ActionKey.parse(record.key).rule,
                    issue=record.issue,
                    kind=record.kind,
                    key=record.key,
                    page=_page_of(record.external_ref),
                )
            )
    return found


def changed_nothing(ref: JsonDoc | None) -> bool:
    """Whether a done effect left the world as it was, so the timeline does not claim it.

    A DM to someone without Slack is done with ``skipped`` and no message; unpinning a
    message that was never posted is done with ``unpinned: False``; an invite whose
    people all lacked Slack invited nobody.
    """
    if not ref:
        return False
    if ref.get("unpinned") is False:
        return True
    return bool(ref.get("skipped")) and "ts" not in ref and not ref.get("invited")


def _page_of(ref: JsonDoc | None) -> str | None:
    """The page id in a Confluence effect's reference (``{"page": id, ...}``)."""
    page = (ref or {}).get("page")
    return None if page is None else str(page)


def happenings(effects: Iterable[Effect]) -> list[Happening]:
    """Group effects into lines, in the order they were found."""
    lines: dict[tuple[str, str, str, bool], Happening] = {}
    for effect in effects:
        group = (effect.policy, effect.name, effect.issue, effect.released)
        line = lines.get(group)
        if line is None:
            line = Happening(
                effect.at,
                effect.policy,
                effect.name,
                effect.family,
                effect.issue,
                released=effect.released,
            )
            lines[group] = line
        line.kinds[effect.kind] += 1
        line.repeat = line.repeat and effect.repeat
    return list(lines.values())
