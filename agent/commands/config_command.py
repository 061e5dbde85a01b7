"""``escalation-agent config example``: print ``config.example.env``, every variable explained.

Every configuration error points at that file; an installed package has no
checkout to find it in, so it ships inside the package and this prints it.
``escalation-agent config example > .env`` is a start.
"""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from agent.resources import bundled_config_example


def print_example(console: Console, args: argparse.Namespace) -> int:
    # Written as it is (no markup, no wrapping), so it can be redirected into a file.
    sys.stdout.write(bundled_config_example().read_text(encoding="utf-8"))
    return 0


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "config",
        parents=parents,
        help="print config.example.env (every variable, with a comment)",
        description="Configuration helpers. 'config example' prints config.example.env.",
    )
    actions = parser.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    example = actions.add_parser(
        "example",
        parents=parents,
        help="print config.example.env: every variable with a comment (> .env to start)",
    )
    example.set_defaults(handler=print_example, needs_settings=False)
