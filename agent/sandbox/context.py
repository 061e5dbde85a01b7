"""What every part of the sandbox shares: the document store, its clock, the people, and
the knobs a test turns (faults, realism, Jira's rate limits), with the request log.

It lives on its own, below everything else in the sandbox, so that the services, the
seeders and the viewer can name it without importing the Flask app that serves them
(``app.py`` imports them all to register their routes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from agent.sandbox.faults import FaultInjector
from agent.sandbox.jira_ratelimits import JiraRateLimits
from agent.sandbox.realism import RealismKnobs
from agent.sandbox.requestlog import RequestLog
from agent.sandbox.settable_clock import SandboxClock
from agent.sandbox.store import DocStore
from agent.sandbox.user_directory import UserDirectory


@dataclass
class SandboxContext:
    """Everything a service's handlers share; one per running sandbox."""

    store: DocStore
    token: str
    # "cloud": Jira at the root, Confluence under /wiki, people by accountId;
    # "datacenter": Jira and Confluence each at their own root, people by name and key.
    deployment: str = "cloud"
    clock: SandboxClock = field(init=False)
    users: UserDirectory = field(init=False)
    faults: FaultInjector = field(default_factory=FaultInjector)
    requests: RequestLog = field(default_factory=RequestLog)
    realism: RealismKnobs = field(default_factory=RealismKnobs)
    jira_limits: JiraRateLimits = field(default_factory=JiraRateLimits)

    def __post_init__(self) -> None:
        self.clock = SandboxClock(self.store)
        self.users = UserDirectory(self.store)

    @classmethod
    def open(cls, data_dir: Path | None, token: str, deployment: str = "cloud") -> SandboxContext:
        store = DocStore(data_dir / "sandbox.sqlite3" if data_dir else None)
        return cls(store=store, token=token, deployment=deployment)
