"""Jira's ``~`` text search: words, stemming, wildcards and quoted phrases.

An issue's words are tokenised once per issue revision and cached, so a text
query over 10,000 issues does not re-read every description.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.sandbox.jira.jql_parser import JqlError
from agent.sandbox.store import Doc

_WORD = re.compile(r"[\w*?]+")

_token_cache: dict[tuple[str, str], tuple[str, list[str]]] = {}


def stem(word: str) -> str:
    """A light English stemmer, enough for "failures" to match "failure" as Jira does."""
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def tokens_of(doc: Doc, cache_key: str, text_of: Callable[[Doc], str]) -> list[str]:
    """Lower-cased, stemmed words of an issue's text, cached per issue revision."""
    key = (doc["id"], cache_key)
    cached = _token_cache.get(key)
    if cached is not None and cached[0] == doc["_rev"]:
        return cached[1]
    words = [stem(w) for w in re.findall(r"\w+", text_of(doc).lower())]
    _token_cache[key] = (doc["_rev"], words)
    return words


def text_matcher(query: str) -> Callable[[list[str]], bool]:
    """Jira's ``~``: all words present (stemmed, ``*`` for prefixes) or a quoted phrase."""
    stripped = query.strip()
    if len(stripped) > 1 and stripped[0] == stripped[-1] == '"':
        phrase = [stem(w) for w in re.findall(r"\w+", stripped[1:-1].lower())]

        def has_phrase(words: list[str]) -> bool:
            size = len(phrase)
            return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))

        return has_phrase if phrase else (lambda words: False)
    terms = _WORD.findall(stripped.lower())
    if not terms:
        raise JqlError(f"The field text contains no words to search for: '{query}'.")
    checks: list[Callable[[list[str]], bool]] = []
    for term in terms:
        if "*" in term or "?" in term:
            pattern = re.compile(
                "^" + re.escape(term).replace(r"\*", r"\w*").replace(r"\?", r"\w") + "$"
            )
            checks.append(_wildcard_check(pattern))
        else:
            checks.append(_word_check(stem(term)))
    return lambda words: all(check(words) for check in checks)


def _wildcard_check(pattern: re.Pattern[str]) -> Callable[[list[str]], bool]:
    def check(words: list[str]) -> bool:
        return any(pattern.match(word) for word in words)

    return check


def _word_check(wanted: str) -> Callable[[list[str]], bool]:
    def check(words: list[str]) -> bool:
        return wanted in words

    return check
