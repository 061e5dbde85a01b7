"""Whether the sandbox's own libraries are installed, and what to install when they are not.

The built-in sandbox (the ``sandbox`` and ``demo`` commands, and the tests) serves HTTP with
Flask, parses JQL and CQL with lark and checks Jira's ADF bodies with jsonschema; the agent
itself uses none of them, so they come with the ``[sandbox]`` extra and a production install
stays without them. The commands that start the sandbox ask here first and, when something
is missing, say what to install instead of failing on an import.
"""

from __future__ import annotations

import importlib

from rich.console import Console

SANDBOX_LIBRARIES = ("flask", "lark", "jsonschema")
INSTALL_HINT = "pip install 'escalation-agent[sandbox]'"


def missing_sandbox_libraries() -> list[str]:
    """The sandbox's libraries that cannot be imported here, in a fixed order."""
    missing = []
    for name in SANDBOX_LIBRARIES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def sandbox_is_installed(console: Console, command: str) -> bool:
    """True when the sandbox can run; else print what ``command`` needs, and False."""
    missing = missing_sandbox_libraries()
    if not missing:
        return True
    console.print(
        f"'escalation-agent {command}' needs the built-in sandbox, whose libraries are not "
        f"installed here (missing: {', '.join(missing)}). Install them with:\n"
        f"  {INSTALL_HINT}\n"
        "(or, in a checkout, pip install -e '.[sandbox]'). The agent itself runs without them.",
        markup=False,
    )
    return False
