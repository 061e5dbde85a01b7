"""Errors raised by sandbox handlers, rendered in each service's own error shape.

Handlers raise :class:`ApiError` (or :class:`SlackError`); the app turns it into
Jira's ``{"errorMessages", "errors"}``, Confluence's ``{"statusCode", "message"}``
or Slack's ``{"ok": false, "error"}`` depending on which service was called.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A client-visible error with an HTTP status and a message."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


class SlackError(ApiError):
    """Slack's way: HTTP 200 (unless told otherwise) with ``{"ok": false, "error": name}``."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(status, error, headers=headers)
        self.error = error
        self.extra = extra


def render(service: str, error: ApiError) -> tuple[dict[str, Any], int]:
    """The JSON body and status a real service would send for this error."""
    if service == "slack":
        name = error.error if isinstance(error, SlackError) else _slack_name(error.status)
        body: dict[str, Any] = {"ok": False, "error": name}
        if isinstance(error, SlackError):
            body.update(error.extra)
        return body, error.status if isinstance(error, SlackError) else _slack_status(error.status)
    if service == "confluence":
        return (
            {
                "statusCode": error.status,
                "data": {
                    "authorized": error.status not in (401, 403),
                    "valid": error.status < 500,
                    "errors": [
                        {"message": {"key": k, "args": [v]}} for k, v in error.errors.items()
                    ],
                    "successful": False,
                },
                "message": error.message,
            },
            error.status,
        )
    # Jira, and the control surface
    return {"errorMessages": [error.message] if error.message else [], "errors": error.errors}, (
        error.status
    )


def _slack_name(status: int) -> str:
    return {
        401: "invalid_auth",
        404: "unknown_method",
        413: "request_too_large",
        429: "ratelimited",
        400: "invalid_arguments",
    }.get(status, "fatal_error" if status >= 500 else "invalid_arguments")


def _slack_status(status: int) -> int:
    # Slack answers most errors with 200; rate limits and server faults keep their status.
    return status if status == 429 or status >= 500 else 200
