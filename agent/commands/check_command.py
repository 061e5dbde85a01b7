"""``escalation-agent check``: configuration, policies, templates, each service, then
everything the policies name on the sites (channels, user groups, people, parent pages),
the people without a Slack identity, and traps (WARN).

Exit codes: 0 all pass (warnings included), 1 a service check failed, 2 configuration or
policy invalid, or (every service reachable) the bundled example packs loaded against a
site that is not the sandbox, where ``run`` would refuse to write.
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.markup import escape

from agent.commands.run_command import examples_refusal
from agent.config import Settings
from agent.policy import Policy
from agent.preflight.result import CheckResult
from agent.setup_checks import local_checks, service_checks
from agent.ui import status_word

EXIT_OK, EXIT_SERVICE, EXIT_INVALID = 0, 1, 2


def print_result(console: Console, result: CheckResult) -> None:
    word = status_word(result.word, console)
    console.print(f"{word}  {result.name:<20} {escape(result.detail)}")


def run_check(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    print_result(console, CheckResult("config", True, _config_summary(settings)))
    invalid = False
    policies: list[Policy] = []
    for result in local_checks(settings, policies):
        print_result(console, result)
        invalid = invalid or not result.ok
    if invalid:
        console.print("Configuration or policy is invalid: fix the lines marked FAIL above.")
        return EXIT_INVALID
    if args.offline:
        return EXIT_OK
    failed = False
    for result in service_checks(settings, policies):
        print_result(console, result)
        failed = failed or not result.ok
    refusal = examples_refusal(settings)
    if refusal is not None:  # what ``run`` would answer, said before anyone tries it
        print_result(console, CheckResult("example packs", False, refusal))
    if failed:  # a service that cannot be reached comes first: exit 1, as documented
        return EXIT_SERVICE
    return EXIT_OK if refusal is None else EXIT_INVALID


def _config_summary(settings: Settings) -> str:
    jira_auth = "PAT" if settings.jira_auth.pat else f"{settings.jira_auth.email} + API token"
    return (
        f"Jira {settings.jira_url} ({jira_auth}); Confluence {settings.confluence_url} "
        f"space {settings.confluence_space}; Slack {settings.slack_api_url}; "
        f"state {settings.state_url_for_display}; rules {settings.rules_path}; "
        f"time zone {settings.timezone}"
    )


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "check",
        parents=parents,
        help="validate configuration, policies and templates, then reach each service",
        description=(
            "Validate configuration, policy files and templates, then check each service "
            "with read-only calls, and that everything the policies name exists there: Slack "
            "channels (with the bot in them, or public) and user groups, people named by "
            "email (in Jira and Slack), Confluence parent pages; count the people the "
            "policies touch who have no Slack identity; warn (WARN, exit 0) about traps. "
            "Exit 0 when all pass, 1 when a service check fails, 2 when configuration or "
            "policy is invalid."
        ),
    )
    parser.add_argument(
        "--offline", action="store_true", help="validate files only; make no network call"
    )
    parser.set_defaults(handler=run_check, needs_settings=True)
