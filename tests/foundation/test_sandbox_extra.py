"""The sandbox's libraries are an extra: the agent runs without them, and the commands
that start the sandbox say what to install.

"Without them" is made real in a child interpreter where importing Flask, lark or
jsonschema fails as it does when they are not installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from agent.commands.sandbox_extra import INSTALL_HINT, SANDBOX_LIBRARIES

ROOT = Path(__file__).resolve().parents[2]

_WITHOUT_THE_EXTRA = f"""
import sys
for name in {SANDBOX_LIBRARIES!r}:
    sys.modules[name] = None  # import now fails with ModuleNotFoundError, as if not installed
"""


def _without_the_extra(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_THE_EXTRA + code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )


def test_every_module_outside_the_sandbox_and_the_demo_imports_without_the_extra() -> None:
    done = _without_the_extra(
        """
import importlib, pkgutil
import agent
names = [m.name for m in pkgutil.walk_packages(agent.__path__, "agent.")]
for name in names:
    if not name.startswith(("agent.sandbox.", "agent.demo.")):
        importlib.import_module(name)
print(len(names))
"""
    )

    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 200  # it walked the package


def test_demo_and_sandbox_say_what_to_install() -> None:
    for command in ("demo", "sandbox"):
        done = _without_the_extra(
            f"from agent.cli import main\nsys.exit(main([{command!r}, '--no-color']))"
        )

        assert done.returncode == 1, done.stderr
        assert f"'escalation-agent {command}' needs the built-in sandbox" in done.stdout
        assert "missing: flask, lark, jsonschema" in done.stdout
        assert INSTALL_HINT in done.stdout
        assert "Traceback" not in done.stderr


def test_the_extra_holds_the_sandbox_libraries_and_the_tests_and_quick_start_get_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[\[<>=!~ ;]", r, maxsplit=1)[0].lower() for r in requirements}

    extras = project["optional-dependencies"]
    assert names(extras["sandbox"]) == set(SANDBOX_LIBRARIES)
    assert not names(project["dependencies"]) & set(SANDBOX_LIBRARIES)
    assert "escalation-agent[sandbox]" in extras["test"]
    assert "escalation-agent[test]" in extras["dev"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pip install -q '.[sandbox]' && .venv/bin/escalation-agent demo" in readme
