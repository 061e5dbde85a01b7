"""What the agent needs from Jira, as a Protocol, plus the adapter's own small types.

The engine and the runner depend on :class:`JiraPort` only, so tests can hand
them a fake, and nothing outside ``agent/adapters`` ever sees a ``jira`` SDK object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from agent.core.model import Person, Ticket

T = TypeVar("T")

ServerKind = Literal["cloud", "datacenter"]

AGENT_PROPERTY = "escalation-agent"
"""Comment property key marking the agent's own comments: ``{"rule": ..., "key": ...}``."""


class Caller(Protocol):
    """The service's call point (``agent.adapters.calls.ServiceCaller``): retries, typed errors."""

    def call(self, operation: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...


@dataclass(frozen=True)
class FieldInfo:
    """One entry of Jira's field catalogue (``GET /rest/api/2/field``)."""

    id: str
    name: str
    custom: bool
    schema_type: str | None = None  # "string", "option", "user", "array", "datetime", ...
    items: str | None = None  # element type of arrays ("user", "string", "option")
    custom_type: str | None = None  # full type key of custom fields

    @property
    def type_suffix(self) -> str | None:
        """``textarea``, ``userpicker``, ... for custom fields (after the plugin prefix)."""
        if self.custom_type is None:
            return None
        return self.custom_type.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class TicketProblem:
    """Something in an issue that did not convert cleanly; the value became None."""

    issue_key: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.issue_key}: {self.field}: {self.message}"


class UnknownFieldError(LookupError):
    """A policy names a field Jira does not have; lists close matches for ``check``."""

    def __init__(self, missing: Mapping[str, Sequence[str]]) -> None:
        self.missing = {name: tuple(matches) for name, matches in missing.items()}
        parts = []
        for name, matches in self.missing.items():
            hint = f" (did you mean: {', '.join(repr(m) for m in matches)}?)" if matches else ""
            parts.append(f"{name!r}{hint}")
        super().__init__("Jira has no field named " + "; ".join(parts))


class JiraPort(Protocol):
    """Reading tickets into the domain model and the agent's idempotent writes."""

    def server_kind(self) -> ServerKind: ...

    def field_ids(self, names: Sequence[str]) -> dict[str, str]: ...

    def search(
        self,
        jql: str,
        field_names: Sequence[str],
        *,
        updated_since: datetime | None = None,
    ) -> Iterator[Ticket]: ...

    def with_details(self, ticket: Ticket) -> Ticket: ...

    def with_details_many(self, tickets: Iterable[Ticket]) -> list[Ticket]: ...

    def take_problems(self) -> list[TicketProblem]: ...

    def add_comment(self, issue: str, body: str, *, rule: str, key: str) -> str: ...

    def find_agent_comment(self, issue: str, key: str) -> str | None: ...

    def add_labels(self, issue: str, labels: Sequence[str]) -> None: ...

    def remove_labels(self, issue: str, labels: Sequence[str]) -> None: ...

    def set_priority(self, issue: str, name: str) -> None: ...

    def add_watcher(self, issue: str, account_id: str) -> None: ...

    def add_remote_link(self, issue: str, url: str, title: str, *, global_id: str) -> str: ...

    def myself(self) -> Person: ...
