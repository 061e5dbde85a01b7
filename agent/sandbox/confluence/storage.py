"""Refuses storage-format bodies that Confluence would refuse (400 "Error parsing xhtml").

The well-formedness check itself is shared with the agent, which checks every
page it renders before upload: see :mod:`agent.render.storage_xml`.
"""

from __future__ import annotations

from agent.render.storage_xml import storage_problem, storage_text
from agent.sandbox.errors import ApiError


class StorageFormatError(ApiError):
    """A storage body that Confluence would refuse (always a 400)."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Error parsing xhtml: {detail}")


def check_storage(body: str) -> None:
    """Raise :class:`StorageFormatError` unless ``body`` is well-formed storage XHTML."""
    problem = storage_problem(body)
    if problem is not None:
        raise StorageFormatError(problem)


def plain_text(body: str) -> str:
    """The visible text of a storage body, for CQL ``text ~`` and search excerpts."""
    return storage_text(body)
