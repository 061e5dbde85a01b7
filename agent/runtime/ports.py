"""The narrow interfaces the runtime needs besides the adapters' own ports.

The executor depends on these, not on concrete classes, so its tests pass fakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from agent.core.model import Person


class TemplateRenderer(Protocol):
    """``agent.render.environment.Renderer``: renders ``<destination>/<name>.j2``."""

    def render(self, name: str, context: Mapping[str, Any]) -> str: ...


@runtime_checkable
class FieldSetter(Protocol):
    """A Jira adapter that can set a custom field by name (the real Jira adapter can)."""

    def set_field(self, issue: str, name: str, value: Any) -> None: ...


@runtime_checkable
class PeopleByEmail(Protocol):
    """A Jira adapter that finds active users by email (the real Jira adapter can)."""

    def people_with_email(self, email: str) -> list[Person]: ...
