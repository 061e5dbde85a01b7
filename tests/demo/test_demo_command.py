"""``escalation-agent demo`` as a new user runs it: an empty folder, no configuration.

The whole simulated day runs in a subprocess with a clean environment (no
``.env``, no variables but PATH and HOME); the summary's counts show every
pack's rules firing, and nothing is left in the working folder.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SUMMARY_LINE = re.compile(r"^  ([a-z][a-z -]+): (\d+)$", re.MULTILINE)
WALL_TIME = re.compile(r"^Finished in (\d+\.\d) s \(wall time\)\.$", re.MULTILINE)


def clean_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def run_demo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", "demo", *args],
        cwd=folder,
        env=clean_env(folder),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.slow
def test_demo_runs_a_day_with_no_configuration(tmp_path: Path) -> None:
    result = run_demo(tmp_path, "--no-color", "--verbose")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    counts = {label: int(n) for label, n in SUMMARY_LINE.findall(out)}
    assert counts["cycles run"] >= 60
    assert counts["escalation channels created"] >= 1
    assert counts["escalations held by a limit"] >= 1
    assert counts["held escalations released"] >= 1
    assert counts["nudges and reminders"] >= 1
    assert counts["call requests"] >= 1
    assert counts["after-hours pages"] >= 1
    assert counts["incident-log rows"] >= 1
    assert counts["pages written"] >= 3
    assert counts["weekly digests"] >= 1
    assert counts["follow-up issues created"] >= 1
    wall = WALL_TIME.search(out)
    assert wall is not None, out[-2000:]
    assert float(wall.group(1)) < 120
    # the sandbox stops with the command: no URL that nothing would answer
    assert "http://" not in out and "Viewer:" not in out
    assert "run 'escalation-agent demo --keep-running' to browse" in " ".join(out.split())
    # what happened first; then, with --verbose, the timeline: a line per notable action,
    # people's acts, and every pack's rules in the story
    assert out.index("Summary") < out.index("Timeline") < out.index("people  Taras resolves")
    out = out[out.index("Timeline") :]
    assert "people  Taras resolves INC-5 with its root cause" in out
    assert "people  Nina reports live scores delayed in #operator-support" in out
    for line in (
        "INC-7   incident-critical/after_hours_page: paged the on-call leads after hours",
        "INC-5   incident-critical/incident_log: added incident-log rows",
        "PS-2    ps-customer-escalation/severity_upgrade: upgraded Sev2 to Sev1",
        "SUP-4   support-p1-p4/postmortem_due: drafted the post-mortem",
        "SUP-3   support-p1-p4/slack_intake: opened its incident thread in Slack",
        "SUP-8   support-p1-p4/slack_intake: copied replies in its Slack thread to the ticket",
        "SUP-8   support-p1-p4/postmortem_due: drafted the post-mortem",
        "DS-6    ds-ticket-escalation/limit_daily: held: daily escalation limit",
        "DS-6    ds-ticket-escalation/limit_daily: released from the hold",
        "(pack)  client-communication/weekly_digest: posted the weekly digest",
        # a follow-up on SUP-4's post-mortem: created, chased the next morning, closed
        "SUP-4   support-p1-p4/followups: tracked the page's action items as Jira issues "
        "(1 follow-up issue, 1 task edit)",
        "Sat 07:00  SUP-4   support-p1-p4/followup_overdue: nudged: follow-up overdue",
        "people  Marco finishes SUP-4's follow-up with the provider",
        "Sat 07:30  SUP-4   support-p1-p4/followups: tracked the page's action items as Jira "
        "issues (1 task edit)",
    ):
        assert line in out, line
    assert "\x1b[" not in out  # plain: no colours and no progress bar in a pipe
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # state and sandbox lived in a temp folder


def test_a_taken_port_is_exit_1_saying_so(tmp_path: Path) -> None:
    """The documented exit codes: 1 when the demo cannot start."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_demo(tmp_path, "--no-color", "--port", str(port))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Port {port} is in use" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
