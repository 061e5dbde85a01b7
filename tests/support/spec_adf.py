"""Rich-text bodies in Jira traffic: ADF documents in v3, plain strings in v2.

The Jira spec leaves ``Comment.body`` untyped and issue ``fields`` free-form,
so openapi-core cannot tell a valid Atlassian Document Format body from
garbage. Here the known rich-text members are picked out of each exchange and
checked against the official ADF JSON Schema (draft-04) in v3, or required to
be strings in v2 (where the v3-derived spec is wrong about them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match

ADF_SCHEMA_FILE = Path("/work/shared/specs/adf-schema-v1-full.57.7.22.json")

_MAX_CACHED_VERDICTS = 4096
_ISSUE_TEXT = ("fields.description", "fields.environment")
_ISSUE_COMMENTS = ("fields.comment.comments.*.body",)


@dataclass(frozen=True)
class RichTextLocation:
    """Members holding rich text, for one Jira operation (template relative to /rest/api/N)."""

    method: str
    template: str
    request: tuple[str, ...] = ()
    response: tuple[str, ...] = ()


LOCATIONS: tuple[RichTextLocation, ...] = (
    RichTextLocation("POST", "/issue", request=_ISSUE_TEXT),
    RichTextLocation("PUT", "/issue/{issueIdOrKey}", request=_ISSUE_TEXT),
    RichTextLocation("GET", "/issue/{issueIdOrKey}", response=_ISSUE_TEXT + _ISSUE_COMMENTS),
    RichTextLocation(
        "GET",
        "/search/jql",
        response=tuple(f"issues.*.{member}" for member in _ISSUE_TEXT + _ISSUE_COMMENTS),
    ),
    RichTextLocation(
        "POST",
        "/search/jql",
        response=tuple(f"issues.*.{member}" for member in _ISSUE_TEXT + _ISSUE_COMMENTS),
    ),
    RichTextLocation("GET", "/issue/{issueIdOrKey}/comment", response=("comments.*.body",)),
    RichTextLocation(
        "POST", "/issue/{issueIdOrKey}/comment", request=("body",), response=("body",)
    ),
    RichTextLocation("GET", "/issue/{issueIdOrKey}/comment/{id}", response=("body",)),
    RichTextLocation(
        "PUT", "/issue/{issueIdOrKey}/comment/{id}", request=("body",), response=("body",)
    ),
    RichTextLocation(
        "POST", "/issue/{issueIdOrKey}/transitions", request=("update.comment.*.add.body",)
    ),
    RichTextLocation("POST", "/comment/list", response=("values.*.body",)),
)


def _walk(document: Any, steps: list[str], trail: str) -> Iterator[tuple[str, Any]]:
    """Every value at a dotted path (``*`` = each list element), with its JSON path."""
    if not steps:
        yield trail, document
        return
    step, rest = steps[0], steps[1:]
    if step == "*":
        if isinstance(document, list):
            for index, item in enumerate(document):
                yield from _walk(item, rest, f"{trail}[{index}]")
    elif isinstance(document, dict) and step in document:
        yield from _walk(document[step], rest, f"{trail}.{step}")


def rich_text_values(document: Any, members: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    for member in members:
        yield from _walk(document, member.split("."), "$")


class RichTextChecker:
    """Checks rich-text members: ADF against the official schema, or plain strings."""

    def __init__(self, schema_file: Path = ADF_SCHEMA_FILE) -> None:
        self._schema_file = schema_file
        self._locations = {(loc.method, loc.template): loc for loc in LOCATIONS}
        self._verdicts: dict[str, tuple[str, ...]] = {}

    @cached_property
    def _adf(self) -> Draft4Validator:
        with self._schema_file.open(encoding="utf-8") as handle:
            schema = json.load(handle)
        Draft4Validator.check_schema(schema)
        return Draft4Validator(schema)

    def members(self, method: str, relative_template: str, direction: str) -> tuple[str, ...]:
        location = self._locations.get((method.upper(), relative_template))
        if location is None:
            return ()
        return location.request if direction == "request" else location.response

    def adf_problems(self, value: Any) -> list[str]:
        """Why ``value`` is not a valid ADF document (empty if it is).

        Verdicts are cached by the document's canonical JSON: the ADF schema is a
        deep anyOf tree (~2 ms a document) and suites send the same bodies often.
        """
        key = json.dumps(value, sort_keys=True)
        cached = self._verdicts.get(key)
        if cached is None:
            errors = list(self._adf.iter_errors(value))
            cached = (_describe(best_match(errors)),) if errors else ()
            if len(self._verdicts) >= _MAX_CACHED_VERDICTS:
                self._verdicts.clear()
            self._verdicts[key] = cached
        return list(cached)

    def check(
        self, document: Any, members: tuple[str, ...], *, plain_text: bool, direction: str
    ) -> list[str]:
        problems: list[str] = []
        for trail, value in rich_text_values(document, members):
            if value is None:
                continue
            if plain_text:
                if not isinstance(value, str):
                    problems.append(
                        f"{direction} {trail}: v2 rich text must be a plain string, "
                        f"got {type(value).__name__}"
                    )
                continue
            problems.extend(
                f"{direction} {trail}: not a valid ADF document: {reason}"
                for reason in self.adf_problems(value)
            )
        return problems


def _describe(error: ValidationError) -> str:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
    return f"at {where or '(root)'}: {message}"
