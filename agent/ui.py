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


def status_word(ok: bool, console: Console) -> str:
    if console.no_color:
        return "PASS" if ok else "FAIL"
    return "[green]PASS[/green]" if ok else "[red]FAIL[/red]"
