"""Where the built-in policy packs and templates are, in a checkout or an installed wheel.

``agent/bundled/rules``, ``agent/bundled/templates`` and
``agent/bundled/config.example.env`` are symlinks to the top-level files in a
checkout and real files inside a built wheel.
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


def bundled_config_example() -> Path:
    """``config.example.env``, every variable with a comment (``config example`` prints it)."""
    return (_BUNDLED / "config.example.env").resolve()
