"""``escalation-agent plan``: what the next cycle would do, without doing anything.

The same reading and planning as ``run``, but the state store is opened
read-only and no Jira, Confluence or Slack write is made. Prints one row per
planned action (ticket, policy, rule, action, reason, due time), then the
obligations that are due but wait (outside business hours, held by a limit,
nobody in the role), with why and when they will fire.

Exit codes: 0 planned, 1 a service or the store could not be read, 2 invalid
configuration or policy.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from agent.adapters.service_errors import ServiceError
from agent.clock import SystemClock
from agent.commands.obligations_view import policy_zones, print_waiting
from agent.config import Settings
from agent.core.actions import Plan
from agent.policy import Policy, PolicyErrors, load_policies
from agent.render.environment import Renderer
from agent.runtime.cycle import read_and_plan
from agent.runtime.deps import build_deps
from agent.runtime.report import CycleReport
from agent.secrets import Redactor
from agent.store import StoreError

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def load_checked_policies(
    settings: Settings, console: Console
) -> tuple[list[Policy], Renderer] | None:
    """The policies and the validated renderer (its templates already compiled, so the
    cycle reuses them), or None after printing every problem (exit 2)."""
    try:
        policies = load_policies(settings.rules_path, settings.timezone)
    except PolicyErrors as exc:
        for error in exc.errors:
            console.print(str(error), markup=False)
        console.print("The policy files are invalid: fix the lines above.", markup=False)
        return None
    renderer = Renderer(settings.templates_path)
    problems = renderer.validate()
    for problem in problems:
        console.print(f"template {problem.name}: {problem.message}", markup=False)
    if problems:
        console.print("The templates are invalid: fix the lines above.", markup=False)
        return None
    return policies, renderer


def cycle_time(args: argparse.Namespace) -> datetime:
    """``--now`` when given (already parsed by the CLI), else the system time."""
    now = getattr(args, "now", None)
    return now if isinstance(now, datetime) else SystemClock().now()


def print_plan(
    console: Console,
    planned: Plan,
    report: CycleReport,
    zone: ZoneInfo,
    zones: Mapping[str, ZoneInfo] | None = None,
) -> None:
    """The planned actions, then the obligations that are due but wait (each in its
    policy's zone, ``zones``), problems, read errors and a one-line summary."""
    table = Table(title=f"{len(planned.actions)} planned action(s)", expand=False)
    for column in ("ticket", "policy", "rule", "action", "reason", "due"):
        table.add_column(column, overflow="fold")
    for action in planned.actions:
        due = action.due.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        table.add_row(
            action.issue or "-", action.policy, action.rule, action.kind.value, action.reason, due
        )
    console.print(table)
    print_waiting(console, planned.obligations, zones or {})
    for problem in report.problems:
        console.print(f"problem: {problem}", markup=False)
    for error in report.read_errors:
        console.print(f"read error: {error}", markup=False)
    for note in report.history_notes(zone, first_run_only=False):
        console.print(note, markup=False)
    console.print(
        f"{report.tickets_read} ticket(s) read, {len(planned.actions)} action(s) planned, "
        f"{len(report.problems)} problem(s); nothing was written.",
        markup=False,
    )


def dry_run(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    """Read and plan with a read-only store; print the plan; write nothing anywhere."""
    checked = load_checked_policies(settings, console)
    if checked is None:
        return EXIT_INVALID
    policies, renderer = checked
    redactor = Redactor(settings.secrets())
    try:
        deps = build_deps(settings, policies, redactor, read_only=True, renderer=renderer)
    except StoreError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_INVALID
    except ServiceError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    try:
        report = CycleReport()
        planned = read_and_plan(deps, cycle_time(args), report)
    except (StoreError, ServiceError) as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    finally:
        deps.close()
    print_plan(console, planned, report, settings.zone, policy_zones(policies))
    return EXIT_OK if not report.read_errors else EXIT_FAILED


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "plan",
        parents=parents,
        help="show what the next cycle would do, writing nothing",
        description=(
            "Read the tickets and plan one cycle like 'run', but write nothing: no Jira, "
            "Confluence or Slack change and no state change. Lists the planned actions, then "
            "the obligations that are due but wait (outside business hours, held by a limit, "
            "nobody in the role) with why and when they will fire. Exit 0 when planned, 1 "
            "when a service could not be read, 2 when configuration or policy is invalid."
        ),
    )
    parser.set_defaults(handler=dry_run, needs_settings=True)
