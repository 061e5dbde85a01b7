"""Sites as an earlier version of the agent left them, stored so later versions are held to them.

The markers the agent writes (Jira comment properties and remote-link global ids, Slack
message metadata, Confluence content properties) live on real sites for years: a new
version must recognise every one an old version wrote, or it posts the same thing
twice. ``capture`` plays the crash drill (:mod:`tests.reliability.drill`) in each
flavour (the drill's own policy, and one that tells the ticket by direct message) and
stores the whole sandbox after each cycle, plus a readable list of the markers in it;
``stored_sandbox`` starts a sandbox on a stored site. Capture only on purpose, and only
a new flavour: the stored files are an earlier version's writing, not the current
one's. Run ``python -m tests.reliability.stored_site tests/data/markers <flavour>``
from the repository root.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.sandbox.server import SandboxServer
from agent.sandbox.slack import workspace as slack
from agent.sandbox.store import DocStore
from tests.reliability.drill import (
    CYCLES,
    RULES,
    Drill,
    cycle_time,
    fresh_sandbox,
    seed,
    zygote,
)
from tests.support.sandbox import SLACK_TIME_SCALE, TOKEN

MARKERS = Path(__file__).resolve().parents[1] / "data" / "markers"
AGENT_PROPERTY = "escalation-agent"


def seed_dm(server: SandboxServer) -> None:
    """The drill's site, with a person who has no Slack account and a user group, @cr-leads."""
    seed(server)
    ctx = server.ctx
    ctx.users.create("Nora NoSlack", "nora@sandbox.example", slack=False)
    pm = ctx.users.by_email("pm@sandbox.example")
    slack.create_usergroup(ctx, "cr-leads", "CR leads", [str(pm["slackId"])])


@dataclass(frozen=True)
class Flavour:
    """One way through the drill: its policy and the site it starts from."""

    name: str
    rules: Path
    seed: Callable[[SandboxServer], None]

    def site_file(self, index: int) -> Path:
        return MARKERS / f"{self.name}-after-cycle-{index}.json"

    @property
    def markers_file(self) -> Path:
        return MARKERS / f"{self.name}-markers.json"

    def stored(self) -> list[int]:
        """The cycles after which a site of this flavour is stored."""
        return [i for i in range(len(CYCLES)) if self.site_file(i).exists()]


FLAVOURS = (
    Flavour("crash-drill", RULES, seed),
    Flavour("crash-drill-dm", RULES.with_name("crash-drill-dm.yaml"), seed_dm),
)


def dump_site(server: SandboxServer) -> dict[str, Any]:
    """Every document the sandbox holds, and its id counters (so new ids do not collide)."""
    store = server.ctx.store
    with store.lock:
        return json.loads(
            json.dumps(
                {
                    "docs": store._docs,  # the whole store, as it is
                    "counters": store._counters,
                }
            )
        )


def load_site(data_dir: Path, site: dict[str, Any]) -> None:
    """Write a stored site into ``data_dir``, where a sandbox started on it finds it."""
    store = DocStore(data_dir / "sandbox.sqlite3")
    try:
        for kind, docs in site["docs"].items():
            store.put_many(kind, docs.items())
        for name, value in site["counters"].items():
            store.next_id(name, start=int(value))  # a missing counter starts at ``start``
    finally:
        store.close()


@contextmanager
def stored_sandbox(data_dir: Path, site: dict[str, Any]) -> Iterator[SandboxServer]:
    """A sandbox serving a stored site (as :func:`tests.reliability.drill.fresh_sandbox`)."""
    load_site(data_dir, site)
    server = SandboxServer(port=0, token=TOKEN, data_dir=data_dir).start()
    server.ctx.realism.update({"slack_time_scale": SLACK_TIME_SCALE})
    try:
        yield server
    finally:
        server.stop()


def markers_in(site: dict[str, Any]) -> list[dict[str, Any]]:
    """The agent's markers in a stored site: where each is and the value the agent wrote."""
    docs = site["docs"]
    found: list[dict[str, Any]] = []
    for issue in docs.get("jira.issue", {}).values():
        for comment in issue.get("comments") or []:
            marker = (comment.get("properties") or {}).get(AGENT_PROPERTY)
            if marker is not None:
                where = f"{issue['key']} comment property"
                found.append({"service": "jira", "where": where, "value": marker})
        for link in issue.get("remotelinks") or []:
            global_id = str(link.get("globalId") or "")
            if global_id.startswith(f"{AGENT_PROPERTY}:"):
                found.append(
                    {
                        "service": "jira",
                        "where": f"{issue['key']} remote link globalId",
                        "value": global_id,
                    }
                )
    names = {c["id"]: c["name"] for c in docs.get("slack.channel", {}).values()}
    for kind, messages in docs.items():
        if not kind.startswith("slack.message."):
            continue
        channel = kind.removeprefix("slack.message.")
        for message in messages.values():
            if message.get("metadata"):
                found.append(
                    {
                        "service": "slack",
                        "where": f"message metadata in #{names.get(channel, channel)}",
                        "value": message["metadata"],
                    }
                )
    for page in docs.get("confluence.page", {}).values():
        for prop in page.get("properties") or []:
            if prop.get("key") == AGENT_PROPERTY:
                found.append(
                    {
                        "service": "confluence",
                        "where": f"content property of {page['title']!r}",
                        "value": prop["value"],
                    }
                )
    return found


def marker_key(marker: dict[str, Any]) -> str:
    """The action key a stored marker carries."""
    value = marker["value"]
    if marker["service"] == "slack":
        return str(value["event_payload"]["key"])
    if isinstance(value, str):  # a remote link's global id
        return value.removeprefix(f"{AGENT_PROPERTY}:")
    return str(value["key"])


def capture(target: Path, flavour: Flavour) -> None:
    target = target.resolve()
    target.mkdir(parents=True, exist_ok=True)
    every: list[dict[str, Any]] = []
    previous: str | None = None
    with tempfile.TemporaryDirectory() as state, zygote() as launcher, fresh_sandbox() as server:
        flavour.seed(server)
        drill = Drill(server, Path(state), launcher, rules=flavour.rules)
        for index in range(len(CYCLES)):
            drill.before_cycle(index)
            outcome = drill.run_cycle(index)
            if outcome.code != 0:
                raise SystemExit(f"cycle {index} failed:\n{outcome.text}")
            site = {"at": cycle_time(index).isoformat(), **dump_site(server)}
            written = json.dumps({k: v for k, v in site["docs"].items() if k != "_meta"})
            if written == previous:
                continue  # the cycle wrote nothing: no new site to keep
            previous = written
            text = json.dumps(site, indent=1)  # insertion order: the store's
            (target / flavour.site_file(index).name).write_text(text + "\n")
            for marker in markers_in(site):
                if marker not in every:
                    every.append(marker)
    (target / flavour.markers_file.name).write_text(json.dumps(every, indent=1) + "\n")


if __name__ == "__main__":
    wanted = set(sys.argv[2:])
    for chosen in FLAVOURS:
        if chosen.name in wanted:
            capture(Path(sys.argv[1]), chosen)
