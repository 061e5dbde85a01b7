"""In-memory stand-ins for the Jira, Slack and Confluence ports and the renderer.

They record every write so tests can assert what happened (and that nothing
happened twice), and can be told to fail the next calls with a typed error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from agent.adapters.confluence_port import (
    AppendResult,
    ConfluencePort,
    Page,
    PageMarker,
    PageRef,
    SpaceRef,
)
from agent.adapters.jira_port import JiraPort, ServerKind, TicketProblem
from agent.adapters.service_errors import ChannelNotFound, NotFound, ServiceError
from agent.adapters.slack_port import (
    BotIdentity,
    ChannelRef,
    InviteResult,
    PostedMessage,
    SlackPort,
)
from agent.core.model import ChatMessage, Comment, Person, Ticket


class Failures:
    """Errors to raise from named operations, consumed one per call."""

    def __init__(self) -> None:
        self.queued: dict[str, list[ServiceError]] = {}

    def add(self, operation: str, error: ServiceError, times: int = 1) -> None:
        self.queued.setdefault(operation, []).extend([error] * times)

    def check(self, operation: str) -> None:
        pending = self.queued.get(operation)
        if pending:
            raise pending.pop(0)


@dataclass
class FakeJira:
    tickets: dict[str, Ticket] = field(default_factory=dict)
    comments: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    labels_added: list[tuple[str, str]] = field(default_factory=list)
    labels_removed: list[tuple[str, str]] = field(default_factory=list)
    priorities: list[tuple[str, str]] = field(default_factory=list)
    watchers: list[tuple[str, str]] = field(default_factory=list)
    detail_reads: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    fail: Failures = field(default_factory=Failures)
    detail_failures: dict[str, ServiceError] = field(default_factory=dict)

    def server_kind(self) -> ServerKind:
        return "cloud"

    def field_ids(self, names: Sequence[str]) -> dict[str, str]:
        return {name: f"customfield_{i}" for i, name in enumerate(names)}

    def search(
        self, jql: str, field_names: Sequence[str], *, updated_since: datetime | None = None
    ) -> Iterator[Ticket]:
        self.fail.check("search")
        self.searches.append(jql)
        projects = jql.split("project in (", 1)[1].split(")", 1)[0]
        wanted = {p.strip().strip('"') for p in projects.split(",")}
        return iter(
            [
                replace(t, comments=(), changelog=(), watchers=())
                for t in self.tickets.values()
                if t.project in wanted
            ]
        )

    def with_details(self, ticket: Ticket) -> Ticket:
        self.detail_reads.append(ticket.key)
        if ticket.key in self.detail_failures:
            raise self.detail_failures[ticket.key]
        stored = self.tickets[ticket.key]
        agent_comments = tuple(
            Comment(f"a{index}", None, ticket.updated, body, agent_rule=rule, agent_key=key)
            for index, (body, rule, key) in enumerate(self.comments.get(ticket.key, []))
        )
        return replace(
            ticket,
            comments=stored.comments + agent_comments,
            changelog=stored.changelog,
            watchers=stored.watchers,
        )

    def with_details_many(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        return [self.with_details(t) for t in tickets]

    def take_problems(self) -> list[TicketProblem]:
        return []

    def add_comment(self, issue: str, body: str, *, rule: str, key: str) -> str:
        self.fail.check("add_comment")
        if issue not in self.tickets:
            raise NotFound("jira", "add_comment", f"issue {issue} does not exist", 404)
        self.comments.setdefault(issue, []).append((body, rule, key))
        return f"{issue}-c{len(self.comments[issue])}"

    def find_agent_comment(self, issue: str, key: str) -> str | None:
        for index, (_body, _rule, found) in enumerate(self.comments.get(issue, [])):
            if found == key:
                return f"{issue}-c{index + 1}"
        return None

    def add_labels(self, issue: str, labels: Sequence[str]) -> None:
        self.fail.check("add_labels")
        self.labels_added += [(issue, label) for label in labels]

    def remove_labels(self, issue: str, labels: Sequence[str]) -> None:
        self.labels_removed += [(issue, label) for label in labels]

    def set_priority(self, issue: str, name: str) -> None:
        self.priorities.append((issue, name))

    def add_watcher(self, issue: str, account_id: str) -> None:
        self.watchers.append((issue, account_id))

    def add_remote_link(self, issue: str, url: str, title: str, *, global_id: str) -> str:
        return "link-1"

    def myself(self) -> Person:
        return Person("agent", "Agent")

    def comment_keys(self, issue: str) -> list[str]:
        return [key for _body, _rule, key in self.comments.get(issue, [])]


@dataclass
class FakeSlack:
    users: dict[str, str] = field(default_factory=dict)  # email -> slack id
    channels: dict[str, str] = field(default_factory=dict)  # name -> id
    posts: list[dict[str, Any]] = field(default_factory=list)
    invites: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    pins: list[tuple[str, str]] = field(default_factory=list)
    channel_reads: list[str] = field(default_factory=list)
    marker_reads: list[str] = field(default_factory=list)
    messages: dict[str, list[ChatMessage]] = field(default_factory=dict)
    fail: Failures = field(default_factory=Failures)
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # handle
    _ts: int = 0

    def auth_test(self) -> BotIdentity:
        return BotIdentity("UBOT", "BBOT", "T1", "team", "https://team.slack")

    def user_id_for_email(self, email: str) -> str | None:
        return self.users.get(email)

    def resolve_channel(self, channel: str) -> str:
        if channel.startswith("#"):
            name = channel[1:]
            if name not in self.channels:
                raise ChannelNotFound("slack", "resolve", f"no channel #{name}")
            return self.channels[name]
        return channel

    def usergroup_id(self, handle: str) -> str | None:
        return self.groups.get(handle.removeprefix("@"), (None, ()))[0]

    def usergroup_members(self, handle: str) -> tuple[str, ...] | None:
        self.fail.check("usergroup_members")
        found = self.groups.get(handle.removeprefix("@"))
        return found[1] if found is not None else None

    def channel_url(self, channel_id: str) -> str:
        return f"https://team.slack.example/archives/{channel_id}"

    def dm_channel(self, user_id: str) -> str:
        return f"D-{user_id}"

    def ensure_channel(
        self,
        name: str,
        *,
        issue_key: str,
        topic: str,
        purpose: str,
        private: bool = False,
        replace_archived: bool = True,
    ) -> ChannelRef:
        self.fail.check("ensure_channel")
        created = name not in self.channels
        self.channels.setdefault(name, f"C{len(self.channels) + 1:03d}")
        return ChannelRef(self.channels[name], name, created)

    def join(self, channel_id: str) -> None:
        return None

    def invite(self, channel_id: str, user_ids: Sequence[str]) -> InviteResult:
        self.invites.append((channel_id, tuple(user_ids)))
        return InviteResult(invited=tuple(user_ids))

    def _post(
        self, channel: str, text: str, thread_ts: str | None, payload: Mapping[str, Any]
    ) -> PostedMessage:
        self.fail.check("post")
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        self.posts.append(
            {"channel": channel, "text": text, "thread_ts": thread_ts, "ts": ts, **payload}
        )
        return PostedMessage(channel, ts)

    def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        thread_ts: str | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage:
        return self._post(self.resolve_channel(channel), text, thread_ts, payload)

    def dm(
        self,
        user_id: str,
        text: str,
        *,
        blocks: Sequence[Mapping[str, Any]] | None = None,
        event_type: str,
        payload: Mapping[str, Any],
    ) -> PostedMessage:
        return self._post(f"D-{user_id}", text, None, payload)

    def find_message_by_key(
        self, channel: str, key: str, *, oldest: datetime | str | None = None
    ) -> PostedMessage | None:
        for post in self.posts:
            if post["channel"] == channel and post["key"] == key:
                return PostedMessage(channel, post["ts"])
        return None

    def marked_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> dict[str, PostedMessage]:
        self.marker_reads.append(channel)
        return {
            str(post["key"]): PostedMessage(channel, post["ts"])
            for post in self.posts
            if post["channel"] == channel
        }

    def pin(self, channel: str, ts: str) -> bool:
        self.pins.append((channel, ts))
        return True

    def unpin(self, channel: str, ts: str) -> bool:
        return True

    def channel_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]:
        self.fail.check("channel_messages")
        self.channel_reads.append(channel)
        return list(self.messages.get(channel, []))

    def top_level_messages(
        self, channel: str, oldest: datetime | str | None = None
    ) -> list[ChatMessage]:
        self.fail.check("top_level_messages")
        self.channel_reads.append(channel)
        return [m for m in self.messages.get(channel, []) if m.thread_ts in (None, m.ts)]

    def thread_replies(self, channel: str, thread_ts: str) -> list[ChatMessage]:
        self.fail.check("thread_replies")
        return [
            m
            for m in self.messages.get(channel, [])
            if m.thread_ts == thread_ts and m.ts != thread_ts
        ]

    def keys(self) -> list[str]:
        return [post["key"] for post in self.posts]


@dataclass
class FakeConfluence:
    pages: dict[str, tuple[str, str, PageMarker | None]] = field(default_factory=dict)
    rows: dict[str, list[str]] = field(default_factory=dict)

    def space(self, key: str) -> SpaceRef:
        return SpaceRef(key, "1", key)

    def find_page(self, space: str, title: str) -> PageRef | None:
        for page_id, (found, _body, _marker) in self.pages.items():
            if found == title:
                return PageRef(page_id, title)
        return None

    def get_page(self, page_id: str) -> Page:
        title, body, _marker = self.pages[page_id]
        return Page(page_id, title, 1, body)

    def page_url(self, page_id: str) -> str:
        return f"https://wiki.example/pages/viewpage.action?pageId={page_id}"

    def page_status(self, page_id: str) -> str | None:
        return None

    def ensure_page(
        self,
        space: str,
        title: str,
        body: str,
        *,
        parent_title: str | None = None,
        parent_id: str | None = None,
        labels: Sequence[str] = (),
        marker: PageMarker | None = None,
    ) -> PageRef:
        existing = self.find_page(space, title)
        if existing is not None:
            return existing
        page_id = str(len(self.pages) + 1)
        self.pages[page_id] = (title, body, marker)
        return PageRef(page_id, title, created=True)

    def update_page(self, page_id: str, body: str, *, expected_version: int | None = None) -> int:
        return 2

    def append_log_row(
        self,
        page_id: str,
        issue_key: str,
        row_xml: str,
        *,
        header_titles: Sequence[str] = (),
        max_rows: int | None = None,
        max_bytes: int | None = None,
    ) -> AppendResult:
        rows = self.rows.setdefault(page_id, [])
        if any(issue_key in row for row in rows):
            return AppendResult(added=False, version=1)
        rows.append(row_xml)
        return AppendResult(added=True, version=2)

    def find_page_by_marker(
        self, space: str, key: str, *, labels: Sequence[str] = ()
    ) -> PageRef | None:
        for page_id, (title, _body, marker) in self.pages.items():
            if marker is not None and marker.key == key:
                return PageRef(page_id, title)
        return None

    def get_marker(self, page_id: str) -> PageMarker | None:
        return self.pages[page_id][2]

    def set_marker(self, page_id: str, marker: PageMarker) -> None:
        title, body, _old = self.pages[page_id]
        self.pages[page_id] = (title, body, marker)

    def add_labels(self, page_id: str, labels: Sequence[str]) -> None:
        return None


class FakeRenderer:
    """Renders ``<name>: <issue> <reason> [mentions]`` so tests can see what went in."""

    def __init__(self) -> None:
        self.rendered: list[tuple[str, dict[str, Any]]] = []

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        self.rendered.append((name, dict(context)))
        mentions = " ".join(f"<@{m}>" for m in context.get("mentions", []))
        return f"{name}: {context.get('issue', '')} {context.get('reason', '')} {mentions}".strip()


def _conforms(
    jira: FakeJira, slack: FakeSlack, confluence: FakeConfluence
) -> tuple[JiraPort, SlackPort, ConfluencePort]:
    """mypy checks here that the fakes implement the ports."""
    return jira, slack, confluence
