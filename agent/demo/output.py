"""What the demo prints: a progress bar with the simulated time on a terminal while the
day runs, then what happened in plain words (the summary a PM reads: channels opened,
people nudged, calls asked for, pages written, limits held and released); with
``--verbose`` the counts by kind and rule, and the timeline after it: one line per
notable action with its rule, the people's acts. Plain lines in pipes and CI.

The timeline is kept until the end so the summary comes first. Repeated reminders
(the same nudge every interval) are counted, not listed: they would drown the story.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from agent.core.keys import ActionKey
from agent.demo.journal import Happening
from agent.demo.summary import Tally
from agent.runtime.report import ActionFailure


def when(moment: datetime) -> str:
    return moment.strftime("%a %H:%M")


class DemoOutput:
    """Shows progress as the day goes and keeps its timeline; use as a context manager
    around the cycles, then call ``summary``."""

    def __init__(self, console: Console, total_cycles: int, *, verbose: bool = False) -> None:
        self.console = console
        self.plain = console.no_color or not console.is_terminal
        self.verbose = verbose
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._total = total_cycles
        self._timeline: list[tuple[str, str | None]] = []  # (line, style), in order

    def __enter__(self) -> DemoOutput:
        if not self.plain:
            self._progress = Progress(
                TextColumn("[bold]simulated {task.description} UTC"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cycles"),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self._total)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    # -- during the day -----------------------------------------------------------------
    def intro(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.console.print(line, markup=False, highlight=False)

    def clock(self, now: datetime) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=when(now))

    def act(self, moment: datetime, story: str) -> None:
        self._timeline.append((f"{when(moment)}  people  {story}", "dim"))

    def happened(self, lines: Iterable[Happening]) -> None:
        for line in lines:
            if line.repeat:
                continue
            text = (
                f"{when(line.at)}  {line.subject:<7} {line.policy}/{line.name}: "
                f"{line.what} ({line.made})"
            )
            self._timeline.append((text, "yellow" if line.holds else None))

    def failed(self, moment: datetime, failure: ActionFailure) -> None:
        """First failure of an action (it is retried every cycle; the summary lists it)."""
        self._timeline.append((f"{when(moment)}  {failure_text(failure)}", "red"))

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    # -- at the end -----------------------------------------------------------------------
    def summary(
        self, tally: Tally, pages: Iterable[tuple[str, list[tuple[str, str | None]]]] = ()
    ) -> None:
        """What happened: the counts, then ``pages`` ((heading, [(title, url or None)])
        sections), holds and failures; with ``verbose`` the counts by kind and by rule and
        then the timeline, else a line saying how to see it."""
        print_ = self.console.print
        print_("")
        print_("Summary", style="bold", markup=False)
        for label, count in tally.headline():
            print_(f"  {label}: {count}", markup=False)
        for heading, links in pages:
            if links:
                print_(heading, style="bold", markup=False)
                for title, url in links:
                    print_(f"  {title}  {url}" if url else f"  {title}", markup=False)
        if tally.held:
            print_(f"Held by a limit: {', '.join(sorted(tally.held, key=_issue_order))}")
        if tally.failed:
            print_("Still failing (the agent retries them every cycle)", style="bold")
            texts = Counter(failure_text(f) for f in sorted(tally.failed.values(), key=_by_key))
            for text, times in texts.items():
                print_(f"  {text}{f' (x{times})' if times > 1 else ''}", markup=False)
        if not self.verbose:
            print_(
                f"\nThe timeline ({len(self._timeline)} lines: each action with its rule, "
                "and what people did) is shown with --verbose.",
                markup=False,
            )
            return
        print_("Actions by kind", style="bold", markup=False)
        for kind, count in sorted(tally.by_kind.items()):
            print_(f"  {kind}: {count}", markup=False)
        print_("Actions by pack and rule", style="bold", markup=False)
        for (policy, rule), count in sorted(tally.by_rule.items()):
            print_(f"  {policy}/{rule}: {count}", markup=False)
        print_(
            "Timeline (UTC; 'people' lines are what the staff do between cycles)",
            style="bold",
            markup=False,
        )
        for text, style in self._timeline:
            print_(text, markup=False, style=style)


def failure_text(failure: ActionFailure) -> str:
    """``PS-2    failed: severity_upgrade jira.set_field: <why>`` (the rule by its pack name)."""
    name = ActionKey.parse(failure.key).rule
    return f"{failure.issue or '(pack)':<7} failed: {name} {failure.kind}: {short_error(failure)}"


def short_error(failure: ActionFailure) -> str:
    """The error without the exception name and the (long) effect key it repeats."""
    _name, _, text = failure.error.partition(": ")
    text = text or failure.error
    return text.removeprefix(f"{failure.key}: ")


def _by_key(failure: ActionFailure) -> str:
    return failure.key


def _issue_order(key: str) -> tuple[str, int]:
    project, _, number = key.partition("-")
    return project, int(number) if number.isdigit() else 0
