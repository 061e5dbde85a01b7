"""Remote links: no rule plans one yet, so the crash drill cannot cover them end to end.

The handler is run as the executor would after a crash (again, with
``reconcile``) against the sandbox through the real Jira adapter: the link is
upserted by its ``globalId``, so repeating it leaves exactly one link.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from agent.core.actions import ActionKind, PlannedAction
from agent.runtime.act.handlers_jira import remote_link
from agent.sandbox.jira import seeding
from tests.adapters.test_jira_adapter_sandbox import adapter_for
from tests.support.sandbox import SandboxHandle

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_repeated_remote_link_is_one_link(sandbox: SandboxHandle) -> None:
    sandbox.set_clock(NOW)
    sandbox.add_user("Rita Reporter", "rita@sandbox.example")
    seeding.create_project(sandbox.ctx, "CR", "Crash drill", "rita@sandbox.example")
    seeding.create_issue(
        sandbox.ctx,
        {"project": {"key": "CR"}, "summary": "Down", "issuetype": {"name": "Task"}},
        "rita@sandbox.example",
    )
    action = PlannedAction(
        key="postmortem:CR-1:link",
        policy="crash-drill",
        rule="postmortem",
        issue="CR-1",
        kind=ActionKind.JIRA_REMOTE_LINK,
        reason="link the post-mortem",
        due=NOW,
        template=None,
        context={"link_url": "https://wiki.example/pm/1", "link_title": "Post-mortem CR-1"},
    )
    env: Any = SimpleNamespace(jira=adapter_for(sandbox))

    first = remote_link(action, env, False)
    again = remote_link(action, env, True)

    links = seeding.get_issue(sandbox.ctx, "CR-1")["remotelinks"]
    assert [link["globalId"] for link in links] == ["escalation-agent:postmortem:CR-1:link"]
    assert first["link"] == again["link"]
