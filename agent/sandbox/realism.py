"""How strictly the sandbox imitates the real services: one typed set of knobs.

Every knob defaults to the real service's behaviour, and the whole test suite
runs with the defaults. A benchmark may loosen one for speed (fewer 429 waits);
a test of behaviour never does. ``GET /_sandbox/realism`` answers the current
knobs; ``POST /_sandbox/realism`` changes the ones it names (a knob the sandbox
does not have, or a value of the wrong type, answers 400 and changes nothing).
``POST /_sandbox/reset`` brings every knob back to its default.

Where each default comes from is named next to it.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.json_body import json_body

CONTROL_PATH = "/_sandbox/realism"


class RealismError(ValueError):
    """A knob the sandbox does not have, or a value it cannot take."""


@dataclass
class Realism:
    """The knobs; read them through :class:`RealismKnobs` (shared by request threads)."""

    # Jira Cloud answers comments with their properties only where its reference
    # documents ``expand=properties``; False drops comment properties from every
    # comment answer, as a site that ignores the expansion would. The comment
    # property resource (/comment/{id}/properties) still serves them.
    # https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/
    jira_comment_properties: bool = True

    # Jira Cloud's burst limit: a token bucket per tenant, endpoint and HTTP method
    # (RateLimit-Reason: jira-burst-based). Atlassian does not publish the figures
    # for API-token traffic; these are the sandbox's, kept as knobs.
    # https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
    # https://developer.atlassian.com/cloud/jira/platform/build-an-app-that-respects-rate-limits/
    jira_burst_per_second: float = 100.0
    jira_burst_capacity: int = 200

    # Jira Cloud's per-issue write limit (RateLimit-Reason: jira-per-issue-on-write):
    # writes to one issue within a short and a long window, whoever writes.
    # Same pages as above; the figures are the sandbox's defaults, kept as knobs.
    jira_issue_writes_per_2s: int = 20
    jira_issue_writes_per_30s: int = 100

    # Slack's rate limits count calls per minute per method (tiers) and per second per
    # channel for posts; every window is divided by this factor (1 = Slack's real time),
    # so a test of many channels runs K times faster with every limit still enforced.
    # The tiers and their sources: agent/sandbox/slack/tiers.py.
    # https://docs.slack.dev/apis/web-api/rate-limits
    slack_time_scale: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _checked(name: str, kind: type, value: Any) -> Any:
    """``value`` as the knob's type, or RealismError naming the knob."""
    if kind is bool:
        if not isinstance(value, bool):
            raise RealismError(f"{name} must be true or false, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RealismError(f"{name} must be a number, not {value!r}")
    if kind is int:
        if not isinstance(value, int) and not float(value).is_integer():
            raise RealismError(f"{name} must be a whole number, not {value!r}")
        value = int(value)
    if value <= 0:
        raise RealismError(f"{name} must be greater than 0, not {value!r}")
    return kind(value)


_TYPES: dict[str, type] = {
    f.name: {"bool": bool, "int": int, "float": float}[str(f.type)]
    for f in dataclasses.fields(Realism)
}


@dataclass
class RealismKnobs:
    """The sandbox's current knobs, changed atomically from the control surface."""

    _current: Realism = field(default_factory=Realism)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def current(self) -> Realism:
        """A consistent snapshot (never changed in place after it is handed out)."""
        with self._lock:
            return self._current

    def update(self, changes: dict[str, Any]) -> Realism:
        """Apply the named knobs (all or none); RealismError for an unknown one or a bad value."""
        unknown = sorted(set(changes) - set(_TYPES))
        if unknown:
            known = ", ".join(sorted(_TYPES))
            raise RealismError(f"unknown knob(s): {', '.join(unknown)} (the knobs are: {known})")
        checked = {name: _checked(name, _TYPES[name], value) for name, value in changes.items()}
        with self._lock:
            self._current = dataclasses.replace(self._current, **checked)
            return self._current

    def reset(self) -> None:
        with self._lock:
            self._current = Realism()


def register_control(app: Flask, knobs: RealismKnobs) -> None:
    """``GET/POST /_sandbox/realism``."""

    def realism() -> ResponseReturnValue:
        if request.method == "POST":
            data = json_body()
            if not isinstance(data, dict):
                raise ApiError(400, 'Send a JSON object of knobs, e.g. {"jira_burst_capacity": 9}.')
            try:
                knobs.update(data)
            except RealismError as exc:
                raise ApiError(400, str(exc)) from exc
        return jsonify(knobs.current.as_dict())

    app.add_url_rule(CONTROL_PATH, "sandbox_realism", realism, methods=["GET", "POST"])
