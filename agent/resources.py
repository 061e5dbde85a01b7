"""Where the built-in policy packs and templates are, in a checkout or an installed wheel.

``agent/bundled/rules`` and ``agent/bundled/templates`` are symlinks to the
top-level folders in a checkout and real folders inside a built wheel.
"""

from __future__ import annotations

from pathlib import Path

_BUNDLED = Path(__file__).resolve().parent / "bundled"


def bundled_rules_dir() -> Path:
    """The five policy packs that ship with the agent."""
    return (_BUNDLED / "rules").resolve()


def bundled_templates_dir() -> Path:
    """The built-in Jinja2 templates (``confluence/``, ``slack/``, ``jira/``)."""
    return (_BUNDLED / "templates").resolve()
