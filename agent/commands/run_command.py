"""``escalation-agent run``: enforce the procedures, once (``--once``) or every poll interval.

Exit codes: 0 every action succeeded (or the loop was stopped by SIGTERM/SIGINT),
1 some action or read failed (the others still ran; failures are retried next
cycle), 2 invalid configuration, policy or state store. ``--once`` takes the
same cycle lease as the loop and skips (exit 0) while another process holds it.
With the bundled example packs loaded it writes only to the sandbox: against
any other site it refuses (exit 2) and says how to write your own rules.
With ``AGENT_DRY_RUN=1`` it only plans and prints, exactly like ``plan``.

In loop mode the replica runs cycles only while it holds the store's cycle
lease (several replicas may share one PostgreSQL database), and with
``AGENT_METRICS_PORT`` it serves ``/healthz`` and ``/metrics``.
"""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

from rich.console import Console

from agent.adapters.service_errors import ServiceError
from agent.clock import Clock, FixedClock, OffsetClock, SystemClock
from agent.commands.plan_command import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    dry_run,
    load_checked_policies,
)
from agent.config import Settings
from agent.observability import HealthState, Metrics, ObservabilityServer, serve_observability
from agent.policy.examples import example_files
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps, build_deps
from agent.runtime.leader import CycleLease, lease_ttl
from agent.runtime.loop import LoopObserver, run_loop
from agent.runtime.report import CycleReport
from agent.runtime.site_identity import all_sandbox
from agent.secrets import Redactor
from agent.store import StoreError


def print_report(console: Console, report: CycleReport, zone: ZoneInfo) -> None:
    console.print(report.summary(), markup=False)
    for note in report.history_notes(zone, first_run_only=True):
        console.print(note, markup=False)
    for problem in report.problems:
        console.print(f"problem: {problem}", markup=False)
    for failure in report.failures:
        said = "still failing (as last cycle)" if failure.repeated else "failed"
        console.print(f"{said}: {failure.key}: {failure.error}", markup=False)
    for error in report.read_errors:
        console.print(f"read error: {error}", markup=False)


def run_agent(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    if settings.dry_run:
        console.print("AGENT_DRY_RUN is set: planning only, nothing is written.", markup=False)
        return dry_run(settings, console, args)
    checked = load_checked_policies(settings, console)
    if checked is None:
        return EXIT_INVALID
    policies, renderer = checked
    refusal = examples_refusal(settings)
    if refusal is not None:
        console.print(refusal, markup=False)
        return EXIT_INVALID
    redactor = Redactor(settings.secrets())
    try:
        deps = build_deps(settings, policies, redactor, renderer=renderer)
    except StoreError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_INVALID
    except ServiceError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    try:
        if args.once:
            clock: Clock = FixedClock(args.now) if args.now else SystemClock()
            return run_once(deps, settings, console, clock, redactor)
        clock = OffsetClock(args.now) if args.now else SystemClock()
        return run_forever(deps, settings, console, clock)
    finally:
        deps.close()


def examples_refusal(settings: Settings) -> str | None:
    """Why ``run`` must not write: example packs loaded and a site that is not the sandbox."""
    examples = example_files(settings.rules_path)
    if not examples or all_sandbox(settings):
        return None
    names = ", ".join(p.name for p in examples)
    return (
        f"Refusing to write: {names} in {settings.rules_path} are the bundled example packs. "
        "They name the example organisation's people, Slack groups and channels, Confluence "
        "spaces and Jira projects, and may only write to the escalation-agent sandbox; "
        "JIRA_URL, CONFLUENCE_URL and SLACK_API_URL do not all point at one. Make the rules "
        "your own: 'escalation-agent init "
        "my-rules --from PACK...', replace every <CHANGE ME: ...> placeholder ('escalation-agent "
        "check --offline' names each one), and set AGENT_RULES=my-rules. 'escalation-agent plan' "
        "shows what the examples would do without writing anything. See docs/rollout.md."
    )


def run_once(
    deps: Deps, settings: Settings, console: Console, clock: Clock, redactor: Redactor
) -> int:
    """One cycle under the cycle lease, so an overlapping cron run or a running replica
    never plans from the same state at the same time; a busy lease skips (exit 0)."""
    lease = CycleLease(deps.store, ttl=lease_ttl(settings.poll_seconds))
    try:
        if not lease.acquire():
            holder = deps.store.lease_holder(lease.name, SystemClock().now())
            who = (
                f"{holder.owner} holds it until {holder.expires_at:%H:%M:%S} UTC" if holder else ""
            )
            console.print(
                f"skipped: another agent process is running a cycle ({who or 'lease taken'}); "
                "the next run will catch up",
                markup=False,
            )
            return EXIT_OK
        report = run_cycle(deps, clock.now())
    except (StoreError, ServiceError) as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    finally:
        lease.release()
    print_report(console, report, settings.zone)
    return EXIT_OK if report.ok else EXIT_FAILED


def run_forever(deps: Deps, settings: Settings, console: Console, clock: Clock) -> int:
    """The loop with its lease, and ``/healthz`` + ``/metrics`` when a port is configured."""
    observer: LoopObserver | None = None
    server: ObservabilityServer | None = None
    if settings.metrics_port is not None:
        health = HealthState(settings.poll_seconds, SystemClock())
        observer = LoopObserver(deps, Metrics(), health)
        try:
            server = serve_observability(settings.metrics_port, observer.metrics, health)
        except OSError as exc:
            console.print(
                f"AGENT_METRICS_PORT={settings.metrics_port}: cannot listen ({exc})", markup=False
            )
            return EXIT_INVALID
    lease = CycleLease(deps.store, ttl=lease_ttl(settings.poll_seconds))
    try:
        return run_loop(
            deps,
            clock,
            poll_seconds=settings.poll_seconds,
            on_report=lambda report: print_report(console, report, settings.zone),
            lease=lease,
            observer=observer,
        )
    finally:
        if server is not None:
            server.stop()


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "run",
        parents=parents,
        help="enforce the procedures: one cycle (--once) or every AGENT_POLL_SECONDS",
        description=(
            "Read the tickets, plan and carry out the actions exactly once, and remember. "
            "Without --once it repeats every AGENT_POLL_SECONDS until SIGTERM/SIGINT, which "
            "finish the action in flight and exit 0. Exit 0 when every action succeeded, 1 when "
            "some failed (the others still ran), 2 when configuration or policy is invalid."
        ),
    )
    parser.add_argument("--once", action="store_true", help="run one cycle and exit")
    parser.set_defaults(handler=run_agent, needs_settings=True)
