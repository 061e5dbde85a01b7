"""A Slack method's arguments, from wherever the caller put them.

Slack accepts arguments in the query string, in a form body
(``application/x-www-form-urlencoded`` or multipart) or in a JSON body, and
clients mix them: slack-sdk sends JSON for ``chat.postMessage`` but form bodies
for most other methods, with booleans as ``"1"``/``"0"`` and lists joined by
commas. Structured arguments (``blocks``, ``metadata``) may arrive as JSON text
inside a form field. This module hides all of that from the handlers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flask import Request

from agent.sandbox.api_errors import SlackError

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


def invalid_arguments(*messages: str) -> SlackError:
    """Slack's answer to a missing or ill-typed argument."""
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


@dataclass
class Args:
    """The merged arguments of one call; JSON body values win over form, form over query."""

    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Request) -> Args:
        values: dict[str, Any] = dict(request.args.items())
        content_type = (request.mimetype or "").lower()
        if content_type == "application/json":
            raw = request.get_data(cache=True)
            if raw.strip():
                try:
                    body = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    raise SlackError("invalid_json") from exc
                if not isinstance(body, dict):
                    raise SlackError("json_not_object")
                values.update(body)
        else:
            values.update(request.form.items())
        values.pop("token", None)
        return cls(values)

    def has(self, name: str) -> bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        """A text argument; numbers sent in JSON are accepted as their text."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise invalid_arguments(f"[ERROR] expected a string for field: {name}")

    def required(self, name: str) -> str:
        value = self.string(name)
        if value is None or value == "":
            raise invalid_arguments(f"[ERROR] missing required field: {name}")
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise invalid_arguments(f"[ERROR] invalid boolean value for field: {name}")

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int = 1000) -> int:
        """An integer argument, clamped into Slack's accepted range (0 often means "default")."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise invalid_arguments(f"[ERROR] invalid integer value for field: {name}")
        try:
            number = int(value)
        except (TypeError, ValueError) as exc:
            raise invalid_arguments(f"[ERROR] invalid integer value for field: {name}") from exc
        return max(minimum, min(maximum, number))

    def string_list(self, name: str) -> list[str]:
        """A list argument: comma-joined text (form) or a JSON array."""
        value = self.values.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, list):
            items = [str(item) for item in value]
        elif isinstance(value, str):
            items = value.split(",")
        else:
            raise invalid_arguments(f"[ERROR] expected a list for field: {name}")
        return [item.strip() for item in items if item.strip()]

    def structured(self, name: str) -> Any:
        """A JSON argument: already parsed (JSON body) or JSON text (form field).

        Raises ValueError when the text is not JSON, so each caller can answer
        with its own Slack error name (``invalid_blocks_format``, ...).
        """
        value = self.values.get(name)
        if isinstance(value, str):
            if not value.strip():
                return None
            return json.loads(value)
        return value
