"""Slack channel names from a policy template: ``ds-{number}-{summary}`` -> ``ds-1234-eu-fails``.

Slack accepts lowercase letters (other scripts too), digits, ``-`` and ``_``,
at most 80 characters, and refuses a few reserved words. Ticket summaries hold
anything, so they are cleaned here: Latin accents are transliterated (NFKD),
emoji and other symbols become separators, runs of separators collapse, and a
long summary is cut at a word boundary, never the fixed parts of the template.
Pure functions, no I/O.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping

MAX_CHANNEL_NAME = 80
SEPARATORS = "-_"
# Names Slack keeps for itself (mentions and its own pages).
RESERVED_NAMES = frozenset(
    {
        "archive",
        "archived",
        "archives",
        "channel",
        "channels",
        "everyone",
        "group",
        "groups",
        "here",
    }
)
DEFAULT_FALLBACK = "escalation"
_KEPT_LETTERS = frozenset({"Ll", "Lo", "Lm"})
_MARKS = frozenset({"Mn", "Mc", "Me"})
# Latin letters NFKD does not decompose into ASCII.
_LATIN_EXTRA = {
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŀ": "l",
    "ŋ": "n",
}
# Apostrophes vanish instead of splitting a word: "customer's" -> "customers".
_SILENT = frozenset("'’‘ʼ`´")
_SEPARATOR_RUN = re.compile(r"[-_]{2,}")


def _collapse(run: str) -> str:
    return "-" if "-" in run else "_"


def _clean(text: str) -> str:
    """Lowercase name characters, everything else a ``-``; separators not yet collapsed."""
    out: list[str] = []
    after_foreign_letter = False  # a combining mark is kept only on a non-Latin letter
    for char in unicodedata.normalize("NFKD", text).lower():
        category = unicodedata.category(char)
        if category in _MARKS:
            if after_foreign_letter:
                out.append(char)
            continue
        after_foreign_letter = False
        if (char.isascii() and char.isalnum()) or char in SEPARATORS:
            out.append(char)
        elif char in _LATIN_EXTRA:
            out.append(_LATIN_EXTRA[char])
        elif category == "Nd":
            out.append(str(unicodedata.decimal(char)))
        elif category in _KEPT_LETTERS:
            out.append(char)
            after_foreign_letter = True
        elif char in _SILENT or category == "Cf":
            continue  # apostrophes, zero-width joiners, direction marks
        else:
            out.append("-")  # spaces, punctuation, emoji and other symbols
    return "".join(out)


def _finish(text: str) -> str:
    collapsed = _SEPARATOR_RUN.sub(lambda m: _collapse(m.group(0)), text)
    return unicodedata.normalize("NFKC", collapsed).strip(SEPARATORS)


def slugify(text: str) -> str:
    """``text`` as a piece of a channel name (may be empty, may exceed 80 characters)."""
    return _finish(_clean(text))


def is_usable(name: str) -> bool:
    """Whether Slack would accept ``name`` for a new channel."""
    return (
        0 < len(name) <= MAX_CHANNEL_NAME
        and name not in RESERVED_NAMES
        and not all(char in SEPARATORS for char in name)
        and slugify(name) == name
    )


def cut_at_word(name: str, limit: int) -> str:
    """``name`` within ``limit`` characters, cut at the last separator when there is one."""
    if len(name) <= limit:
        return name
    head = name[: limit + 1]
    boundary = max(head.rfind("-"), head.rfind("_"))
    cut = head[:boundary] if boundary > 0 else name[:limit]
    return cut.strip(SEPARATORS)


def _fields(template: str) -> list[tuple[str, str | None]]:
    """``(literal text, field name)`` pairs; raises ValueError for a malformed template."""
    parsed: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if spec or conversion:
            raise ValueError(f"{template!r}: placeholders take no format spec or conversion")
        if name is not None and (not name.isidentifier()):
            raise ValueError(f"{template!r}: {{{name}}} is not a plain placeholder name")
        parsed.append((literal, name))
    return parsed


def _render(parts: list[tuple[str, str | None]], slugs: Mapping[str, str]) -> str:
    return _finish(
        "".join(_clean(literal) + (slugs[name] if name else "") for literal, name in parts)
    )


def _fit_longest(
    parts: list[tuple[str, str | None]], slugs: dict[str, str], field_name: str
) -> str:
    """Drop words from the end of ``field_name``'s value until the name fits."""
    words = re.split(r"(?<=[-_])", slugs[field_name])  # keep each separator on its word
    for count in range(len(words) - 1, -1, -1):
        candidate = _render(parts, {**slugs, field_name: "".join(words[:count])})
        if len(candidate) <= MAX_CHANNEL_NAME:
            if count == 0 and words:
                return _fit_first_word(parts, slugs, field_name, words[0])
            return candidate
    return cut_at_word(_render(parts, {**slugs, field_name: ""}), MAX_CHANNEL_NAME)


def _fit_first_word(
    parts: list[tuple[str, str | None]], slugs: dict[str, str], field_name: str, word: str
) -> str:
    """No whole word fits (a long word, or a script without spaces): keep a piece of the first."""
    for length in range(len(word) - 1, 0, -1):
        candidate = _render(parts, {**slugs, field_name: word[:length]})
        if len(candidate) <= MAX_CHANNEL_NAME:
            return candidate
    return _render(parts, {**slugs, field_name: ""})


def _fallback(parts: list[tuple[str, str | None]], values: Mapping[str, object]) -> str:
    """The template's leading text plus the ticket number (or key): ``ds-1234``."""
    prefix = _clean(parts[0][0]) if parts else ""
    number = values.get("number") or values.get("key") or ""
    name = cut_at_word(_finish(f"{prefix}-{_clean(str(number))}"), MAX_CHANNEL_NAME)
    return name if is_usable(name) else DEFAULT_FALLBACK


def channel_name(template: str, values: Mapping[str, object]) -> str:
    """A valid Slack channel name from ``template`` filled with ``values``; never empty.

    The longest value (the summary, in practice) is shortened word by word when
    the name would pass 80 characters. Raises KeyError for a placeholder with no value.
    """
    parts = _fields(template)
    names = [name for _, name in parts if name]
    missing = [name for name in names if name not in values]
    if missing:
        raise KeyError(f"no value for placeholder(s) {missing} of channel template {template!r}")
    slugs = {name: slugify(str(values[name])) for name in names}
    name = _render(parts, slugs)
    if len(name) > MAX_CHANNEL_NAME:
        longest = max(names, key=lambda n: len(slugs[n])) if names else None
        if longest is None:
            name = cut_at_word(name, MAX_CHANNEL_NAME)
        else:
            name = _fit_longest(parts, slugs, longest)
    return name if is_usable(name) else _fallback(parts, values)


def with_suffix(name: str, number: int) -> str:
    """``name-<number>`` within 80 characters (the base is cut at a word boundary)."""
    if number < 2:
        raise ValueError("suffixes start at 2: the first candidate is the plain name")
    suffix = f"-{number}"
    return cut_at_word(name, MAX_CHANNEL_NAME - len(suffix)) + suffix
