"""What the agent needs from Confluence, as a Protocol, plus the adapter's own small types.

The executor depends on :class:`ConfluencePort` only, so tests can hand it a
fake, and nothing outside ``agent/adapters`` ever sees an ``atlassian`` object.

Every page the agent creates carries the labels ``escalation-agent``, its kind
and the project key (lowercase), and the content property ``escalation-agent``
= ``{"issue": "DS-123", "kind": "incident_summary", "key": "<idempotency key>",
"version": <the page version the agent last wrote>}``, so the agent can find its
pages again after losing its state file, and refreshes a page only while nobody
else has saved it since.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

AGENT_PROPERTY = "escalation-agent"
"""Content property key of the agent's marker on the pages it creates."""
AGENT_LABEL = "escalation-agent"
"""Label on every page the agent creates (the marker search starts from it)."""

# Characters Confluence refuses in a label (it also lower-cases every label).
_BAD_LABEL_CHARS = re.compile(r"[:;,.?&\[\]()#^*@!<>]")
_PROJECT_OF_ISSUE = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)-\d+$")
MAX_LABEL_LENGTH = 255


class Caller(Protocol):
    """The service's call point (``agent.adapters.calls.ServiceCaller``): retries, typed errors."""

    def call(self, operation: str, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T: ...


@dataclass(frozen=True)
class SpaceRef:
    """A space the agent writes into (``homepage_id`` is None when the space has none)."""

    key: str
    id: str
    name: str
    homepage_id: str | None = None


@dataclass(frozen=True)
class PageRef:
    """A page the agent uses; ``created`` is False when an existing page was found.

    ``displaced_by`` is set when the title the agent asked for was held by a page
    that is not its own (a person's): the page was then written under ``title``,
    a distinct title, and ``displaced_by`` names the page holding the one asked for.
    """

    id: str
    title: str
    created: bool = False
    displaced_by: str | None = None
    created_at: datetime | None = field(default=None, compare=False)  # when it was first made


@dataclass(frozen=True)
class Page:
    """A page as read: ``body`` is its storage-format XHTML, ``version`` its current number."""

    id: str
    title: str
    version: int
    body: str
    parent_id: str | None = None
    space_key: str | None = None
    created: datetime | None = None  # when the page was first made (its history)


@dataclass(frozen=True)
class AppendResult:
    """``added`` is False when the log already had the issue's row, or when ``full``: the
    row would take the log past the rows or bytes it may hold; ``version`` is current."""

    added: bool
    version: int
    attempts: int = 1
    full: bool = False


@dataclass(frozen=True)
class PageMarker:
    """The agent's mark on a page it created: which issue, which kind of page, which action."""

    kind: str
    key: str
    issue: str | None = None
    # The page version the agent itself last wrote: a refresh only overwrites that
    # version, never a person's later edit. None on markers written before it was kept.
    version: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"issue": self.issue, "kind": self.kind, "key": self.key}
        if self.version is not None:
            out["version"] = self.version
        return out

    @classmethod
    def from_json(cls, value: Any) -> PageMarker | None:
        """The marker in a property value, or None when the value is not one of ours."""
        if not isinstance(value, Mapping):
            return None
        kind, key, issue = value.get("kind"), value.get("key"), value.get("issue")
        if not isinstance(kind, str) or not isinstance(key, str):
            return None
        version = value.get("version")
        return cls(
            kind=kind,
            key=key,
            issue=issue if isinstance(issue, str) else None,
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        )

    @property
    def project(self) -> str | None:
        """``DS`` for issue ``DS-123``; None when the marker names no issue."""
        match = _PROJECT_OF_ISSUE.match(self.issue or "")
        return match.group(1) if match else None

    def labels(self) -> list[str]:
        """The labels every page carrying this marker gets: agent, kind and project."""
        wanted = [AGENT_LABEL, self.kind, *([self.project] if self.project else [])]
        return normalise_labels(wanted)


def normalise_labels(labels: Iterable[str]) -> list[str]:
    """Labels as Confluence stores them: lowercase, spaces as ``-``, no duplicates.

    Raises ValueError for a label Confluence would refuse (empty, punctuation).
    """
    out: list[str] = []
    for raw in labels:
        label = "-".join(str(raw).lower().split())
        if not label or len(label) > MAX_LABEL_LENGTH or _BAD_LABEL_CHARS.search(label):
            raise ValueError(
                f"Confluence cannot use {raw!r} as a label: use letters, digits, '-' and '_'"
            )
        if label not in out:
            out.append(label)
    return out


class ConfluencePort(Protocol):
    """Pages in and out of Confluence, idempotently; never loses a person's edit."""

    def space(self, key: str) -> SpaceRef:
        """The space, or NotFound naming it and ``CONFLUENCE_SPACE``."""
        ...

    def find_page(self, space: str, title: str) -> PageRef | None: ...

    def get_page(self, page_id: str) -> Page: ...

    def page_url(self, page_id: str) -> str:
        """The page's address for people, by id (it survives a rename or a move)."""
        ...

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
        """Create the page (and a missing parent) unless a page with the title exists."""
        ...

    def update_page(self, page_id: str, body: str, *, expected_version: int | None = None) -> int:
        """Write a new body; Conflict when the page moved past ``expected_version``."""
        ...

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
        """Add the issue's row to the page's log table once, keeping every other edit;
        nothing when the row would take the table past ``max_rows`` rows or the update
        request past ``max_bytes`` (``full``)."""
        ...

    def find_page_by_marker(
        self, space: str, key: str, *, labels: Sequence[str] = ()
    ) -> PageRef | None: ...

    def get_marker(self, page_id: str) -> PageMarker | None: ...

    def page_status(self, page_id: str) -> str | None:
        """The title of the page's first status macro (e.g. ``DONE``), upper-case;
        None when the page has no status macro. NotFound when the page is gone."""
        ...

    def set_marker(self, page_id: str, marker: PageMarker) -> None: ...

    def add_labels(self, page_id: str, labels: Sequence[str]) -> None: ...
