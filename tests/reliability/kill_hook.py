"""TEST-ONLY fault hook: SIGKILL the agent process at the N-th external call.

The one place every Jira, Confluence and Slack request passes through is
``ServiceCaller._attempt`` (one attempt of one call). :func:`install_if_requested`
wraps it, and only when one of these variables is set (never in production):

- ``AGENT_TEST_KILL_AT=N:before`` / ``N:after``: count attempts in this process and
  ``os.kill(os.getpid(), SIGKILL)`` just before the N-th one is sent, or just after
  its answer arrived (the effect exists, nothing has recorded it yet);
- ``AGENT_TEST_CALL_LOG=path``: append ``service operation`` per attempt, so a
  learning run tells the test how many call boundaries each cycle has.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from typing import Any

KILL_AT = "AGENT_TEST_KILL_AT"
CALL_LOG = "AGENT_TEST_CALL_LOG"
WHEN = ("before", "after")


def parse_kill_at(value: str) -> tuple[int, str]:
    number, _, when = value.partition(":")
    if not number.isdigit() or int(number) < 1 or when not in WHEN:
        raise ValueError(f"{KILL_AT}={value!r}: use N:before or N:after with N >= 1")
    return int(number), when


def install_if_requested(environ: Mapping[str, str]) -> bool:
    """Wrap the call point when a test asked for it; True when the hook is active."""
    kill_at = parse_kill_at(environ[KILL_AT]) if environ.get(KILL_AT) else None
    call_log = environ.get(CALL_LOG)
    if kill_at is None and not call_log:
        return False
    from agent.adapters.calls import ServiceCaller

    original: Callable[..., Any] = ServiceCaller._attempt
    seen = 0

    def attempt(self: ServiceCaller, operation: str, *rest: Any) -> Any:
        nonlocal seen
        seen += 1
        if call_log:
            with open(call_log, "a", encoding="utf-8") as out:
                out.write(f"{self.service} {operation}\n")
        if kill_at == (seen, "before"):
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(self, operation, *rest)
        if kill_at == (seen, "after"):
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(ServiceCaller, "_attempt", attempt)  # noqa: B010 - the test-only hook
    return True
