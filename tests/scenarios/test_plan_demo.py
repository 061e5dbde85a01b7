"""``plan`` on the demo seed: every one of the five packs has work to show, nothing is written.

The demo seed dates its tickets relative to the sandbox clock when it is seeded,
so the clock is frozen at that moment and ``plan --now`` is given the same time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.resources import bundled_rules_dir
from agent.sandbox.server import SandboxServer
from tests.foundation.test_check_command import run_cli, sandbox_env
from tests.support.sandbox import TOKEN, SandboxHandle

PACKS = (
    "incident-critical",
    "ps-customer-escalation",
    "support-p1-p4",
    "ds-ticket-escalation",
    "client-communication",
)


@pytest.fixture
def demo_site() -> Iterator[SandboxHandle]:
    """A sandbox started with ``--seed demo`` (Jira Cloud mode)."""
    server = SandboxServer(port=0, token=TOKEN, seed="demo")
    handle = SandboxHandle(server)
    server.start()
    yield handle
    server.stop()


def table_rows(out: str) -> list[list[str]]:
    """The cells of the plan table's rows: header drawn with ``┃``, body with ``│``."""
    rows = []
    for line in out.splitlines():
        for bar in ("┃", "│"):
            if line.startswith(bar):
                rows.append([cell.strip() for cell in line.strip(bar).split(bar)])
    return rows


@pytest.mark.slow
def test_plan_on_the_demo_seed_shows_every_pack_and_writes_nothing(
    demo_site: SandboxHandle, tmp_path: Path
) -> None:
    seeded_at = demo_site.ctx.clock.now()
    demo_site.set_clock(seeded_at, frozen=True)
    demo_site.clear_requests()
    env = sandbox_env(demo_site)
    env["AGENT_RULES"] = str(bundled_rules_dir())
    env["AGENT_STATE_URL"] = f"sqlite:///{tmp_path / 'state.db'}"

    planned = run_cli(["plan", "--no-color", "--now", seeded_at.isoformat()], env, tmp_path)

    assert planned.returncode == 0, planned.stdout + planned.stderr
    out = planned.stdout
    assert "nothing was written" in out
    rows = table_rows(out)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["ticket", "policy"], header
    per_pack = {pack: [r for r in body if r[1] == pack] for pack in PACKS}
    for pack, actions in per_pack.items():
        assert actions, f"no action planned for {pack}"
    # each pack's actions are on its own project's tickets
    prefixes = {
        "incident-critical": "INC-",
        "ps-customer-escalation": "PS-",
        "support-p1-p4": "SUP-",
        "ds-ticket-escalation": "DS-",
        "client-communication": "CLI-",
    }
    for pack, actions in per_pack.items():
        tickets = {r[0] for r in actions if r[0]}
        assert tickets and all(t.startswith(prefixes[pack]) for t in tickets), (pack, tickets)
    assert "ticket(s) read" in out and "action(s) planned" in out

    log = demo_site.requests_log()
    assert log, "plan read the sandbox"
    assert [e for e in log if e.get("write")] == []
    assert not (tmp_path / "state.db").exists()
