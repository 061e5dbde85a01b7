"""``escalation-agent backfill --since DATE [--policy NAME] [--yes]``: paperwork for history.

Every cycle leaves alone the tickets resolved before a policy first ran
(``agent.core.history``). This command plans, for those resolved since DATE,
the paperwork a cycle writes at resolution (log rows, pages, their links on the
ticket), prints it with the count, and writes it only with ``--yes``. The
actions have the cycle's idempotency keys and every one is checked for its
marker before it is written, so running it twice, or after the pages were made
by hand from the agent's templates, writes nothing twice.

Exit codes: 0 planned (or written), 1 a service or the store failed or an
action failed, 2 invalid configuration, policy or arguments.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time

from rich.console import Console
from rich.table import Table

from agent.adapters.service_errors import ServiceError
from agent.commands.plan_command import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    cycle_time,
    load_checked_policies,
)
from agent.commands.run_command import examples_refusal
from agent.config import Settings
from agent.core.backfill import Backfill, plan_backfill
from agent.runtime.act.executor import Executor
from agent.runtime.cycle import load_state
from agent.runtime.deps import Deps, build_deps
from agent.runtime.env import ActionEnv
from agent.runtime.first_contact import first_contacts
from agent.runtime.read.reader import TicketReader
from agent.runtime.report import CycleReport
from agent.secrets import Redactor
from agent.store import StoreError


def parse_since(value: str, settings: Settings) -> datetime:
    """``--since``: a date (midnight in AGENT_TIMEZONE) or an ISO-8601 time."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return datetime.combine(day, time(0), settings.zone)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--since {value!r} is not a date; use e.g. 2026-01-01 (midnight in "
            f"{settings.zone.key}) or 2026-01-01T09:00:00+02:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=settings.zone)


def print_backfill(console: Console, planned: Backfill, settings: Settings) -> None:
    table = Table(title=f"{len(planned.actions)} paperwork action(s)", expand=False)
    for column in ("ticket", "policy", "rule", "action", "resolved", "what"):
        table.add_column(column, overflow="fold")
    for action in planned.actions:
        resolved = action.due.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
        table.add_row(
            action.issue or "-",
            action.policy,
            action.rule,
            action.kind.value,
            resolved,
            action.reason,
        )
    console.print(table)
    for problem in planned.problems:
        console.print(f"problem: {problem.issue} [{problem.rule}]: {problem.message}", markup=False)


def backfill(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    try:
        since = parse_since(args.since, settings)
    except ValueError as exc:
        console.print(str(exc), markup=False)
        return EXIT_INVALID
    checked = load_checked_policies(settings, console)
    if checked is None:
        return EXIT_INVALID
    policies, renderer = checked
    refusal = examples_refusal(settings) if args.yes else None
    if refusal is not None:  # writing is refused exactly as for run
        console.print(refusal, markup=False)
        return EXIT_INVALID
    names = [p.name for p in policies]
    unknown = [n for n in args.policy or [] if n not in names]
    if unknown:
        console.print(
            f"--policy {', '.join(unknown)}: no such policy; loaded: {', '.join(names)}",
            markup=False,
        )
        return EXIT_INVALID
    redactor = Redactor(settings.secrets())
    try:
        deps = build_deps(settings, policies, redactor, read_only=not args.yes, renderer=renderer)
    except StoreError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_INVALID
    except ServiceError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    try:
        return _backfill(deps, console, args, since, redactor)
    except (StoreError, ServiceError) as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    finally:
        deps.close()


def _backfill(
    deps: Deps, console: Console, args: argparse.Namespace, since: datetime, redactor: Redactor
) -> int:
    settings = deps.settings
    now = cycle_time(args)
    contacts = first_contacts(deps.store, deps.policies, now, record=not deps.read_only)
    report = CycleReport()
    reader = TicketReader(deps.jira, deps.slack, deps.store, save_snapshots=False)
    state = load_state(deps.store)
    read = reader.read(deps.policies, state, report, now)
    for error in report.read_errors:
        console.print(f"read error: {error}", markup=False)
    planned = plan_backfill(
        read.tickets,
        state,
        now,
        deps.policies,
        since=since,
        first_contact=contacts.at,
        only=frozenset(args.policy) if args.policy else None,
    )
    print_backfill(console, planned, settings)
    shown = since.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
    for name, keys in planned.tickets.items():
        first = contacts.at[name].astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
        console.print(
            f"{name}: {len(keys)} ticket(s) resolved between {shown} and its first run ({first}).",
            markup=False,
        )
    if report.read_errors:
        console.print("Some tickets could not be read; nothing was written.", markup=False)
        return EXIT_FAILED
    if not args.yes:
        console.print(
            f"{planned.ticket_count} ticket(s), {len(planned.actions)} action(s) planned; "
            "nothing was written. Run again with --yes to write them.",
            markup=False,
        )
        return EXIT_OK
    env = ActionEnv(
        jira=deps.jira,
        slack=deps.slack,
        confluence=deps.confluence,
        renderer=deps.renderer,
        store=deps.store,
        state=state,
        confluence_space=settings.confluence_space,
        timezone=settings.timezone,
        policy_zones={policy.name: policy.timezone for policy in deps.policies},
        user_map=settings.user_map,
    )
    # recovering: every effect is looked for on the site before it is written
    executor = Executor(
        deps.store, deps.owner, recovering=True, concurrency=settings.write_concurrency
    )
    done = CycleReport()
    executor.run(planned.actions, env, now, done)
    console.print(done.summary(), markup=False)
    for failure in done.failures:
        console.print(f"failed: {failure.key}: {redactor(failure.error)}", markup=False)
    for problem in done.problems:
        console.print(f"problem: {problem}", markup=False)
    return EXIT_OK if done.ok else EXIT_FAILED


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "backfill",
        parents=parents,
        help="plan (and with --yes write) the paperwork of tickets resolved before first contact",
        description=(
            "Tickets resolved before a policy first ran are left alone as history. This plans "
            "the paperwork (log rows, pages, links) for those resolved since --since, shows "
            "the count, and writes it only with --yes. Exit 0 planned or written, 1 a service "
            "or an action failed, 2 invalid configuration, policy or arguments."
        ),
    )
    parser.add_argument(
        "--since",
        required=True,
        metavar="DATE",
        help="tickets resolved at or after DATE (YYYY-MM-DD, midnight in AGENT_TIMEZONE)",
    )
    parser.add_argument(
        "--policy",
        action="append",
        metavar="NAME",
        help="only this policy (repeatable; default: every policy)",
    )
    parser.add_argument("--yes", action="store_true", help="write the planned paperwork")
    parser.set_defaults(handler=backfill, needs_settings=True)
