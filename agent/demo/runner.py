"""Runs the simulated day: people act, the clock moves, the agent runs a real cycle.

Each cycle is ``agent.runtime.cycle.run_cycle`` with the deps ``run`` builds,
at the simulated ``now``; the sandbox clock is frozen at the same moment so
everything the agent writes is stamped with the simulated time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import datetime

from agent.demo.acts import People
from agent.demo.journal import POLICY_ISSUE, effects_done_at, happenings
from agent.demo.output import DemoOutput, when
from agent.demo.script import Act
from agent.demo.summary import Tally
from agent.demo.world import DemoSite
from agent.runtime.cycle import run_cycle
from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira.documents import ISSUE


class DemoError(Exception):
    """The script could not play (a person's act was refused); a bug in the demo."""


def issue_keys(site: DemoSite) -> list[str]:
    """Every ticket in the sandbox and one pseudo-issue per pack (pack-wide effects)."""
    keys = [str(doc["key"]) for doc in site.ctx.store.all(ISSUE)]
    return keys + [f"{POLICY_ISSUE}{policy.name}" for policy in site.deps.policies]


def run_day(
    site: DemoSite, acts: Iterable[Act], ticks: Iterable[datetime], out: DemoOutput
) -> Tally:
    """Play the acts and run a cycle at every tick; returns what was counted."""
    tally = Tally()
    people = People(site.ctx)
    pending = deque(sorted(acts, key=lambda act: act.at))
    for now in ticks:
        out.clock(now)
        while pending and pending[0].at <= now:
            act = pending.popleft()
            site.set_clock(act.at)
            try:
                act.do(people)
            except (ValueError, LookupError, ApiError) as exc:
                raise DemoError(f"{when(act.at)} {act.story!r} could not happen: {exc}") from exc
            out.act(act.at, act.story)
        site.set_clock(now)
        report = run_cycle(site.deps, now)
        tally.cycles += 1
        effects = effects_done_at(site.deps.store, issue_keys(site), now, report.total_done)
        tally.add(effects)
        for effect in effects:
            tally.failed.pop(effect.key, None)
        out.happened(happenings(effects))
        for failure in report.failures:
            if failure.key not in tally.failed:
                out.failed(now, failure)
            tally.failed[failure.key] = failure
        tally.problems.update(report.problems)
        out.advance()
    return tally


def page_links(
    site: DemoSite, page_ids: Iterable[str], *, links: bool = True
) -> list[tuple[str, str | None]]:
    """(title, viewer URL) for pages the agent wrote, as they are now in the sandbox;
    no URL when ``links`` is false (the sandbox stops with the command)."""
    found: list[tuple[str, str | None]] = []
    for page_id in page_ids:
        page = confluence.get_page(site.ctx, page_id)
        title = str(page["title"]) if page is not None else f"page {page_id} (since deleted)"
        found.append((title, f"{site.urls.base}/view/wiki/{page_id}" if links else None))
    return found
