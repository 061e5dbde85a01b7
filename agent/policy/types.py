"""Value types shared by the policy models: durations, local times, role sources, targets.

Each validates its YAML scalar and, when wrong, says what the allowed forms are.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict

from agent.timekeeping.durations import parse_duration, parse_local_time


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    return parse_duration(value)


def _local_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    return parse_local_time(value)


def _regex(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a regular expression string")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from exc
    return value


Duration = Annotated[timedelta, BeforeValidator(_duration)]
LocalTime = Annotated[time, BeforeValidator(_local_time)]
Regex = Annotated[str, BeforeValidator(_regex)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ROLE_REF = re.compile(r"^(assignee|reporter|field:.+|email:[^@\s]+@[^@\s]+|group:@?[\w.-]+)$")
NOTIFY_TARGET = re.compile(
    r"^(jira|dm|escalation_channel|project_channel|incident_thread|#[a-z0-9_-]{1,80}"
    r"|group:@?[\w.-]+)$"
)
BUILTIN_ROLES = frozenset({"assignee", "reporter"})


def _role_ref(value: Any) -> str:
    if not isinstance(value, str) or not ROLE_REF.match(value):
        raise ValueError(
            f"{value!r} is not a role source; use assignee, reporter, field:<Jira field name>, "
            "email:<address> or group:@<slack user group>"
        )
    return value


def _notify_target(value: Any) -> str:
    if not isinstance(value, str) or not NOTIFY_TARGET.match(value):
        raise ValueError(
            f"{value!r} is not a notify target; use jira, dm, escalation_channel, "
            "project_channel, incident_thread, a #channel-name or group:@<slack user group>"
        )
    return value


RoleRef = Annotated[str, BeforeValidator(_role_ref)]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


RoleList = Annotated[list[RoleRef], BeforeValidator(_as_list)]
NotifyTarget = Annotated[str, BeforeValidator(_notify_target)]


# Every policy model forbids unknown keys and is immutable once loaded.
STRICT = ConfigDict(extra="forbid", frozen=True)
