"""Turns what the jira, atlassian, slack_sdk, requests and urllib libraries raise into
:class:`~agent.adapters.service_errors.ServiceError` subclasses, with the service's own error text.

Where each library keeps the facts (read from their sources):
``JIRAError.status_code/.response``; atlassian's ``ApiError.reason`` (the
``requests.HTTPError``) or a bare ``HTTPError`` from ``raise_for_status``;
``SlackApiError.response`` (``status_code``, ``data["error"]``, ``headers``).
"""

from __future__ import annotations

import http.client
import urllib.error
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import requests
from atlassian.errors import ApiConflictError, ApiNotFoundError, ApiPermissionError
from atlassian.errors import ApiError as AtlassianApiError
from jira.exceptions import JIRAError
from slack_sdk.errors import SlackApiError, SlackClientError

from agent.adapters.retry import parse_reset_time, parse_retry_after
from agent.adapters.service_errors import (
    CREDENTIAL_VARIABLES,
    SERVICE_TITLES,
    URL_VARIABLES,
    AuthFailed,
    BadRequest,
    ChannelArchived,
    ChannelNotFound,
    Conflict,
    MissingScope,
    NotFound,
    NotInChannel,
    PermissionDenied,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    UnexpectedAnswer,
)
from agent.secrets import Redactor

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_DETAIL_CHARS = 300

SLACK_AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
SLACK_NOT_FOUND_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "message_not_found",
        "thread_not_found",
        "no_item_specified",
        "not_pinned",
        "no_such_subteam",
        "subteam_not_found",
        "unknown_method",
    }
)
SLACK_CONFLICT_ERRORS = frozenset(
    {"name_taken", "already_pinned", "already_in_channel", "already_archived", "already_reacted"}
)
SLACK_PERMISSION_ERRORS = frozenset(
    {
        "not_allowed_token_type",
        "no_permission",
        "restricted_action",
        "not_authorized",
        "access_denied",
        "cant_invite_self",
        "cant_invite",
        "user_is_restricted",
        "team_access_not_granted",
        "ekm_access_denied",
        "channel_is_archived",
    }
)
SLACK_SERVER_ERRORS = frozenset({"fatal_error", "internal_error", "request_timeout"})


def classify(
    exc: BaseException, *, service: str, operation: str, redactor: Redactor, now: datetime
) -> ServiceError | None:
    """The :class:`ServiceError` for an exception an SDK raised, or ``None`` if it is not one.

    ``None`` means the exception is not a service failure (a bug, a ``TypeError``):
    the caller lets it propagate unchanged. ``now`` (UTC) reads ``Retry-After`` dates.
    Every message passes through ``redactor``.
    """
    make = _Maker(service, operation, redactor)
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, JIRAError):
        return _from_jira(make, exc, now)
    if isinstance(exc, AtlassianApiError):
        return _from_atlassian(make, exc, now)
    if isinstance(exc, SlackApiError):
        return _from_slack(make, exc, now)
    if isinstance(exc, SlackClientError):
        return make(BadRequest, f"the Slack client refused the request: {make.clip(str(exc))}")
    if isinstance(exc, requests.HTTPError):
        if exc.response is None:
            message = f"HTTP error without a response: {make.clip(str(exc))}"
            return make(ServiceUnavailable, message, retryable=False)
        return _from_response(make, exc.response, now, library_text=str(exc))
    if isinstance(exc, requests.Timeout | TimeoutError):
        return _timed_out(make, exc)
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return _unreachable(make, exc)
    if isinstance(exc, requests.JSONDecodeError):
        variable = URL_VARIABLES.get(make.service, "the URL")
        return make(
            UnexpectedAnswer,
            f"{make.title} answered something that is not JSON ({make.clip(str(exc))}); is a "
            f"proxy or sign-in page in front of it? check {variable}",
        )
    if isinstance(exc, requests.RequestException):
        return make(
            BadRequest,
            f"the request could not be sent ({type(exc).__name__}: {make.clip(str(exc))}); "
            f"check {URL_VARIABLES.get(service, 'the service URL')}",
        )
    if isinstance(exc, urllib.error.HTTPError):
        detail = make.clip(exc.reason if isinstance(exc.reason, str) else str(exc))
        headers = dict(exc.headers.items()) if exc.headers else None
        return _from_status(make, exc.code, detail, _retry_after(headers, now))
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return _timed_out(make, exc)
        return _unreachable(make, exc)
    if isinstance(exc, ConnectionError | http.client.HTTPException):
        return _unreachable(make, exc)
    return None


class _Maker:
    """Builds errors for one service and operation, redacting every message."""

    def __init__(self, service: str, operation: str, redactor: Redactor) -> None:
        self.service = service
        self.operation = operation
        self.redactor = redactor

    @property
    def title(self) -> str:
        return SERVICE_TITLES.get(self.service, self.service)

    def clip(self, text: str) -> str:
        """Service text, redacted first: clipping first could cut a token and keep half of it."""
        return _clip(self.redactor(text))

    def __call__(
        self,
        kind: type[ServiceError],
        message: str,
        status: int | None = None,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> ServiceError:
        return kind(
            self.service,
            self.operation,
            self.redactor(message),
            status,
            reason=reason,
            retry_after=retry_after,
            retryable=retryable,
        )


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def _timed_out(make: _Maker, exc: BaseException) -> ServiceError:
    return make(
        ServiceUnavailable,
        f"{make.title} did not answer in time ({type(exc).__name__}: {make.clip(str(exc))})",
        reason="timeout",
    )


def _unreachable(make: _Maker, exc: BaseException) -> ServiceError:
    return make(
        ServiceUnavailable,
        f"could not reach {make.title} ({type(exc).__name__}: {make.clip(str(exc))}); "
        f"if this persists, check {URL_VARIABLES.get(make.service, 'the URL')} and the network",
        reason="connection",
    )


def _from_status(
    make: _Maker,
    status: int,
    detail: str,
    retry_after: float | None,
    *,
    login_denied: str | None = None,
) -> ServiceError:
    """The error for an HTTP status, with the service's own error text as ``detail``."""
    said = f": {detail}" if detail else ""
    # The service's own text often ends with a full stop; the advice that follows starts anew.
    stop = "" if said.endswith(".") else "."
    credentials = CREDENTIAL_VARIABLES.get(make.service, "the credentials")
    if status == 401:
        return make(
            AuthFailed,
            f"{make.title} rejected the credentials (HTTP 401){said}{stop} Check {credentials}",
            status,
        )
    if status == 403 and login_denied:
        return make(
            AuthFailed,
            f"{make.title} refused the login ({login_denied}): log in once in a browser "
            f"as the agent's account to clear it, then check {credentials}",
            status,
        )
    if status == 403:
        return make(
            PermissionDenied,
            f"the agent's account is not allowed to do this (HTTP 403){said}{stop} "
            f"Grant it the needed {make.title} permission",
            status,
        )
    if status == 404:
        return make(NotFound, f"not found (HTTP 404){said}", status)
    if status == 409:
        return make(
            Conflict,
            f"conflict (HTTP 409){said}{stop} It changed since the agent read it; "
            "read it again before writing",
            status,
        )
    if status == 429:
        wait = f", asked to wait {retry_after:g} s" if retry_after is not None else ""
        return make(
            RateLimited,
            f"{make.title} is rate limiting the agent (HTTP 429{wait}){said}",
            status,
            retry_after=retry_after,
        )
    if status >= 500:
        return make(
            ServiceUnavailable,
            f"{make.title} had a server error (HTTP {status}){said}",
            status,
            retry_after=retry_after,
            retryable=status in RETRYABLE_STATUSES,
        )
    return make(BadRequest, f"{make.title} rejected the request (HTTP {status}){said}", status)


def _atlassian_detail(make: _Maker, response: requests.Response) -> str:
    """Jira's ``errorMessages``/``errors`` or Confluence's ``message``, joined."""
    try:
        data: Any = response.json()
    except ValueError:
        text = response.text or ""
        html = "html" in response.headers.get("Content-Type", "")
        return make.clip(text) if text.strip() and not html else (response.reason or "")
    parts: list[str] = []
    if isinstance(data, dict):
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            parts.extend(str(m) for m in messages if m)
        errors = data.get("errors")
        if isinstance(errors, dict):
            parts.extend(f"{field}: {message}" for field, message in errors.items())
        elif isinstance(errors, list):
            parts.extend(str(e.get("message", e) if isinstance(e, dict) else e) for e in errors)
        for key in ("message", "errorMessage"):
            if isinstance(data.get(key), str) and data[key]:
                parts.append(data[key])
    unique = list(dict.fromkeys(p for p in parts if p.strip()))
    return make.clip("; ".join(unique)) if unique else (response.reason or "")


def _header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """A header from a requests or Slack headers mapping, ignoring case."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            if isinstance(value, list | tuple):
                return str(value[0]) if value else None
            return str(value)
    return None


def _retry_after(headers: Mapping[str, Any] | None, now: datetime) -> float | None:
    seconds = parse_retry_after(_header(headers, "Retry-After"), now)
    if seconds is None:
        seconds = parse_reset_time(_header(headers, "X-RateLimit-Reset"), now)
    return seconds


def _from_response(
    make: _Maker, response: requests.Response, now: datetime, *, library_text: str | None = None
) -> ServiceError:
    detail = _atlassian_detail(make, response)
    # the library's own words ("There is no content with the given id") add to the server's
    extra = make.clip(library_text) if library_text else ""
    if extra and extra != "Unknown error" and extra not in detail and detail not in extra:
        detail = f"{extra}; {detail}" if detail else extra
    denied = _header(response.headers, "X-Authentication-Denied-Reason")
    return _from_status(
        make, response.status_code, detail, _retry_after(response.headers, now), login_denied=denied
    )


def _from_jira(make: _Maker, exc: JIRAError, now: datetime) -> ServiceError:
    response = exc.response if isinstance(exc.response, requests.Response) else None
    status = exc.status_code or (response.status_code if response is not None else None)
    if status is None:
        return make(ServiceUnavailable, f"no answer from Jira ({exc.text})", retryable=False)
    if response is not None:
        return _from_response(make, response, now)
    return _from_status(make, int(status), make.clip(exc.text or ""), None)


def _from_atlassian(make: _Maker, exc: AtlassianApiError, now: datetime) -> ServiceError:
    """atlassian-python-api wraps the ``HTTPError`` in ``.reason`` and adds its own text."""
    cause = exc.reason
    if isinstance(cause, requests.HTTPError) and cause.response is not None:
        return _from_response(make, cause.response, now, library_text=str(exc))
    text = make.clip(str(exc))
    if isinstance(exc, ApiNotFoundError):
        return make(NotFound, f"not found: {text}")
    if isinstance(exc, ApiPermissionError):
        return make(PermissionDenied, f"the agent's account is not allowed to do this: {text}")
    if isinstance(exc, ApiConflictError):
        return make(Conflict, f"conflict: {text}")
    return make(BadRequest, f"the request was refused: {text}")


def _slack_detail(make: _Maker, data: Mapping[str, Any]) -> str:
    """Extra words Slack sends with an error (``response_metadata.messages``)."""
    metadata = data.get("response_metadata")
    messages = metadata.get("messages") if isinstance(metadata, dict) else None
    if isinstance(messages, list) and messages:
        return make.clip("; ".join(str(m) for m in messages))
    return ""


def _from_slack(make: _Maker, exc: SlackApiError, now: datetime) -> ServiceError:
    response = exc.response
    http_status = getattr(response, "status_code", None)
    # Slack reports most errors with HTTP 200: only a real failure status is worth keeping
    status = http_status if isinstance(http_status, int) and http_status != 200 else None
    data = getattr(response, "data", None)
    body: Mapping[str, Any] = data if isinstance(data, dict) else {}
    error = str(body.get("error") or "")
    headers = getattr(response, "headers", None)
    extra = _slack_detail(make, body)
    said = f" ({extra})" if extra else ""
    if status == 429 or error in ("ratelimited", "rate_limited"):
        retry_after = _retry_after(headers, now)
        wait = f", asked to wait {retry_after:g} s" if retry_after is not None else ""
        return make(
            RateLimited,
            f"Slack is rate limiting the agent ({error or 'HTTP 429'}{wait})",
            status,
            reason=error or None,
            retry_after=retry_after,
        )
    if status is not None and status >= 500:
        return make(
            ServiceUnavailable,
            f"Slack had a server error (HTTP {status}, {error or 'no error name'})",
            status,
            reason=error or None,
            retry_after=_retry_after(headers, now),
            retryable=status in RETRYABLE_STATUSES,
        )
    if error in SLACK_AUTH_ERRORS:
        return make(
            AuthFailed,
            f"Slack rejected the bot token ({error}). Check SLACK_BOT_TOKEN "
            "(a bot token starting with xoxb- of an installed app)",
            status,
            reason=error,
        )
    if error == "missing_scope":
        needed = str(body.get("needed") or "") or None
        return MissingScope(
            make.service,
            make.operation,
            make.redactor(
                f"the Slack app lacks the OAuth scope {needed or '(Slack did not say which)'}: "
                "add it under OAuth & Permissions and reinstall the app"
            ),
            status,
            needed_scope=needed,
        )
    specific: dict[str, tuple[type[ServiceError], str]] = {
        "not_in_channel": (
            NotInChannel,
            "the bot is not a member of this channel: invite it (/invite @bot) "
            "or give the app the channels:join scope",
        ),
        "channel_not_found": (
            ChannelNotFound,
            "Slack knows no such channel, or it is private and the bot is not in it: "
            "check the channel name or id, or invite the bot",
        ),
        "is_archived": (
            ChannelArchived,
            "the channel is archived: unarchive it or point the procedure at another channel",
        ),
    }
    if error in specific:
        kind, message = specific[error]
        return make(kind, message + said, status, reason=error)
    if error == "service_unavailable":
        return make(ServiceUnavailable, "Slack is unavailable for now", status, reason=error)
    if error in SLACK_SERVER_ERRORS:
        return make(
            ServiceUnavailable,
            f"Slack failed to complete the request ({error}); part of it may have happened, "
            "so it is not repeated blindly",
            status,
            reason=error,
            retryable=False,
        )
    if error in SLACK_NOT_FOUND_ERRORS:
        return make(NotFound, f"not found ({error}){said}", status, reason=error)
    if error in SLACK_CONFLICT_ERRORS:
        return make(Conflict, f"already done or taken ({error}){said}", status, reason=error)
    if error in SLACK_PERMISSION_ERRORS:
        return make(
            PermissionDenied,
            f"the Slack app is not allowed to do this ({error}){said}",
            status,
            reason=error,
        )
    return make(
        BadRequest,
        f"Slack rejected the request ({error or f'HTTP {status}'}){said}",
        status,
        reason=error or None,
    )
