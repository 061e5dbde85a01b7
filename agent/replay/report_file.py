"""Writing ``replay.json`` without holding it: its list of actions is copied from the spool.

The report is a plain dict, except that a long list can be a :class:`Spooled`:
lines that are each one JSON value already, written one a line as they are
read. The rest is indented as ``json.dumps(indent=1)`` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any


@dataclass(frozen=True)
class Spooled:
    """A JSON list whose items are read when written: ``lines()`` gives one encoded item each."""

    lines: Callable[[], Iterable[str]]


def write_json(out: IO[str], value: Any, level: int = 0) -> None:
    """``value`` as indented JSON (one space a level), spooled lists streamed."""
    pad = " " * (level + 1)
    if isinstance(value, Spooled):
        out.write("[")
        first = True
        for line in value.lines():
            out.write(("\n" if first else ",\n") + pad + line)
            first = False
        out.write("]" if first else "\n" + " " * level + "]")
    elif not _spools(value):
        text = json.dumps(value, indent=1, ensure_ascii=False)
        out.write(text.replace("\n", "\n" + " " * level) if level else text)
    elif isinstance(value, dict):
        out.write("{")
        for index, (name, item) in enumerate(value.items()):
            out.write(
                ("\n" if index == 0 else ",\n")
                + pad
                + json.dumps(str(name), ensure_ascii=False)
                + ": "
            )
            write_json(out, item, level + 1)
        out.write("\n" + " " * level + "}")
    else:
        out.write("[")
        for index, item in enumerate(value):
            out.write(("\n" if index == 0 else ",\n") + pad)
            write_json(out, item, level + 1)
        out.write("\n" + " " * level + "]")


def _spools(value: Any) -> bool:
    if isinstance(value, Spooled):
        return True
    if isinstance(value, dict):
        return any(_spools(v) for v in value.values())
    if isinstance(value, list):
        return any(_spools(v) for v in value)
    return False
