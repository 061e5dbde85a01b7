"""Checking Jira and Confluence exchanges with openapi-core 0.23.

Each operation gets its validators built once, over a one-path view of its
spec (the full ``components`` stay, for ``$ref``), so openapi-core's path
finder never scans the 400+ Jira paths; the path template and its parameters
are already known from :mod:`tests.support.spec_routes`. Security is not
checked (the specs do not enforce auth; the sandbox's own tests do). On top of
openapi-core: rich-text members (:mod:`tests.support.spec_adf`), and the error
shape of statuses the spec does not describe, where the gap table says so.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError
from jsonschema_path import SchemaPath
from openapi_core import V30ResponseValidator
from openapi_core.datatypes import RequestParameters
from openapi_core.validation.request.validators import (
    V30RequestBodyValidator,
    V30RequestParametersValidator,
)
from openapi_core.validation.response.exceptions import DataValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.support.spec_adf import RichTextChecker
from tests.support.spec_exchange import Exchange
from tests.support.spec_gaps import GapRule, GapTracker
from tests.support.spec_routes import CANONICAL_HOST, RouteMatch
from tests.support.spec_slack import describe_schema_error

# The error body of each service, checked for statuses whose response the spec
# does not describe (only where the gap table says ANY_ERROR_STATUS or
# UNDESCRIBED_ERROR_BODY).
ERROR_SHAPES: dict[str, dict[str, Any]] = {
    "jira": {
        "type": "object",
        "required": ["errorMessages", "errors"],
        "properties": {
            "errorMessages": {"type": "array", "items": {"type": "string"}},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "confluence": {
        "type": "object",
        "required": ["statusCode", "message"],
        "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
    },
}

# yyyy-MM-ddTHH:mm:ss(.SSS)(Z|+hhmm|+hh:mm): Jira's own timestamps.
_JIRA_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})\Z"
)


@dataclass
class _CoreRequest:
    """openapi-core's Request protocol, with the path template already resolved."""

    path: str
    path_pattern: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None
    host_url: str = CANONICAL_HOST


@dataclass
class _CoreResponse:
    """openapi-core's Response protocol."""

    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None


@dataclass
class _OperationValidators:
    request_parameters: V30RequestParametersValidator
    request_body: V30RequestBodyValidator
    response: V30ResponseValidator
    statuses: frozenset[str]  # the response keys: "200", "4XX", "default", ...
    described: frozenset[str]  # those whose response has a `content` in the spec

    def _key(self, status: int) -> str | None:
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in self.statuses:
                return key
        return None

    def documents(self, status: int) -> bool:
        return self._key(status) is not None

    def describes_body(self, status: int) -> bool:
        return self._key(status) in self.described


class OpenApiChecker:
    """Validates exchanges of the Jira and Confluence specs."""

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self._documents = documents
        self._operations: dict[tuple[str, str, str], _OperationValidators] = {}
        self._rich_text = RichTextChecker()
        self._error_shapes = {name: Draft4Validator(s) for name, s in ERROR_SHAPES.items()}

    def _operation(self, spec_name: str, template: str, method: str) -> _OperationValidators:
        key = (spec_name, template, method)
        found = self._operations.get(key)
        if found is None:
            document = self._documents[spec_name]
            path_item = document["paths"][template]
            one_path = SchemaPath.from_dict({**document, "paths": {template: path_item}})
            responses = path_item[method.lower()]["responses"]
            found = _OperationValidators(
                request_parameters=V30RequestParametersValidator(one_path),
                request_body=V30RequestBodyValidator(one_path),
                response=V30ResponseValidator(one_path),
                statuses=frozenset(responses),
                described=frozenset(k for k, v in responses.items() if v.get("content")),
            )
            self._operations[key] = found
        return found

    def check(
        self,
        exchange: Exchange,
        service: str,
        lookup_path: str,
        match: RouteMatch,
        gaps: GapTracker,
    ) -> list[str]:
        validators = self._operation(match.spec, match.template, exchange.method)
        request = _CoreRequest(
            path=lookup_path,
            path_pattern=match.template,
            method=exchange.method.lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(exchange.query_pairs),
                header=Headers(list(exchange.request_headers.items())),
                cookie=ImmutableMultiDict(),
                path=dict(match.params),
            ),
            content_type=exchange.request_content_type,
            body=exchange.request_body or None,
        )
        problems: list[str] = []
        if exchange.check_request:
            for error in validators.request_parameters.iter_errors(request):
                problems.extend(_core_problems("request", error, gaps))
            for error in validators.request_body.iter_errors(request):
                problems.extend(_core_problems("request body", error, gaps))
            problems.extend(self._rich_text_problems(exchange, match, "request", gaps))
        problems.extend(
            self._response_problems(
                exchange,
                service=service,
                match=match,
                validators=validators,
                request=request,
                gaps=gaps,
            )
        )
        return problems

    def _response_problems(
        self,
        exchange: Exchange,
        *,
        service: str,
        match: RouteMatch,
        validators: _OperationValidators,
        request: _CoreRequest,
        gaps: GapTracker,
    ) -> list[str]:
        status = exchange.status
        if not validators.documents(status):
            if gaps.allows(GapRule.ANY_ERROR_STATUS, status):
                return self._error_shape_problems(service, exchange)
            documented = ", ".join(sorted(validators.statuses))
            hint = " - does the sandbox implement it?" if status in (404, 405) else ""
            return [
                f"response: status {status} is not documented for {exchange.method} "
                f"{match.template} (documented: {documented}){hint}"
            ]
        if status == 204 and not exchange.response_body and gaps.allows(GapRule.EMPTY_204, status):
            return []
        undescribed = status >= 400 and not validators.describes_body(status)
        if undescribed and gaps.allows(GapRule.UNDESCRIBED_ERROR_BODY, status):
            return self._error_shape_problems(service, exchange)
        response = _CoreResponse(
            status_code=status,
            headers=Headers(list(exchange.response_headers.items())),
            content_type=exchange.response_content_type,
            data=exchange.response_body or None,
        )
        problems: list[str] = []
        for error in validators.response.iter_errors(request, response):
            where = "response body" if isinstance(error, DataValidationError) else "response"
            problems.extend(_core_problems(where, error, gaps))
        if 200 <= status < 300:
            problems.extend(self._rich_text_problems(exchange, match, "response", gaps))
        return problems

    def _rich_text_problems(
        self, exchange: Exchange, match: RouteMatch, direction: str, gaps: GapTracker
    ) -> list[str]:
        if not match.spec.startswith("jira-"):
            return []
        relative = re.sub(r"^/rest/api/[23]", "", match.template)
        members = self._rich_text.members(exchange.method, relative, direction)
        if not members:
            return []
        raw = exchange.request_body if direction == "request" else exchange.response_body
        try:
            document = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return []  # openapi-core has reported the unreadable body already
        plain_text = match.spec == "jira-v2" and gaps.allows(GapRule.PLAIN_TEXT_BODY)
        return self._rich_text.check(document, members, plain_text=plain_text, direction=direction)

    def _error_shape_problems(self, service: str, exchange: Exchange) -> list[str]:
        try:
            body = json.loads(exchange.response_body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [f"response body: {exchange.status} without a JSON error body: {exc}"]
        return [
            f"response body (error shape) {describe_schema_error(error)}"
            for error in self._error_shapes[service].iter_errors(body)
        ]


def _schema_errors(error: BaseException) -> list[ValidationError]:
    """The jsonschema errors behind an openapi-core error, if it has any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = getattr(current, "schema_errors", None)
        if found:
            return list(found)
        current = current.__cause__
    return []


def _core_problems(where: str, error: BaseException, gaps: GapTracker) -> list[str]:
    """Readable lines for one openapi-core error; Jira-style timestamps pass via the gap table."""
    label = where
    name = getattr(error, "name", None)
    location = getattr(error, "location", None)
    if isinstance(name, str) and isinstance(location, str):
        label = f"{where} {location} parameter {name!r}"
    schema_errors = _schema_errors(error)
    if not schema_errors:
        cause = error.__cause__
        detail = str(error)
        if cause is not None and str(cause) not in detail:
            detail += f" ({cause})"
        return [f"{label}: {_shorten(detail)}"]
    return [
        f"{label} {describe_schema_error(schema_error)}"
        for schema_error in schema_errors
        if not (_is_jira_timestamp(schema_error) and gaps.allows(GapRule.JIRA_DATE_TIME))
    ]


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_jira_timestamp(error: ValidationError) -> bool:
    return (
        error.validator == "format"
        and error.validator_value == "date-time"
        and isinstance(error.instance, str)
        and _JIRA_DATE_TIME.match(error.instance) is not None
    )
