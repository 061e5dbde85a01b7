"""``JiraAdapter``: the :class:`~agent.adapters.jira_port.JiraPort` over a real Jira site.

It learns three things once and caches them: Cloud or Data Center (from the
client's ``serverInfo``), the field catalogue (``GET field``) and the agent
user (``GET myself``, whose time zone is the one JQL dates are read in).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.adapters import jira_followups, jira_read, jira_write
from agent.adapters.jira_convert import BASE_FIELDS, TicketConverter, UnusableIssue
from agent.adapters.jira_fields import FieldCatalogue
from agent.adapters.jira_followups import NewIssue
from agent.adapters.jira_http import JiraHttp
from agent.adapters.jira_jql import with_updated_since
from agent.adapters.jira_port import Caller, FieldInfo, JiraPort, ServerKind, TicketProblem
from agent.adapters.jira_values import ValueProblem, parse_jira_datetime, person_from_json
from agent.adapters.service_errors import BadRequest, NotFound, UnexpectedAnswer
from agent.config import Settings
from agent.core.model import Comment, Person, Ticket

log = logging.getLogger(__name__)

# Fields read into dedicated Ticket attributes; any other field a policy names
# (custom, or system ones such as "Components") lands in ``Ticket.fields`` by name.
_OPTIONAL_DEDICATED = frozenset({"description"})
_DEDICATED = frozenset(BASE_FIELDS) | _OPTIONAL_DEDICATED
_EARLIEST = datetime.min.replace(tzinfo=UTC)


class JiraAdapter:
    """Reads tickets into the domain model and performs the agent's idempotent writes."""

    def __init__(self, client: Any, caller: Caller) -> None:
        self._http = JiraHttp(client, caller)
        self._client = client
        self._kind: ServerKind | None = None
        self._catalogue: FieldCatalogue | None = None
        self._me: dict[str, Any] | None = None
        self._problems: list[TicketProblem] = []

    # -- what the site is --------------------------------------------------------------
    def server_kind(self) -> ServerKind:
        """``cloud`` when serverInfo says ``deploymentType: Cloud``, else ``datacenter``."""
        if self._kind is None:
            deployment = getattr(self._client, "deploymentType", None)
            if deployment is None:
                info = self._http.get("server_info", "serverInfo") or {}
                deployment = info.get("deploymentType")
            self._kind = "cloud" if deployment == "Cloud" else "datacenter"
        return self._kind

    def catalogue(self) -> FieldCatalogue:
        if self._catalogue is None:
            raw = self._http.get("fields", "field")
            try:
                self._catalogue = FieldCatalogue.from_json(raw)
            except ValueError as exc:
                raise UnexpectedAnswer(
                    "jira", "fields", f"{exc}; is JIRA_URL the site's base URL?"
                ) from exc
        return self._catalogue

    def field_ids(self, names: Sequence[str]) -> dict[str, str]:
        """``{name: field id}``; UnknownFieldError lists every unknown name with close matches."""
        return {name: info.id for name, info in self.catalogue().resolve_all(names).items()}

    def _myself_json(self) -> dict[str, Any]:
        if self._me is None:
            self._me = self._http.get("myself", "myself") or {}
        return self._me

    def myself(self) -> Person:
        datacenter = self.server_kind() == "datacenter"
        return person_from_json(self._myself_json(), datacenter=datacenter)

    def user_zone(self) -> ZoneInfo:
        """The agent user's profile time zone: Jira reads JQL date literals in it."""
        name = self._myself_json().get("timeZone") or "UTC"
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("Jira user time zone %r is unknown; JQL dates are sent as UTC", name)
            return ZoneInfo("UTC")

    def statuses(self) -> list[tuple[str, str, str]]:
        """Every status as ``(id, name, category key)`` (``GET status``): the changelog names
        a past status, and whether the ticket was open then depends on its category."""
        raw = self._http.get("statuses", "status")
        if not isinstance(raw, list):
            raise UnexpectedAnswer("jira", "statuses", "the status list is not a JSON list")
        found = []
        for item in raw:
            category = item.get("statusCategory") if isinstance(item, dict) else None
            key = category.get("key") if isinstance(category, dict) else None
            if isinstance(item, dict) and isinstance(item.get("name"), str) and key:
                found.append((str(item.get("id", "")), str(item["name"]), str(key)))
        return found

    def people_with_email(self, email: str) -> list[Person]:
        """Active Jira users whose email is ``email`` (``user/search``), for ``check``.

        Cloud matches ``query`` against display names and emails, and leaves out an
        email its owner's profile settings hide (Jira Cloud REST "Find users",
        ``GET /rest/api/2/user/search``; developer.atlassian.com/cloud/jira/platform/
        api-changes-for-user-privacy-announcement-connect), so a single answer
        without an email is taken as that person. Data Center searches ``username``
        (name, display name and email).
        """
        datacenter = self.server_kind() == "datacenter"
        params = {"username": email} if datacenter else {"query": email}
        answer = self._http.get("user_search", "user/search", params)
        people: list[Person] = []
        for raw in answer if isinstance(answer, list) else []:
            try:
                people.append(person_from_json(raw, datacenter=datacenter))
            except ValueProblem:
                continue
        wanted = email.strip().lower()
        exact = [p for p in people if p.active and p.email and p.email.lower() == wanted]
        hidden = [p for p in people if p.active and p.email is None]
        return exact or (hidden if len(hidden) == 1 else [])

    # -- problems noticed while converting ------------------------------------------------
    def take_problems(self) -> list[TicketProblem]:
        """Conversion problems since the last call (for the cycle's report)."""
        problems, self._problems = self._problems, []
        return problems

    def _converter(
        self, named: dict[str, FieldInfo], *, agent_account: str | None = None
    ) -> TicketConverter:
        datacenter = self.server_kind() == "datacenter"
        return TicketConverter(named, self._http.base, datacenter, self._problems, agent_account)

    def _agent_account(self) -> str:
        """How Jira names the agent's own account (from ``myself``, read once)."""
        return self.myself().account_id

    # -- reading ----------------------------------------------------------------------------
    def search(
        self,
        jql: str,
        field_names: Sequence[str],
        *,
        updated_since: datetime | None = None,
    ) -> Iterator[Ticket]:
        """Tickets matching ``jql`` with the named fields; no comments or changelog.

        Field names are resolved before this returns, so an unknown name fails at
        once; the pages are then fetched lazily as the caller iterates.
        """
        resolved = self.catalogue().resolve_all(field_names)
        named = {name: info for name, info in resolved.items() if info.id not in _DEDICATED}
        extra = [info.id for info in resolved.values() if info.id in _OPTIONAL_DEDICATED]
        field_ids = list(dict.fromkeys([*BASE_FIELDS, *extra, *(i.id for i in named.values())]))
        if updated_since is not None:
            jql = with_updated_since(jql, updated_since, self.user_zone())
        return self._tickets(jql, field_ids, self._converter(named))

    def _tickets(
        self, jql: str, field_ids: list[str], converter: TicketConverter
    ) -> Iterator[Ticket]:
        try:
            yield from self._converted(jql, field_ids, converter)
        except BadRequest as exc:
            if exc.status != 400:
                raise
            rejected = BadRequest(
                "jira",
                exc.operation,
                f"{exc.message.rstrip('.')}. The JQL was: {jql} - fix the policy's select: section "
                "(its jql: fragment, or a project, type, priority or label Jira does not know)",
                exc.status,
                reason="jql_rejected",
            )
            rejected.attempts, rejected.note = exc.attempts, exc.note
            raise rejected from exc

    def _converted(
        self, jql: str, field_ids: list[str], converter: TicketConverter
    ) -> Iterator[Ticket]:
        for raw in jira_read.search_issues(self._http, self.server_kind(), jql, field_ids):
            try:
                yield converter.ticket(raw)
            except UnusableIssue as exc:
                key = str(raw.get("key") or raw.get("id") or "?")
                self._problems.append(TicketProblem(key, "issue", str(exc)))
                log.warning("skipping unusable Jira issue: %s", exc)

    def jql_finds_any(self, jql: str) -> bool:
        """Whether ``jql`` finds an issue (for ``check``); a rejected JQL raises BadRequest."""
        converter = self._converter({})
        found = next(iter(self._tickets(jql, ["created", "updated"], converter)), None)
        self.take_problems()  # odd issues are the cycle's business, not the probe's
        return found is not None

    def with_details(self, ticket: Ticket) -> Ticket:
        """``ticket`` plus its comments, full changelog and watchers (NotFound if it is gone).

        The agent's comments are told apart by their property and, should Jira leave
        the properties out of its answer, by their author being the agent's account.
        """
        converter = self._converter({}, agent_account=self._agent_account())
        comments = tuple(
            c
            for c in (
                converter.comment(ticket.key, raw)
                for raw in jira_read.comments(self._http, ticket.key)
            )
            if c is not None
        )
        histories = jira_read.changelog(self._http, self.server_kind(), ticket.key)
        changes = [
            c
            for c in (converter.change(ticket.key, raw) for raw in _oldest_first(histories))
            if c is not None
        ]
        watchers = tuple(
            p
            for p in (
                converter.person(ticket.key, "watcher", raw)
                for raw in jira_read.watchers(self._http, ticket.key)
            )
            if p is not None
        )
        return replace(
            ticket,
            comments=_sorted_comments(comments),
            changelog=tuple(changes),
            watchers=watchers,
        )

    def with_details_many(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        """Details for several tickets, one after another (Jira has no bulk comments read).

        A ticket deleted since the search is left out with a problem note, so one
        vanished issue does not cost the others their cycle.
        """
        detailed = []
        for ticket in tickets:
            try:
                detailed.append(self.with_details(ticket))
            except NotFound as exc:
                self._problems.append(TicketProblem(ticket.key, "issue", f"gone: {exc}"))
        return detailed

    # -- writing ----------------------------------------------------------------------------
    def add_comment(self, issue: str, body: str, *, rule: str, key: str) -> str:
        return jira_write.add_comment(self._http, issue, body, rule=rule, key=key)

    def find_agent_comment(self, issue: str, key: str) -> str | None:
        datacenter = self.server_kind() == "datacenter"
        return jira_write.find_agent_comment(
            self._http, issue, key, agent_account=self._agent_account(), datacenter=datacenter
        )

    def add_labels(self, issue: str, labels: Sequence[str]) -> None:
        jira_write.change_labels(self._http, issue, labels, "add")

    def remove_labels(self, issue: str, labels: Sequence[str]) -> None:
        jira_write.change_labels(self._http, issue, labels, "remove")

    def set_priority(self, issue: str, name: str) -> None:
        jira_write.set_priority(self._http, issue, name)

    def set_field(self, issue: str, name: str, value: Any) -> None:
        """Set the field called ``name`` (display name or id), shaped by its catalogue type."""
        info = self.catalogue().resolve(name)
        datacenter = self.server_kind() == "datacenter"
        jira_write.set_field(self._http, issue, info, value, datacenter=datacenter)

    def transition_issue(self, issue: str, status: str) -> bool:
        """Move ``issue`` to ``status`` (a transition or status name); False if it is there."""
        return jira_write.transition_issue(self._http, issue, status)

    def add_watcher(self, issue: str, account_id: str) -> None:
        jira_write.add_watcher(self._http, issue, account_id)

    def add_remote_link(self, issue: str, url: str, title: str, *, global_id: str) -> str:
        return jira_write.add_remote_link(self._http, issue, url, title, global_id=global_id)

    # -- follow-ups (agent.adapters.jira_followups) -----------------------------------------
    def create_issue(self, new: NewIssue, *, find_existing: Callable[[], str | None]) -> str:
        """Create an issue (any caller); ``find_existing`` is asked after an unclear failure."""
        datacenter = self.server_kind() == "datacenter"
        return jira_followups.create_issue(
            self._http, new, datacenter=datacenter, find_existing=find_existing
        )

    def find_issue_with_label(self, project: str, label: str) -> str | None:
        """The key of the oldest issue of ``project`` carrying ``label`` (a marker), if any."""
        return jira_write.find_issue_with_label(self._http, self.server_kind(), project, label)

    def browse_url(self, key: str) -> str:
        """The issue's page on the site (``<base>/browse/<key>``)."""
        return f"{self._http.base}browse/{key}"

    def shaped_fields(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Fields by display name -> ``{field id: JSON}`` as Jira takes them (create, edit)."""
        resolved = self.catalogue().resolve_all(list(values))
        datacenter = self.server_kind() == "datacenter"
        return {
            resolved[name].id: jira_write.field_value_json(
                resolved[name], value, datacenter=datacenter
            )
            for name, value in values.items()
        }

    def link_issues(self, inward: str, outward: str, link_type: str) -> None:
        jira_followups.link_issues(self._http, inward, outward, link_type)

    def set_issue_property(self, issue: str, key: str, value: Any) -> None:
        jira_followups.set_issue_property(self._http, issue, key, value)

    def linked_keys(self, issue: str) -> set[str]:
        return jira_followups.linked_keys(self._http, issue)

    def followup_issues(
        self, projects: Sequence[str], since: date, labels: Sequence[str] = ()
    ) -> list[jira_followups.FoundFollowup]:
        """The agent's issues (and with ``labels``, any carrying one of them) in ``projects``
        created since ``since``, each with its follow-up property and its linked issues."""
        jql = jira_followups.followups_jql(projects, since, labels)
        converter = self._converter({})
        cloud = self.server_kind() == "cloud"
        found = []
        for raw in jira_followups.search_with_property(self._http, jql, BASE_FIELDS, cloud=cloud):
            try:
                ticket = converter.ticket(raw)
            except UnusableIssue as exc:
                log.warning("skipping unusable follow-up issue: %s", exc)
                continue
            marker = jira_followups.followup_marker(raw)
            links = frozenset(jira_followups.links_of(raw))
            found.append(jira_followups.FoundFollowup(ticket, marker, links))
        return found


def _oldest_first(histories: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """History entries in the order they happened; ids break ties within one second.

    Cloud's ``/changelog`` pages oldest first, but ``expand=changelog`` has
    listed newest first on some versions, so the order is never assumed.
    """

    def order(raw: dict[str, Any]) -> tuple[datetime, int]:
        ident = str(raw.get("id", ""))
        try:
            moment = parse_jira_datetime(raw.get("created"))
        except ValueProblem:
            moment = _EARLIEST  # the converter reports the unusable entry
        return moment, int(ident) if ident.isdigit() else 0

    return sorted(histories, key=order)


def _sorted_comments(comments: tuple[Comment, ...]) -> tuple[Comment, ...]:
    return tuple(sorted(comments, key=lambda c: (c.created, c.id)))


def build_jira_adapter(settings: Settings, caller: Caller) -> JiraAdapter:
    """The adapter for the configured site (client built in ``agent/adapters/clients.py``)."""
    from agent.adapters.clients import jira_client  # noqa: PLC0415 - heavy import on demand

    return JiraAdapter(caller.call("connect", jira_client, settings), caller)


if TYPE_CHECKING:
    from agent.adapters.calls import ServiceCaller

    def _conforms(adapter: JiraAdapter, caller: ServiceCaller) -> tuple[JiraPort, Caller]:
        """mypy proves here that the adapter implements the port and the call point fits."""
        return adapter, caller
