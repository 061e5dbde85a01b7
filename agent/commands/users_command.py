"""``escalation-agent users``: every person the policies touch, and who they are in Slack.

The people come from each policy's current tickets (its roles: assignee,
reporter, user-picker fields) and the people policies name by email; each is
matched as the agent matches them when it acts (``AGENT_USER_MAP`` by account
id, then by email, then Slack by email). ``--write-map FILE`` adds the ones with
no Slack identity to an ``AGENT_USER_MAP`` file, to fill in. Reads only (the
map file is the one thing written).

Exit codes: 0 listed (unmatched people included), 1 a service could not be
read or the map file could not be written, 2 invalid configuration or policy.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agent.adapters import clients
from agent.adapters.calls import CallPoints
from agent.adapters.jira_adapter import JiraAdapter
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_directory import SlackDirectory
from agent.commands.plan_command import EXIT_FAILED, EXIT_INVALID, EXIT_OK
from agent.config import Settings
from agent.policy import PolicyErrors, load_policies
from agent.preflight.people_check import MAP_HELP, Census, MapFileError, take_census, write_map
from agent.runtime.deps import RETRY_BUDGET_SECONDS
from agent.secrets import Redactor


def print_census(console: Console, census: Census) -> None:
    table = Table(title=census.summary(), expand=False)
    for column in ("person", "Jira account", "email", "where", "Slack"):
        table.add_column(column, overflow="fold")
    for entry in census.people:
        who, match = entry.person, entry.match
        slack = (
            f"{match.slack_id} ({match.kind.value})"
            if match.slack_id
            else f"none: {match.kind.value}"
        )
        table.add_row(
            escape(who.name),
            who.account_id or "-",
            escape(who.email or ("hidden" if who.account_id else "-")),
            escape("; ".join(who.where())),
            escape(slack),
        )
    console.print(table)
    for error in census.errors:
        console.print(f"read error: {error}", markup=False)


def list_users(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    try:
        policies = load_policies(settings.rules_path, settings.timezone)
    except PolicyErrors as exc:
        for error in exc.errors:
            console.print(str(error), markup=False)
        console.print("The policy files are invalid: fix the lines above.", markup=False)
        return EXIT_INVALID
    redactor = Redactor(settings.secrets())
    calls = CallPoints.create(redactor, RETRY_BUDGET_SECONDS)
    try:
        jira = JiraAdapter(clients.jira_client(settings), calls.jira)
        directory = SlackDirectory(clients.slack_client(settings), calls.slack)
        census = take_census(jira, policies, settings.user_map, directory.user_id_for_email)
    except ServiceError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    print_census(console, census)
    missing = census.unmatched
    if missing and args.write_map is None:
        console.print(
            f"To reach the {len(missing)} without a Slack identity, {MAP_HELP}.", markup=False
        )
    if args.write_map is not None:
        path = Path(args.write_map)
        try:
            added = write_map(path, missing)
        except (MapFileError, OSError) as exc:
            console.print(f"the map was not written: {exc}", markup=False)
            return EXIT_FAILED
        console.print(
            f"{path}: {added} person(s) added to fill in; then set AGENT_USER_MAP={path}"
            if added
            else f"{path}: nobody to add (every person is found in Slack or already listed)",
            markup=False,
        )
    return EXIT_FAILED if census.errors else EXIT_OK


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "users",
        parents=parents,
        help="list the people the policies touch and their Slack match",
        description=(
            "List every person the policies touch (their roles on the current tickets, and "
            "people named by email) with their Slack match, or why there is none (Jira hides "
            "the email, or no Slack user has it). --write-map FILE adds those without a Slack "
            "identity to an AGENT_USER_MAP file to fill in (an existing file keeps its lines). "
            "Exit 0 listed, 1 a service could not be read or the file not written, 2 invalid "
            "configuration or policy."
        ),
    )
    parser.add_argument(
        "--write-map",
        metavar="FILE",
        default=None,
        help="add the people without a Slack identity to this AGENT_USER_MAP file",
    )
    parser.set_defaults(handler=list_users, needs_settings=True)
