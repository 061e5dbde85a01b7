"""``escalation-agent status``: the escalations the agent follows and how its limits are used.

Read from the state store only (opened read-only: never migrated, never
written), so it is safe beside running replicas and needs no Jira access.
``--json`` prints the same data for scripts. Exit codes: 0 shown, 1 the store
could not be read, 2 invalid configuration or policy.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.commands.obligations_view import fires, print_waiting, when_in
from agent.commands.plan_command import EXIT_FAILED, EXIT_INVALID, EXIT_OK, cycle_time
from agent.config import Settings
from agent.policy import PolicyErrors, load_policies
from agent.runtime.status import EscalationStatus, StatusReport, build_status
from agent.store import StoreError
from agent.store.readonly import open_read_only_store


def format_age(age: timedelta) -> str:
    """``3d 4h``, ``2h 05m``, ``7m``: short enough for a table column."""
    minutes = int(age.total_seconds()) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %H:%M")


def _next_due(row: EscalationStatus, plain: bool) -> str:
    due = row.next_due
    if due is None:
        return "-"
    text = f"{due.ident} {when_in(due.due, row.zone)}"
    if due.overdue:
        text += " OVERDUE" if plain else " [bold red]OVERDUE[/bold red]"
    if due.waiting is not None:
        text += escape(
            f" (waiting: {due.waiting.reason.value}; fires {fires(due.waiting, row.zone)})"
        )
    return text


def print_status(console: Console, report: StatusReport, zone: ZoneInfo) -> None:
    plain = console.no_color
    table = Table(
        title=f"{len(report.escalations)} active escalation(s) at {_when(report.now, zone)}",
        expand=False,
    )
    for column in ("Issue", "Policy", "Severity", "Owner", "Age", "Next due", "Overdue"):
        table.add_column(column)
    for row in report.escalations:
        severity = row.severity or "-"
        if row.held:
            severity += f" (held: {row.held})"
        overdue = ", ".join(row.overdue) or "-"
        table.add_row(
            row.issue,
            row.policy,
            severity,
            row.owner or "-",
            format_age(row.age),
            _next_due(row, plain),
            overdue if plain or not row.overdue else f"[red]{overdue}[/red]",
        )
    console.print(table)
    print_waiting(
        console,
        [o for row in report.escalations for o in row.waiting],
        {row.policy: row.zone for row in report.escalations},
    )
    if report.limits:
        limits = Table(title="Limits", expand=False)
        for column in ("Policy", "Today", "Active", "Held (in order)"):
            limits.add_column(column)
        for use in report.limits:
            limits.add_row(
                use.policy,
                f"{use.today}/{use.daily_max}" if use.daily_max is not None else str(use.today),
                f"{use.active}/{use.active_max}" if use.active_max is not None else str(use.active),
                ", ".join(use.held) or "-",
            )
        console.print(limits)
    if report.lease is not None:
        console.print(
            f"cycle lease: {report.lease.owner} until {_when(report.lease.expires_at, zone)}",
            markup=False,
        )
    for problem in report.problems:
        console.print(f"note: {problem}", markup=False)


def show_status(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    try:
        policies = load_policies(settings.rules_path, settings.timezone)
    except PolicyErrors as exc:
        for error in exc.errors:
            console.print(str(error), markup=False)
        console.print("The policy files are invalid: fix the lines above.", markup=False)
        return EXIT_INVALID
    now = cycle_time(args)
    try:
        store = open_read_only_store(settings.state_url)
    except StoreError as exc:
        console.print(str(exc), markup=False)
        return EXIT_FAILED
    try:
        report = build_status(store, policies, now)
    except StoreError as exc:
        console.print(f"the state store could not be read: {exc}", markup=False)
        return EXIT_FAILED
    finally:
        store.close()
    if args.json:
        console.file.write(json.dumps(report.as_json(), indent=2) + "\n")
        return EXIT_OK
    print_status(console, report, settings.zone)
    return EXIT_OK


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "status",
        parents=parents,
        help="active escalations, their next open obligation, and limit use (reads the store only)",
        description=(
            "Show the escalations the agent follows (issue, policy, severity, owner, age, the "
            "next open obligation in the policy's time zone, overdue items), the obligations "
            "that are due but wait (outside business hours, held by a limit, nobody in the "
            "role) with when they will fire, and each policy's limit use (today vs the daily "
            "limit, active vs the maximum, held in order), from the state store alone: nothing "
            "is written and Jira is not called. Exit 0 shown, 1 store unreadable, 2 invalid "
            "configuration or policy."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(handler=show_status, needs_settings=True)
