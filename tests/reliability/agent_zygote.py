"""A pre-loaded agent that forks one child process per CLI run.

The crash test starts a few hundred agent runs; importing the agent costs about
two seconds, forking a loaded interpreter a few milliseconds. The zygote is a
separate, single-threaded process (forking is safe there); every child is a real
agent process running ``agent.cli.main`` with its own environment, which the
test may SIGKILL through :mod:`tests.reliability.kill_hook`.

Protocol: one JSON line per run on stdin ``{"args", "env", "cwd", "out"}``; one
JSON line back ``{"code": exit code or null, "signal": number or null}``. The
child's stdout and stderr go to ``<out>.stdout`` / ``<out>.stderr``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

# Everything an agent run imports, loaded once before forking.
import agent.adapters.confluence_adapter
import agent.adapters.jira_adapter
import agent.adapters.slack_adapter
import agent.cli
import agent.commands.run_command
import agent.render.environment
import agent.runtime.cycle
from agent.render.environment import Renderer, TemplateProblem
from tests.reliability import kill_hook

# ``run`` compiles all bundled templates to validate them, two thirds of a cycle's
# CPU. The drill never overrides them (no AGENT_TEMPLATES), so validate them once
# here, before forking, and let every child reuse the answer.
BUNDLED_PROBLEMS = Renderer().validate()


def _validated_once(_renderer: Renderer) -> list[TemplateProblem]:
    return list(BUNDLED_PROBLEMS)


def _child(job: dict[str, Any]) -> None:
    """Runs in the forked process; never returns."""
    code = 70
    try:
        os.chdir(job["cwd"])
        out = os.open(f"{job['out']}.stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        err = os.open(f"{job['out']}.stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(job["env"])
        if "AGENT_TEMPLATES" not in os.environ:
            setattr(Renderer, "validate", _validated_once)  # noqa: B010
        kill_hook.install_if_requested(os.environ)
        code = agent.cli.main(job["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001 - report it in the child's stderr, then exit
        import traceback

        traceback.print_exception(exc)
        code = 70
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(job)
        _, status = os.waitpid(pid, 0)
        answer = {
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        }
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
