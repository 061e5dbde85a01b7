"""``escalation-agent demo``: a simulated working day of all five procedures, offline.

Starts the sandbox in-process with the ``demo`` organisation, points the agent
at it (configured in code: no ``.env``, no variables, state in a temp folder)
and runs real cycles from Friday morning to Saturday morning while people act.
Prints what happened in plain words; ``--verbose`` adds the timeline after it.
The sandbox lives only as long as the command: with ``--keep-running`` it stays
up after the day, the viewer's URL and page links are printed, and Ctrl-C (or
SIGTERM) stops it; without, no URL is printed, since nothing would answer it.

Exit codes: 0 the day ran to its end (an action the agent could not carry out is
listed under "Still failing" and does not change it: the agent retries such
actions, as it would on a real site; after ``--keep-running``, stopping the
sandbox with Ctrl-C or SIGTERM is 0 too); 1 the demo could not start (e.g.
``--port`` is taken) or broke (a person's act was refused, a service or the
store failed); 2 an unknown option or a bad value (from the argument parser);
130 interrupted by Ctrl-C before the day ended.
"""

from __future__ import annotations

import argparse
import logging
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from rich.console import Console

from agent.adapters.service_errors import ServiceError
from agent.commands.sandbox_extra import sandbox_is_installed
from agent.config import ConfigError
from agent.logging_setup import configure_logging
from agent.policy import PolicyErrors
from agent.secrets import Redactor
from agent.store import StoreError

if TYPE_CHECKING:
    from agent.demo.world import DemoSite

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130  # Ctrl-C during the simulated day, as shells report SIGINT
INTRO = (
    "Escalation agent demo: the sandbox plays a small company's Jira, Confluence and Slack;",
    "the agent enforces the five bundled procedures from Friday 4 December 2026, 07:00 UTC",
    "(09:00 in Kyiv) to Saturday morning, one cycle every 15 simulated minutes.",
    "",
)


def run_demo(console: Console, args: argparse.Namespace) -> int:
    if not sandbox_is_installed(console, "demo"):
        return EXIT_FAILED
    from agent.demo.script import START  # noqa: PLC0415 - the demo needs the [sandbox] extra
    from agent.demo.world import start_site  # noqa: PLC0415

    redactor = Redactor()
    # the agent's own logs (ticket problems, retries) would bury the story; --log-level shows them
    configure_logging(args.log_level or "ERROR", "text", redactor)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="escalation-demo-") as work_dir:
        try:
            site = start_site(Path(work_dir), START, port=args.port)
        except (ServiceError, StoreError, PolicyErrors, ConfigError, OSError) as exc:
            console.print(f"The demo could not start: {redactor(str(exc))}", markup=False)
            return EXIT_FAILED
        redactor.add(site.token)
        try:
            return _play(site, console, args, started)
        except KeyboardInterrupt:
            console.print("\nDemo interrupted; the sandbox is stopped.", markup=False)
            return EXIT_INTERRUPTED
        finally:
            site.close()


def _play(site: DemoSite, console: Console, args: argparse.Namespace, started: float) -> int:
    from agent.demo.output import DemoOutput  # noqa: PLC0415 - the [sandbox] extra, as above
    from agent.demo.runner import DemoError, page_links, run_day  # noqa: PLC0415
    from agent.demo.script import day_script, ticks  # noqa: PLC0415

    moments = list(ticks())
    with DemoOutput(console, len(moments), verbose=bool(args.verbose)) as out:
        out.intro(INTRO)
        try:
            tally = run_day(site, day_script(), moments, out)
        except (ServiceError, StoreError, DemoError) as exc:
            console.print(f"The demo stopped: {exc}", markup=False)
            return EXIT_FAILED
    # Links only while something will answer them: the sandbox stops with this command.
    links = bool(args.keep_running)
    out.summary(
        tally,
        [
            ("Pages written", page_links(site, tally.pages_written, links=links)),
            ("Incident logs with new rows", page_links(site, tally.logs_updated, links=links)),
        ],
    )
    console.print(f"\nFinished in {time.monotonic() - started:.1f} s (wall time).", markup=False)
    if args.keep_running:
        console.print(f"Viewer: {site.urls.base}/", markup=False)
        console.print(
            "The sandbox keeps running: open the viewer to browse Jira, Slack and "
            "Confluence. Ctrl-C stops it.",
            markup=False,
        )
        with _stop_signals() as stop:
            while not stop.wait(0.2):
                pass
        console.print("Sandbox stopped.", markup=False)
    else:
        console.print(
            "The sandbox has stopped; run 'escalation-agent demo --keep-running' to browse "
            "the result in its viewer.",
            markup=False,
        )
    return EXIT_OK


@contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT (Ctrl-C) or SIGTERM; the previous handlers come back after."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "demo",
        parents=parents,
        help="watch the agent work through a simulated day on a built-in sandbox (offline)",
        description=(
            "Start the sandbox with the demo organisation, run the agent through a simulated "
            "Friday and Saturday morning while people act, and print what it did. Needs no "
            "configuration and no network; nothing outside a temporary folder is written. "
            "Exit 0 the day ran to its end, 1 the demo could not start or broke, 2 a bad "
            "option, 130 interrupted before the day ended."
        ),
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="keep the sandbox and its viewer up after the demo, until Ctrl-C",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the sandbox's port on 127.0.0.1 (default: any free)"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="after the summary, the counts by rule and the timeline: each action with its "
        "rule, and what people did between cycles",
    )
    parser.set_defaults(handler=run_demo, needs_settings=False)
