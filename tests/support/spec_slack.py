"""Checking Slack Web API traffic against slack-api-specs (converted to OpenAPI 3).

openapi-core cannot check Slack traffic as sent by real clients (see the
SLACK_* entries of the gap table), so Slack is checked on what the spec does
get right: the method exists, its required arguments are present (from the
query, a form body or a JSON body), and the response matches the method's
success schema (``ok: true``) or its error schema (``ok: false``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from jsonschema.exceptions import ValidationError, best_match
from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.support.spec_exchange import Exchange
from tests.support.spec_gaps import SLACK_COMMON_ERROR_NAMES, GapRule, GapTracker
from tests.support.spec_routes import HTTP_METHODS

SPEC_URI = "urn:spec:slack"


@dataclass(frozen=True)
class SlackOperation:
    """What the spec says about one Slack method."""

    name: str
    http_method: str
    pointer: str  # JSON pointer of the operation in the spec document
    required_args: frozenset[str]
    has_error_schema: bool


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _arguments(exchange: Exchange) -> tuple[dict[str, Any], list[str]]:
    """All arguments of a Slack call, wherever the client put them."""
    problems: list[str] = []
    args: dict[str, Any] = dict(exchange.query_pairs)
    content_type = exchange.request_content_type
    body = exchange.request_body
    if not body:
        return args, problems
    if content_type.startswith("application/x-www-form-urlencoded"):
        args.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type.startswith("application/json"):
        try:
            parsed = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"request body: invalid JSON: {exc}")
        else:
            if isinstance(parsed, dict):
                args.update(parsed)
            else:
                problems.append("request body: a JSON body must be an object")
    elif not content_type.startswith("multipart/form-data"):
        problems.append(f"request body: unsupported content type {content_type!r}")
    return args, problems


class SlackChecker:
    """Validates Slack exchanges; compiled schema validators are cached per method."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        self._registry: Registry[Any] = Registry().with_resource(
            SPEC_URI, Resource.from_contents(document, default_specification=DRAFT4)
        )
        self._operations: dict[str, SlackOperation] = {}
        for path, item in document["paths"].items():
            for verb, operation in item.items():
                if verb in HTTP_METHODS:
                    self._operations[path] = self._describe(path, verb, operation)
        self._validators: dict[str, OAS30ReadValidator] = {}

    @staticmethod
    def _describe(path: str, verb: str, operation: dict[str, Any]) -> SlackOperation:
        required = {
            str(param["name"])
            for param in operation.get("parameters", [])
            if param.get("required") and param.get("in") != "path"
        }
        for media in operation.get("requestBody", {}).get("content", {}).values():
            required.update(media.get("schema", {}).get("required", []))
        responses = operation.get("responses", {})
        return SlackOperation(
            name=path.rsplit("/", 1)[-1],
            http_method=verb.upper(),
            pointer=f"/paths/{_escape(path)}/{verb}",
            required_args=frozenset(required),
            has_error_schema="default" in responses,
        )

    def operation(self, path: str) -> SlackOperation | None:
        return self._operations.get(path)

    def _validator(self, pointer: str) -> OAS30ReadValidator:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = OAS30ReadValidator(
                {"$ref": f"{SPEC_URI}#{pointer}"},
                registry=self._registry,
                format_checker=oas30_format_checker,
            )
            self._validators[pointer] = validator
        return validator

    def check(self, exchange: Exchange, operation: SlackOperation, gaps: GapTracker) -> list[str]:
        problems: list[str] = []
        if exchange.check_request:
            problems.extend(self._request_problems(exchange, operation, gaps))
        problems.extend(self._response_problems(exchange, operation, gaps))
        return problems

    def _request_problems(
        self, exchange: Exchange, operation: SlackOperation, gaps: GapTracker
    ) -> list[str]:
        problems: list[str] = []
        if exchange.method != operation.http_method and not (
            exchange.method in ("GET", "POST") and gaps.allows(GapRule.SLACK_ANY_HTTP_METHOD)
        ):
            problems.append(
                f"request: {operation.name} is {operation.http_method} in the spec, "
                f"got {exchange.method}"
            )
        if exchange.request_content_type.startswith("application/json") and not gaps.allows(
            GapRule.SLACK_JSON_BODY
        ):
            problems.append("request: the spec describes form bodies only, got JSON")
        args, body_problems = _arguments(exchange)
        problems.extend(body_problems)
        missing = set(operation.required_args) - set(args)
        bearer = exchange.request_header("authorization").lower().startswith("bearer ")
        if "token" in missing and bearer and gaps.allows(GapRule.SLACK_BEARER_TOKEN):
            missing.discard("token")
        problems.extend(
            f"request: required argument {name!r} of {operation.name} is missing"
            for name in sorted(missing)
        )
        return problems

    def _response_problems(
        self, exchange: Exchange, operation: SlackOperation, gaps: GapTracker
    ) -> list[str]:
        if not exchange.response_content_type.startswith("application/json"):
            return [f"response: content type {exchange.response_content_type!r} is not JSON"]
        try:
            body = json.loads(exchange.response_body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return [f"response body: invalid JSON: {exc}"]
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            return ['response body: must be an object with a boolean "ok"']
        if body["ok"]:
            if exchange.status != 200:
                return [f"response: ok:true with HTTP {exchange.status}, the spec says 200"]
            return self._schema_problems(f"{operation.pointer}/responses/200", body, gaps)
        if not operation.has_error_schema:
            return ["response: the spec documents no error response for this method"]
        if exchange.status == 200 and not gaps.allows(GapRule.SLACK_ERROR_AT_200, 200):
            return ["response: ok:false at HTTP 200 is not in the spec's 200 schema"]
        if exchange.status not in (200, 429) and exchange.status < 500:
            return [f"response: Slack errors come at HTTP 200 (or 429/5xx), got {exchange.status}"]
        return self._schema_problems(f"{operation.pointer}/responses/default", body, gaps)

    def _schema_problems(
        self, response_pointer: str, body: dict[str, Any], gaps: GapTracker
    ) -> list[str]:
        schema_pointer = f"{response_pointer}/content/application~1json/schema"
        problems: list[str] = []
        for error in self._validator(schema_pointer).iter_errors(body):
            if (
                error.validator == "enum"
                and list(error.absolute_path) == ["error"]
                and error.instance in SLACK_COMMON_ERROR_NAMES
                and gaps.allows(GapRule.SLACK_COMMON_ERRORS)
            ):
                continue
            problems.append(f"response body {describe_schema_error(error)}")
        return problems


def describe_schema_error(error: ValidationError) -> str:
    """``$.a.b[0]: message`` with long messages cut, and the best sub-error of anyOf."""
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    message = error.message
    if error.validator in ("anyOf", "oneOf") and isinstance(error.validator_value, list):
        message = f"matches none of the {len(error.validator_value)} allowed shapes"
    if len(message) > 240:
        message = message[:237] + "..."
    if error.context:
        inner = best_match(error.context)
        inner_where = "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in inner.relative_path
        )
        message += f" (closest: {inner_where or '(here)'}: {inner.message[:160]})"
    return f"{where}: {message}"
