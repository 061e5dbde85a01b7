"""Shared plumbing for the Jira routes: one rule serves /rest/api/2, /3 and
/latest, plus request helpers that answer 400s in Jira's words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.json_body import json_body
from agent.sandbox.store import Doc

API_PREFIX = "/rest/api/<any('2','3','latest'):version>"

View = Callable[..., ResponseReturnValue]
NOT_HERE = "The requested resource does not exist in the sandbox."


def _deployment(app: Flask) -> str:
    return str(app.extensions["sandbox"].deployment)


def cloud_only(app: Flask) -> None:
    """404 on Data Center, which lacks the Cloud-only endpoint being served."""
    if _deployment(app) == "datacenter":
        raise ApiError(404, NOT_HERE)


def router(app: Flask, prefix: str = API_PREFIX) -> Callable[..., Callable[[View], View]]:
    """A decorator factory registering a view under every API version."""

    def route(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
        def register(view: View) -> View:
            def versioned(**kwargs: Any) -> ResponseReturnValue:
                if "version" in kwargs:
                    kwargs["version"] = "2" if kwargs["version"] == "latest" else kwargs["version"]
                    if kwargs["version"] == "3" and _deployment(app) == "datacenter":
                        raise ApiError(404, NOT_HERE)  # Data Center has no REST API v3
                return view(**kwargs)

            app.add_url_rule(
                prefix + rule,
                endpoint=f"jira.{view.__name__}",
                view_func=versioned,
                methods=list(methods),
            )
            return view

        return register

    return route


def base_url() -> str:
    """The site URL the request came to (``self`` links must point back at it)."""
    return request.host_url


def actor() -> Doc:
    user: Doc = g.user
    return user


def no_content() -> Response:
    return Response(status=204)


def created(body: Any) -> tuple[Response, int]:
    return jsonify(body), 201


def body_object(*, required: bool = True) -> dict[str, Any]:
    data = json_body(required=required)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "Can not deserialize instance of object out of the request body.")
    return data


def int_arg(name: str, default: int, *, minimum: int = 0) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(
            400, f"The value '{raw}' for the parameter '{name}' is not a number."
        ) from exc
    if value < minimum:
        raise ApiError(400, f"The parameter '{name}' must be at least {minimum}.")
    return value


def list_arg(name: str) -> list[str]:
    """Comma lists and repeated parameters, flattened (``fields=a,b&fields=c``)."""
    values: list[str] = []
    for raw in request.args.getlist(name):
        values.extend(part.strip() for part in raw.split(",") if part.strip())
    return values


def bool_arg(name: str, default: bool = False) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return default
    return raw.lower() in ("true", "1", "yes")
