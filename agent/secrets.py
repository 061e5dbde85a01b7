"""Secret values that refuse to be printed, and a redactor for text that might hold them."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


class Secret:
    """A credential. ``str()``/``repr()`` show ``***``; only :meth:`reveal` gives the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


class Redactor:
    """Replaces every known secret value in a text with ``***``.

    Used by the logging filter and by error reporting, so a token that an SDK
    echoes back in an exception never reaches a log line or the terminal.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self.add(*secrets)

    def add(self, *values: str) -> None:
        for value in values:
            # very short values would mask ordinary words; real tokens are long
            if value and len(value) >= 6 and value not in self._values:
                self._values.append(value)
        self._values.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)
