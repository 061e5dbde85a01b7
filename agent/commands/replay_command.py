"""``escalation-agent replay``: a policy run over a stretch of real history, writing nothing.

    escalation-agent replay --from DATE --to DATE [--policy NAME...] [--rules PATH]
        [--every 60s] [--out DIR] [--compare OTHER_RULES_PATH] [--exact]

Reads the tickets the policies could have governed in the window (and their
channels' messages where a policy counts them), replays the planner over the
window (``agent.replay``) and writes ``DIR/replay.json`` and ``DIR/replay.html``,
with a short summary here. Nothing is written to Jira, Confluence or Slack, and
no state store is opened. With ``--compare`` the same history goes through a
second rule set, and both are shown side by side.

Exit codes: 0 replayed, 1 a service could not be read, 2 invalid configuration,
policy or arguments.
"""

from __future__ import annotations

import argparse
import gc
import re
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from agent.adapters.calls import CallPoints
from agent.adapters.jira_adapter import build_jira_adapter
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_adapter import build_slack_adapter
from agent.commands.plan_command import EXIT_FAILED, EXIT_INVALID, EXIT_OK, cycle_time
from agent.config import Settings
from agent.policy import Policy, PolicyErrors, load_policies
from agent.replay.compare import Comparison, compare
from agent.replay.driver import ReplaySettings, replay
from agent.replay.outcome import ReplayOutcome, figures_json
from agent.replay.page import render_page
from agent.replay.report_file import write_json
from agent.replay.source import History, ReadOnlyJira, ReadOnlySlack, Window, read_history
from agent.runtime.deps import RETRY_BUDGET_SECONDS
from agent.runtime.read.reader import DETAIL_WORKERS
from agent.secrets import Redactor

_EVERY = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_every(text: str) -> timedelta:
    """``60s``, ``5m``, ``1h``, ``1m30s``: how often the replayed agent runs a cycle."""
    match = _EVERY.match(text.strip())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"--every {text!r} is not a duration; use e.g. 60s, 5m or 1h")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    every = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if every <= timedelta(0):
        raise ValueError("--every must be longer than nothing; use e.g. 60s")
    return every


def parse_moment(value: str, settings: Settings, *, end_of_day: bool, option: str) -> datetime:
    """A date (its midnight in AGENT_TIMEZONE; ``--to`` a date means the end of that day) or
    an ISO-8601 time (without offset: in AGENT_TIMEZONE)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        start = datetime.combine(day, datetime.min.time(), settings.zone)
        return start + timedelta(days=1) if end_of_day else start
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{option} {value!r} is not a date; use e.g. 2026-01-01 or 2026-01-01T09:00:00+01:00"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=settings.zone)


def _policies(
    path: Path, names: list[str] | None, console: Console, what: str, zone: str
) -> list[Policy] | None:
    try:
        policies = load_policies(path, zone)
    except PolicyErrors as exc:
        for error in exc.errors:
            console.print(str(error), markup=False)
        console.print(f"The policy files of {what} are invalid: fix the lines above.", markup=False)
        return None
    loaded = [p.name for p in policies]
    unknown = [n for n in names or [] if n not in loaded]
    if unknown:
        console.print(
            f"--policy {', '.join(unknown)}: no such policy in {path}; loaded: {', '.join(loaded)}",
            markup=False,
        )
        return None
    return [p for p in policies if not names or p.name in names]


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _read(settings: Settings, policies: list[Policy], window: Window, console: Console) -> History:
    calls = CallPoints.create(
        Redactor(settings.secrets()), RETRY_BUDGET_SECONDS * 10, max_concurrent=DETAIL_WORKERS
    )
    jira = ReadOnlyJira(build_jira_adapter(settings, calls.jira))
    slack = None
    if any("channel_message" in p.updates.sources for p in policies):
        slack = ReadOnlySlack(build_slack_adapter(settings, calls.slack))
    with _progress(console) as bar:
        task = bar.add_task("reading tickets", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return read_history(jira, slack, policies, window, progress=step)


def _replay(
    history: History, policies: list[Policy], settings: ReplaySettings, console: Console
) -> ReplayOutcome:
    window = settings.window
    total = (window.end - window.start).total_seconds()
    with _progress(console) as bar:
        task = bar.add_task(f"replaying {settings.label}", total=total)

        def step(moment: datetime) -> None:
            bar.update(task, completed=(moment - window.start).total_seconds())

        return replay(history, policies, settings, step)


def print_summary(
    console: Console, outcome: ReplayOutcome, settings: Settings, seconds: float
) -> None:
    days = max(1.0, (outcome.end - outcome.start) / timedelta(days=1))
    console.print(
        f"{outcome.label}: {len(outcome.tickets)} ticket(s), {outcome.message_count} message(s) "
        f"({outcome.message_count / days:.1f} a day) and "
        f"{outcome.action_count - outcome.message_count} other action(s) would have been made; "
        f"replayed in {seconds:.1f} s.",
        markup=False,
    )
    table = Table(title=f"How well the procedure was followed ({outcome.label})", expand=False)
    for column in ("obligation", "due", "on time", "late", "missed", "late median", "late p90"):
        table.add_column(column)
    for kind, figures in outcome.adherence().items():
        row = figures_json(figures)
        table.add_row(
            kind,
            str(row["obligations"]),
            str(row["on_time"]),
            str(row["late"]),
            str(row["missed"]),
            _short(row["late_median_seconds"]),
            _short(row["late_p90_seconds"]),
        )
    console.print(table)
    noisy = ", ".join(f"{k} ({n})" for k, n in outcome.per_ticket().most_common(5))
    if noisy:
        console.print(f"Noisiest tickets: {noisy}", markup=False)
    if outcome.problems:
        console.print(
            f"{len(outcome.problems)} thing(s) could not be read back (see replay.json).",
            markup=False,
        )


def print_comparison(console: Console, comparison: Comparison) -> None:
    first, second = comparison.first.label, comparison.second.label
    table = Table(title="Messages per rule", expand=False)
    for column in ("policy / rule", first, second, "change"):
        table.add_column(column)
    for row in comparison.per_rule:
        table.add_row(row.name, str(row.first), str(row.second), f"{row.change:+d}")
    console.print(table)
    console.print(
        f"{len(comparison.tickets)} ticket(s) where the two rule sets plan differently.",
        markup=False,
    )


def _short(seconds: Any) -> str:
    if seconds is None:
        return "-"
    minutes = round(float(seconds) / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def run_replay(settings: Settings, console: Console, args: argparse.Namespace) -> int:
    try:
        every = parse_every(args.every)
        start = parse_moment(args.start, settings, end_of_day=False, option="--from")
        end = parse_moment(args.end, settings, end_of_day=True, option="--to")
        now = cycle_time(args)
        if end > now:
            shown = now.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
            console.print(
                f"--to is after now: the replay ends now ({shown}); nothing later has happened.",
                markup=False,
            )
            end = now
        window = Window(start, end)
    except ValueError as exc:
        console.print(f"{exc}; check --from and --to.", markup=False)
        return EXIT_INVALID
    rules = Path(args.rules) if args.rules else settings.rules_path
    policies = _policies(rules, args.policy, console, str(rules), settings.timezone)
    if policies is None:
        return EXIT_INVALID
    other: list[Policy] | None = None
    if args.compare:
        other = _policies(Path(args.compare), args.policy, console, args.compare, settings.timezone)
        if other is None:
            return EXIT_INVALID
    redactor = Redactor(settings.secrets())
    try:
        history = _read(settings, [*policies, *(other or [])], window, console)
    except ServiceError as exc:
        console.print(redactor(str(exc)), markup=False)
        return EXIT_FAILED
    # the history lives until the end: the collector need not walk it again on every pass
    gc.freeze()
    console.print(
        f"Read {len(history.tickets)} ticket(s) from Jira"
        + (f" and {history.channels_read} channel(s) from Slack" if history.channels_read else "")
        + "; nothing was written.",
        markup=False,
    )
    first_label = _label(rules)
    outcomes = []
    for label, rule_set in [
        (first_label, policies),
        *([(_label(Path(args.compare), first_label), other)] if other else []),
    ]:
        began = time.monotonic()
        outcome = _replay(
            history, rule_set, ReplaySettings(window, every, exact=args.exact, label=label), console
        )
        print_summary(console, outcome, settings, time.monotonic() - began)
        outcomes.append(outcome)
    comparison = compare(outcomes[0], outcomes[1], settings.zone) if len(outcomes) > 1 else None
    if comparison is not None:
        print_comparison(console, comparison)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = outcomes[0].to_json()
    if comparison is not None:
        data = {"replays": [o.to_json() for o in outcomes], "comparison": comparison.to_json()}
    with (out / "replay.json").open("w", encoding="utf-8") as stream:
        write_json(stream, data)
        stream.write("\n")
    (out / "replay.html").write_text(render_page(outcomes, settings.zone, comparison))
    console.print(f"Wrote {out / 'replay.json'} and {out / 'replay.html'}.", markup=False)
    return EXIT_OK


def _label(path: Path, other: str | None = None) -> str:
    """How the page and the JSON name a rule set: its folder, or its file with the folder."""
    label = (
        path.name if path.is_dir() or not path.parent.name else f"{path.parent.name}/{path.name}"
    )
    return f"{label} (2)" if label == other else label


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    parents: list[argparse.ArgumentParser],
) -> None:
    parser = subparsers.add_parser(
        "replay",
        parents=parents,
        help="run the policies over past tickets, writing nothing, and measure adherence",
        description=(
            "Replay the policies over the tickets of a past window as if the agent had been "
            "running, writing nothing anywhere: what it would have sent, and how well the "
            "procedure was followed. Writes DIR/replay.json and DIR/replay.html. Exit 0 "
            "replayed, 1 a service could not be read, 2 invalid configuration, policy or "
            "arguments."
        ),
    )
    parser.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE",
        help="the window's start (YYYY-MM-DD: midnight in AGENT_TIMEZONE; or ISO-8601)",
    )
    parser.add_argument(
        "--to",
        dest="end",
        required=True,
        metavar="DATE",
        help="the window's end (YYYY-MM-DD: the end of that day; or ISO-8601)",
    )
    parser.add_argument(
        "--policy",
        action="extend",
        nargs="+",
        metavar="NAME",
        help="only these policies (one or more names; repeatable)",
    )
    parser.add_argument(
        "--rules", metavar="PATH", help="the rules to replay (default: AGENT_RULES)"
    )
    parser.add_argument(
        "--every", default="60s", metavar="DURATION", help="the cycle interval (default 60s)"
    )
    parser.add_argument(
        "--out",
        default="replay-report",
        metavar="DIR",
        help="where to write (default ./replay-report)",
    )
    parser.add_argument(
        "--compare",
        metavar="OTHER_RULES_PATH",
        help="replay this second rule set on the same history and show both side by side",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="plan every ticket at every step (slow; for checking the fast replay)",
    )
    parser.set_defaults(handler=run_replay, needs_settings=True)
