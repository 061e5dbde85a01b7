"""Everything a cycle needs, built once from the settings: adapters, store, renderer, policies.

``read_only`` builds the same readers but a store that refuses writes (and is
never migrated or created), for ``plan`` and ``AGENT_DRY_RUN``.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field

from agent.adapters.calls import CallPoints
from agent.adapters.confluence_adapter import build_confluence_adapter
from agent.adapters.confluence_port import ConfluencePort
from agent.adapters.jira_adapter import build_jira_adapter
from agent.adapters.jira_port import JiraPort
from agent.adapters.slack_adapter import build_slack_adapter
from agent.adapters.slack_port import SlackPort
from agent.config import Settings
from agent.policy import Policy
from agent.render.environment import Renderer
from agent.runtime.ports import TemplateRenderer
from agent.runtime.read.channel_directory import StoreChannelDirectory
from agent.runtime.read.reader import DETAIL_WORKERS
from agent.secrets import Redactor
from agent.store import StateStore, open_store
from agent.store.readonly import open_read_only_store

log = logging.getLogger(__name__)

# Seconds of retry waiting one cycle may spend across all services.
RETRY_BUDGET_SECONDS = 60.0


def default_owner() -> str:
    """Who claims effects: this host and process, so replicas never mistake each other."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Deps:
    settings: Settings
    policies: list[Policy]
    store: StateStore
    jira: JiraPort
    slack: SlackPort
    confluence: ConfluencePort | None
    renderer: TemplateRenderer
    owner: str = field(default_factory=default_owner)
    calls: CallPoints | None = None
    read_only: bool = False

    def new_cycle(self) -> None:
        """A fresh retry budget and closed circuits for the next cycle."""
        if self.calls is not None:
            self.calls.new_cycle()

    def close(self) -> None:
        self.store.close()


def build_deps(
    settings: Settings,
    policies: list[Policy],
    redactor: Redactor,
    *,
    read_only: bool = False,
    budget_seconds: float = RETRY_BUDGET_SECONDS,
    renderer: Renderer | None = None,
) -> Deps:
    """Connect to the store and the three services (Jira answers ``serverInfo`` here).

    Raises the store's ``StoreError`` or a typed ``ServiceError`` when one cannot be reached.
    """
    # Requests in flight per service: as many as the widest pool that calls it.
    in_flight = max(settings.write_concurrency, DETAIL_WORKERS)
    calls = CallPoints.create(redactor, budget_seconds, max_concurrent=in_flight)
    store = (
        open_read_only_store(settings.state_url) if read_only else open_store(settings.state_url)
    )
    try:
        jira = build_jira_adapter(settings, calls.jira)
        slack = build_slack_adapter(settings, calls.slack, StoreChannelDirectory(store))
        confluence = build_confluence_adapter(settings, calls.confluence)
    except BaseException:
        store.close()
        raise
    return Deps(
        settings=settings,
        policies=policies,
        store=store,
        jira=jira,
        slack=slack,
        confluence=confluence,
        renderer=renderer or Renderer(settings.templates_path),
        calls=calls,
        read_only=read_only,
    )
