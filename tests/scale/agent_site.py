"""An in-process agent (real adapters and store) against a seeded sandbox, for scale tests."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.config import load_settings
from agent.core.actions import Plan
from agent.core.planner import plan
from agent.policy import load_policies
from agent.resources import bundled_rules_dir
from agent.runtime.cycle import load_state, read_and_plan
from agent.runtime.deps import Deps, build_deps
from agent.runtime.read.reader import TicketReader
from agent.runtime.report import CycleReport
from agent.secrets import Redactor
from agent.store import MemoryStateStore
from tests.foundation.test_check_command import sandbox_env
from tests.support.sandbox import SandboxHandle


def agent_deps(sandbox: SandboxHandle, state_dir: Path, **env: str) -> Deps:
    values = sandbox_env(sandbox)
    values["AGENT_RULES"] = str(bundled_rules_dir())
    values["AGENT_STATE_URL"] = f"sqlite:///{state_dir / 'state.db'}"
    values.update(env)
    settings = load_settings(values)
    return build_deps(settings, load_policies(settings.rules_path), Redactor(settings.secrets()))


def full_plan(deps: Deps, now: datetime) -> Plan:
    """What a full read (every ticket, every detail, every channel) plans from the same state."""
    state = load_state(deps.store)
    reader = TicketReader(deps.jira, deps.slack, MemoryStateStore(), save_snapshots=False)
    read = reader.read(deps.policies, state, CycleReport(), now)
    return plan(read.tickets, state, now, deps.policies, read.messages)


def incremental_plan(deps: Deps, now: datetime) -> tuple[Plan, CycleReport]:
    report = CycleReport()
    return read_and_plan(deps, now, report), report


def counted(sandbox: SandboxHandle) -> Counter[str]:
    """Requests per service since the log was last cleared."""
    return Counter(str(e["service"]) for e in sandbox.requests_log())


def details_paths(sandbox: SandboxHandle) -> list[str]:
    return [
        str(e["path"])
        for e in sandbox.requests_log()
        if str(e["path"]).endswith(("/comment", "/changelog", "/watchers"))
    ]


def summary(planned: Plan) -> list[tuple[str, str, Any]]:
    return sorted((a.key, a.kind.value, a.issue) for a in planned.actions)
