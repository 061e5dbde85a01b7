"""Terminal output: colours and tables on a terminal, plain text in pipes and CI."""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console


def make_console(*, no_color: bool = False, stream: IO[str] | None = None) -> Console:
    """A console that is plain when not a TTY, with ``--no-color`` or ``NO_COLOR``."""
    stream = stream or sys.stdout
    plain = no_color or bool(os.environ.get("NO_COLOR")) or not stream.isatty()
    return Console(
        file=stream,
        no_color=plain,
        color_system=None if plain else "auto",
        highlight=False,
        soft_wrap=True,
        width=None if not plain else 200,
    )


_COLOURS = {"PASS": "green", "WARN": "yellow", "FAIL": "red"}


def status_word(word: str, console: Console) -> str:
    """``PASS``, ``WARN`` or ``FAIL``, coloured on a terminal."""
    if console.no_color:
        return word
    return f"[{_COLOURS.get(word, 'default')}]{word}[/{_COLOURS.get(word, 'default')}]"
