"""The ``escalation-agent`` command line: global options, subcommands, exit codes.

Settings are read here once (environment + ``.env`` or ``--env-file``) and passed
down; nothing reads the environment at import time.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from agent import __version__
from agent.commands import (
    backfill_command,
    check_command,
    config_command,
    demo_command,
    init_command,
    plan_command,
    replay_command,
    run_command,
    sandbox_command,
    status_command,
    users_command,
)
from agent.config import (
    ConfigError,
    Settings,
    env_file_names,
    env_file_path,
    known_secrets,
    load_settings,
    read_environment,
    unknown_variables,
)
from agent.logging_setup import configure_logging
from agent.secrets import Redactor
from agent.ui import make_console

log = logging.getLogger(__name__)

EXIT_INVALID = 2


def _global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before or after the subcommand."""
    default = argparse.SUPPRESS if suppress else None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--env-file",
        default=default,
        metavar="PATH",
        help="read variables from PATH (default .env)",
    )
    parser.add_argument(
        "--now",
        default=default,
        metavar="ISO-8601",
        help="run as if it were this time (tests, demos, backfills); "
        "a time without offset is in AGENT_TIMEZONE",
    )
    parser.add_argument(
        "--log-level",
        default=default,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        type=str.upper,
        help="override AGENT_LOG_LEVEL",
    )
    parser.add_argument(
        "--no-color", action="store_true", default=default, help="plain output without colours"
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="escalation-agent",
        description="Enforces written escalation and incident procedures on Jira, "
        "Confluence and Slack.",
        parents=[_global_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    parents = [_global_options(suppress=True)]
    init_command.add_parser(subparsers, parents)
    check_command.add_parser(subparsers, parents)
    run_command.add_parser(subparsers, parents)
    plan_command.add_parser(subparsers, parents)
    backfill_command.add_parser(subparsers, parents)
    replay_command.add_parser(subparsers, parents)
    sandbox_command.add_parser(subparsers, parents)
    demo_command.add_parser(subparsers, parents)
    status_command.add_parser(subparsers, parents)
    config_command.add_parser(subparsers, parents)
    users_command.add_parser(subparsers, parents)
    return parser


def parse_now(value: str, zone: ZoneInfo) -> datetime:
    """``--now``: ISO-8601; without an offset it is read in the configured time zone."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"--now {value!r} is not ISO-8601; use e.g. 2026-11-23T09:30:00+02:00"
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _settings(env: dict[str, str], env_file: Path | None, in_file: set[str]) -> Settings:
    """The settings; a misspelt variable in the agent's own .env file is a problem too."""
    where = f"set in {env_file_path(env_file)},"
    typos = unknown_variables(in_file, where)
    try:
        settings = load_settings(env, env_file)
    except ConfigError as exc:
        raise ConfigError(typos + exc.problems) from None
    if typos:
        raise ConfigError(typos)
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    console = make_console(no_color=bool(args.no_color))
    env_file = Path(args.env_file) if args.env_file else None
    redactor = Redactor(known_secrets(os.environ))
    configure_logging(args.log_level or "INFO", "text", redactor)
    if not args.needs_settings:
        return int(args.handler(console, args))
    try:
        env = read_environment(env_file)
        redactor.add(*known_secrets(env))
        in_file = env_file_names(env_file)
        settings: Settings = _settings(env, env_file, in_file)
    except ConfigError as exc:
        console.print(redactor(str(exc)), markup=False)
        console.print(
            "See config.example.env for every variable with a comment "
            "('escalation-agent config example' prints it).",
            markup=False,
        )
        return EXIT_INVALID
    for problem in unknown_variables(set(os.environ) - in_file, "set in the environment,"):
        log.warning("%s (ignored)", problem)
    redactor.add(*settings.secrets())
    configure_logging(args.log_level or settings.log_level, settings.log_format, redactor)
    if args.now:
        try:
            args.now = parse_now(args.now, settings.zone)
        except ValueError as exc:
            console.print(str(exc), markup=False)
            return EXIT_INVALID
    return int(args.handler(settings, console, args))


if __name__ == "__main__":
    sys.exit(main())
