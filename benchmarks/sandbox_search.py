"""How fast the sandbox's Jira answers one JQL search page out of 10,000 issues.

Seeds 10,000 issues through the Python seeding API, then times a page of 100
issues with a handful of fields over HTTP (real ``requests``, keep-alive
session), many times, and prints the median milliseconds per page.

Run: ``.venv/bin/python benchmarks/sandbox_search.py [--issues N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from agent.sandbox.jira import seeding as jira_seeding
from agent.sandbox.server import SandboxServer

TOKEN = secrets.token_urlsafe(16)  # valid only against this throwaway sandbox
EMAIL = "bench@sandbox.example"
JQL = "project = INC AND status != Done AND priority >= High ORDER BY created DESC"
FIELDS = "summary,status,priority,assignee,labels,updated"


def seed(server: SandboxServer, count: int) -> float:
    ctx = server.ctx
    ctx.clock.set(datetime(2026, 11, 1, tzinfo=UTC), frozen=True)
    jira_seeding.create_project(ctx, "INC", "Incidents", "lead@sandbox.example")
    people = [f"person{n}@sandbox.example" for n in range(20)]
    for email in people:
        ctx.users.create(email.split("@")[0].title(), email)
    rng = random.Random(7)
    accounts = [ctx.users.by_email(e)["accountId"] for e in people]  # type: ignore[index]
    batch = [
        {
            "project": {"key": "INC"},
            "summary": f"Incident {n}: service {rng.choice('ABCDEFG')} degraded",
            "issuetype": {"name": "Incident"},
            "priority": {"name": rng.choice(["Highest", "High", "Medium", "Low", "Lowest"])},
            "labels": rng.sample(["db", "network", "customer", "p1", "edge"], 2),
            "assignee": {"accountId": rng.choice(accounts)},
            "description": "Customers report timeouts on checkout.",
        }
        for n in range(count)
    ]
    started = time.perf_counter()
    jira_seeding.bulk_create(ctx, batch, EMAIL)
    elapsed = time.perf_counter() - started
    for key_number in range(1, count + 1, 3):
        issue = jira_seeding.get_issue(ctx, f"INC-{key_number}")
        issue["fields"]["status"] = "3"  # a third in progress, without changelog noise
    return elapsed


def _variant(number: int) -> str:
    """The benchmark query made unique (one more excluded key) so no cache can answer it."""
    return JQL.replace(" ORDER BY", f" AND key != INC-{number + 1} ORDER BY")


def _time(
    session: requests.Session,
    url: str,
    repeat: int,
    params_for: Callable[[int], dict[str, Any]],
) -> list[float]:
    timings = []
    for number in range(repeat):
        params = params_for(number)
        started = time.perf_counter()
        response = session.get(url, params=params, timeout=30)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        assert len(response.json()["issues"]) == 100
    return sorted(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    server = SandboxServer(port=0, token=TOKEN)
    seconds = seed(server, args.issues)
    print(f"seeded {args.issues} issues in {seconds:.2f} s")
    server.start()
    try:
        session = requests.Session()
        session.auth = (EMAIL, TOKEN)
        url = f"{server.urls.base}/rest/api/3/search/jql"
        params = {"jql": JQL, "fields": FIELDS, "maxResults": 100}
        first = session.get(url, params=params, timeout=30)
        first.raise_for_status()
        assert len(first.json()["issues"]) == 100, first.text[:300]
        # cold: every request a query not seen before, so JQL runs over all issues
        cold = _time(session, url, args.repeat, lambda n: {**params, "jql": _variant(n)})
        # warm: the same query again (an agent polling), served from the result cache
        warm = _time(session, url, args.repeat, lambda n: params)
        for label, timings in (("uncached", cold), ("repeated query", warm)):
            print(
                f"search page (100 issues, {len(FIELDS.split(','))} fields) over HTTP, {label}: "
                f"median {statistics.median(timings):.1f} ms, "
                f"p90 {timings[int(len(timings) * 0.9)]:.1f} ms over {len(timings)} requests"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
