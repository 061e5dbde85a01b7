"""Exactly once under crashes: the agent process is SIGKILLed at every call boundary.

A learning run plays the drill (every kind of effect) and records which external
calls each cycle makes. Then, for each kill point (cycle, N-th call, before it
is sent or after its answer arrived), the drill is played again from scratch
with the agent killed there, restarted at once, and played to the end. Every
effect must exist exactly once: no duplicate comment, message, row, page or
channel, and nothing missing. A second test deletes the state database before
every cycle: the markers alone must prevent duplicates.
"""

from __future__ import annotations

import signal
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.drill import CYCLES, Drill, Zygote, compare, fresh_sandbox, seed, zygote
from tests.reliability.kill_hook import CALL_LOG, KILL_AT

WORKERS = 2
# Calls that change something: a kill just before one of them matters as well as
# just after (between two reads, "before N+1" is the same moment as "after N").
WRITES = frozenset(
    {
        "add_comment",
        "add_labels",
        "remove_labels",
        "set_priority",
        "add_watcher",
        "add_remote_link",
        "conversations.create",
        "conversations.setTopic",
        "conversations.setPurpose",
        "conversations.invite",
        "conversations.join",
        "chat.postMessage",
        "pins.add",
        "pins.remove",
        "create_page",
        "append_log_row",
        "set_marker",
    }
)


@dataclass(frozen=True)
class KillPoint:
    cycle: int
    call: int
    when: str
    what: str

    def __str__(self) -> str:
        return f"cycle {self.cycle} call {self.call} ({self.what}) {self.when}"


@dataclass(frozen=True)
class Expected:
    mid: Counter[str]
    end: Counter[str]


@dataclass
class Result:
    point: KillPoint
    killed: bool
    duplicates: list[str]
    losses: list[str]
    last_exit: int | None
    problems: list[str]
    note: str = ""  # why a kill point was not reached (the replay's calls differed)

    @property
    def bad(self) -> bool:
        return bool(self.duplicates or self.losses or self.problems or self.last_exit != 0)


def learn(tmp: Path) -> tuple[Counter[str], Counter[str], list[list[str]]]:
    """The drill without faults: its inventory (mid and end) and the calls of each cycle."""
    calls: list[list[str]] = []
    with zygote() as launcher, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, tmp, launcher)
        log = tmp / "calls.log"

        def record(d: Drill, index: int) -> None:
            outcome = d.run_cycle(index, **{CALL_LOG: str(log)})
            assert outcome.code == 0, outcome.text
            calls.append(log.read_text().splitlines() if log.exists() else [])
            log.unlink(missing_ok=True)

        end = drill.play(record)
        return drill.mid, end, calls


def kill_points(calls: list[list[str]]) -> list[KillPoint]:
    """Before and after every write; after every fourth read (to keep the test short)."""
    points = []
    for cycle, names in enumerate(calls):
        for number, name in enumerate(names, start=1):
            if name.split(" ", 1)[1] in WRITES:
                points.append(KillPoint(cycle, number, "before", name))
                points.append(KillPoint(cycle, number, "after", name))
            elif number % 4 == 1:
                points.append(KillPoint(cycle, number, "after", name))
    return points


def run_with_kill(point: KillPoint, launcher: Zygote, expected: Expected) -> Result:
    """The drill from scratch, killed at ``point``, restarted at once, played to the end."""
    killed = False
    problems: list[str] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, fresh_sandbox() as server:
        seed(server)
        drill = Drill(server, Path(tmp), launcher)
        log = Path(tmp) / "calls.log"

        def hook(d: Drill, index: int) -> None:
            nonlocal killed
            if index == point.cycle:
                kill = {KILL_AT: f"{point.call}:{point.when}", CALL_LOG: str(log)}
                outcome = d.run_cycle(index, **kill)
                killed = outcome.signal == signal.SIGKILL
                if not killed:
                    # Not a failure by itself: the restart below still runs and the
                    # inventory is still compared; the point just tested nothing.
                    calls = log.read_text().splitlines() if log.exists() else []
                    notes.append(f"not reached; the cycle made {len(calls)} calls: {calls}")
            outcome = d.run_cycle(index)  # the restart (or the plain cycle)
            if outcome.code not in (0, 1):
                problems.append(f"cycle {index}: {outcome.text[-2000:]}")

        end = drill.play(hook)
        duplicates, losses = compare(expected.end, end)
        mid_duplicates, mid_losses = compare(expected.mid, drill.mid)
        return Result(
            point,
            killed,
            duplicates + [f"{d} (mid-way)" for d in mid_duplicates],
            losses + [f"{lost} (mid-way)" for lost in mid_losses],
            drill.outcomes[-1][1].code,
            problems,
            "; ".join(notes),
        )


def run_share(points: list[KillPoint], expected: Expected) -> list[Result]:
    """One worker's kill points, run one after the other with its own launcher."""
    with zygote() as launcher:
        return [run_with_kill(point, launcher, expected) for point in points]


@pytest.mark.slow
def test_killed_at_every_call_boundary_every_effect_exists_exactly_once(tmp_path: Path) -> None:
    mid, end, calls = learn(tmp_path)
    assert all(count == 1 for count in end.values()), end
    names = " ".join(end)
    for effect in (
        "jira comment",
        "jira label",
        "jira watcher",
        "slack channel",
        "slack member",
        "in thread of",
        ":done#",
        "confluence page Incident summary",
        "confluence log row",
    ):
        assert effect in names, f"the drill does not produce {effect!r}"
    assert any(name.startswith("slack pin") for name in mid), "the drill does not pin"
    points = kill_points(calls)
    assert len(points) >= 50, f"only {len(points)} kill points"

    expected = Expected(mid, end)
    with ThreadPoolExecutor(WORKERS) as pool:
        shares = [pool.submit(run_share, points[n::WORKERS], expected) for n in range(WORKERS)]
        results = [result for share in shares for result in share.result()]

    bad = [r for r in results if r.bad]
    print(f"\n{len(points)} kill points over {len(CYCLES)} cycles")
    for r in sorted(results, key=lambda r: (r.point.cycle, r.point.call, r.point.when)):
        print(
            f"  {r.point}: {'killed' if r.killed else 'NOT REACHED'}; "
            f"duplicates {r.duplicates or 'none'}; losses {r.losses or 'none'}; "
            f"last cycle exit {r.last_exit}"
        )
    print(f"{len(bad)} of {len(points)} kill points left duplicates, losses or a failing cycle")
    assert not bad, "\n".join(
        f"{r.point}: duplicates {r.duplicates}, losses {r.losses}, last exit {r.last_exit}, "
        f"problems {r.problems}"
        for r in bad
    )
    unreached = [r for r in results if not r.killed]
    for r in unreached:
        print(f"  not reached: {r.point}: {r.note}")
    assert sum(r.killed for r in results) >= 50, f"{len(unreached)} kill points not reached"
