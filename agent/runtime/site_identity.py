"""Whether the agent talks to its own sandbox: the one place the example packs may write.

The bundled packs name the demo organisation's people, groups, channels and
spaces, so ``run`` refuses to write with them anywhere else (see
``agent.policy.examples``). The sandbox is recognised by asking each of the
three services' hosts for ``GET /_sandbox/identity`` and getting back exactly
``{"sandbox": "escalation-agent"}``: Jira, Confluence and Slack serve nothing
under ``/_sandbox/`` (an unknown path is a 404 or a login page), so a real
site cannot give that answer by accident, whatever its admins name it. Server
titles, versions or host names (a Data Center on localhost) could.

The question is only asked when example packs are loaded: with a team's own
rules the agent behaves the same on any site, and pointing it at a real one
stays a change of URL and token.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from agent.config import Settings

log = logging.getLogger(__name__)

IDENTITY_PATH = "/_sandbox/identity"  # agent.sandbox.control serves it
IDENTITY = {"sandbox": "escalation-agent"}
TIMEOUT_SECONDS = 5.0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_sandbox(url: str, timeout: float = TIMEOUT_SECONDS) -> bool:
    """Whether the host of ``url`` is an escalation-agent sandbox (any failure: no)."""
    probe = _origin(url) + IDENTITY_PATH
    if not probe.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(probe, timeout=timeout) as answer:  # noqa: S310 - http(s) only
            if answer.status != 200:
                return False
            found = json.loads(answer.read(4096).decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.debug("%s is not the sandbox: %s", probe, exc)
        return False
    return bool(found == IDENTITY)


def all_sandbox(settings: Settings) -> bool:
    """Whether Jira, Confluence and Slack are all the sandbox (asked in that order, lazily)."""
    urls = (settings.jira_url, settings.confluence_url, settings.slack_api_url)
    return all(is_sandbox(url) for url in urls)
