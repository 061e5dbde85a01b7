"""What each client library raises becomes the project's own typed error, with a fix in it."""

from __future__ import annotations

import http.client
import urllib.error
from datetime import UTC, datetime

import pytest
import requests
from atlassian.errors import ApiError, ApiNotFoundError, ApiPermissionError, ApiValueError
from slack_sdk.errors import SlackRequestError

from agent.adapters.classify import classify
from agent.adapters.service_errors import (
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
)
from agent.secrets import Redactor
from tests.adapters.sdk_errors import (
    FAKE_TOKEN,
    confluence_http_error,
    http_response,
    jira_error,
    slack_error,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REDACTOR = Redactor([FAKE_TOKEN])


def typed(exc: BaseException, service: str = "jira", operation: str = "op") -> ServiceError:
    error = classify(exc, service=service, operation=operation, redactor=REDACTOR, now=NOW)
    assert error is not None, f"{type(exc).__name__} was not recognised"
    return error


# -- Jira ---------------------------------------------------------------------
def test_jira_401_names_the_jira_credential_variables() -> None:
    error = typed(jira_error(401), operation="search_issues")
    assert isinstance(error, AuthFailed)
    assert error.status == 401
    assert not error.retryable
    assert "JIRA_EMAIL / JIRA_API_TOKEN" in str(error)
    assert str(error).startswith("Jira search_issues: ")


def test_a_service_text_ending_in_a_full_stop_is_not_followed_by_a_second_one() -> None:
    body = {"errorMessages": ["Client must be authenticated to access this resource."]}
    error = typed(jira_error(401, body), operation="search_issues")
    assert "to access this resource. Check JIRA_EMAIL" in str(error)
    assert ".." not in str(error).replace("...", "")


def test_jira_400_carries_error_messages_and_field_errors() -> None:
    body = {
        "errorMessages": ["The value 'XYZ' does not exist for the field 'project'."],
        "errors": {"summary": "You must specify a summary of the issue."},
    }
    error = typed(jira_error(400, body))
    assert isinstance(error, BadRequest)
    assert "The value 'XYZ' does not exist for the field 'project'." in error.message
    assert "summary: You must specify a summary of the issue." in error.message


def test_jira_410_for_the_removed_search_is_a_bad_request_with_the_text() -> None:
    error = typed(jira_error(410, {"errorMessages": ["The requested API has been removed."]}))
    assert isinstance(error, BadRequest)
    assert error.status == 410
    assert "has been removed" in error.message


def test_jira_403_is_permission_denied_and_captcha_is_an_auth_problem() -> None:
    denied = typed(jira_error(403, {"errorMessages": ["You cannot edit this issue."]}))
    assert type(denied) is PermissionDenied
    assert "You cannot edit this issue." in denied.message
    captcha = typed(
        jira_error(
            403,
            "",
            headers={"X-Authentication-Denied-Reason": "CAPTCHA_CHALLENGE; login-url=/login"},
        )
    )
    assert isinstance(captcha, AuthFailed)
    assert "CAPTCHA_CHALLENGE" in captcha.message
    assert "JIRA_API_TOKEN" in captcha.message


def test_jira_404_and_409() -> None:
    missing = typed(jira_error(404, {"errorMessages": ["Issue does not exist"], "errors": {}}))
    assert isinstance(missing, NotFound)
    assert "Issue does not exist" in missing.message
    assert isinstance(typed(jira_error(409)), Conflict)


def test_jira_429_reads_retry_after_seconds() -> None:
    error = typed(jira_error(429, headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimited)
    assert error.retryable
    assert error.retry_after == 7.0
    assert "asked to wait 7 s" in error.message


def test_jira_429_without_retry_after_falls_back_to_rate_limit_reset() -> None:
    error = typed(jira_error(429, headers={"X-RateLimit-Reset": "2026-03-02T09:00:42Z"}))
    assert error.retry_after == 42.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_jira_5xx_that_may_pass_are_retryable(status: int) -> None:
    error = typed(jira_error(status))
    assert isinstance(error, ServiceUnavailable)
    assert error.retryable
    assert error.status == status


def test_jira_501_is_a_server_error_not_worth_retrying() -> None:
    error = typed(jira_error(501))
    assert isinstance(error, ServiceUnavailable)
    assert not error.retryable


def test_jira_503_keeps_its_retry_after() -> None:
    assert typed(jira_error(503, headers={"Retry-After": "12"})).retry_after == 12.0


def test_html_error_pages_are_summarised_by_the_reason_phrase() -> None:
    response = http_response(502, "<html><body>Bad gateway</body></html>", content_type="text/html")
    error = typed(requests.HTTPError("502 Server Error", response=response))
    assert "<html>" not in error.message
    assert "Bad Gateway" in error.message


# -- Confluence (atlassian-python-api) ----------------------------------------------
def test_confluence_409_reads_the_message_field() -> None:
    body = {"statusCode": 409, "message": "Version must be incremented on update. Current: 3"}
    error = typed(confluence_http_error(409, body), service="confluence")
    assert isinstance(error, Conflict)
    assert "Version must be incremented on update. Current: 3" in error.message
    assert "read it again" in error.message


def test_confluence_401_without_json_names_the_confluence_variables() -> None:
    # atlassian raises a bare HTTPError("Unauthorized (401)") unless the body is JSON+UTF-8
    response = http_response(401, "Unauthorized", content_type="text/plain")
    error = typed(requests.HTTPError("Unauthorized (401)", response=response), "confluence")
    assert isinstance(error, AuthFailed)
    assert "CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN" in error.message


def test_atlassian_api_error_wrapping_an_http_error_uses_the_status_and_both_texts() -> None:
    cause = confluence_http_error(404, {"statusCode": 404, "message": "No content with id 99"})
    wrapped = ApiError("There is no content with the given id", reason=cause)
    error = typed(wrapped, service="confluence")
    assert isinstance(error, NotFound)
    assert error.status == 404
    assert "There is no content with the given id" in error.message
    assert "No content with id 99" in error.message


def test_atlassian_client_side_errors_map_by_their_class() -> None:
    assert isinstance(typed(ApiNotFoundError("no page"), "confluence"), NotFound)
    assert isinstance(typed(ApiPermissionError("nope"), "confluence"), PermissionDenied)
    bad = typed(ApiValueError("body must be a non-empty string"), "confluence")
    assert isinstance(bad, BadRequest)
    assert "body must be a non-empty string" in bad.message


# -- Slack ------------------------------------------------------------------------
def test_slack_invalid_auth_names_the_bot_token_variable() -> None:
    error = typed(slack_error("invalid_auth"), service="slack")
    assert isinstance(error, AuthFailed)
    assert error.reason == "invalid_auth"
    assert error.status is None  # Slack sent HTTP 200
    assert "SLACK_BOT_TOKEN" in str(error)


def test_slack_missing_scope_names_the_needed_scope() -> None:
    exc = slack_error("missing_scope", needed="chat:write", provided="users:read")
    error = typed(exc, service="slack", operation="chat.postMessage")
    assert isinstance(error, MissingScope)
    assert isinstance(error, PermissionDenied)
    assert error.needed_scope == "chat:write"
    assert "chat:write" in str(error)
    assert "reinstall" in str(error)


@pytest.mark.parametrize(
    ("name", "kind", "hint"),
    [
        ("not_in_channel", NotInChannel, "/invite"),
        ("channel_not_found", ChannelNotFound, "private"),
        ("is_archived", ChannelArchived, "unarchive"),
    ],
)
def test_slack_channel_problems_are_distinct_permission_errors(
    name: str, kind: type[ServiceError], hint: str
) -> None:
    error = typed(slack_error(name), service="slack")
    assert type(error) is kind
    assert isinstance(error, PermissionDenied)
    assert error.reason == name
    assert hint in error.message
    assert not error.retryable


def test_slack_ratelimited_reads_retry_after_in_any_case() -> None:
    error = typed(slack_error("ratelimited", status=429, headers={"retry-after": "30"}), "slack")
    assert isinstance(error, RateLimited)
    assert error.retry_after == 30.0


def test_slack_5xx_is_retryable_but_a_200_fatal_error_is_not() -> None:
    server = typed(slack_error("fatal_error", status=503, headers={"Retry-After": "2"}), "slack")
    assert isinstance(server, ServiceUnavailable)
    assert server.retryable
    assert server.retry_after == 2.0
    partial = typed(slack_error("fatal_error"), service="slack")
    assert isinstance(partial, ServiceUnavailable)
    assert not partial.retryable  # may have half-happened: posting again could duplicate


def test_slack_invalid_arguments_includes_the_response_metadata_messages() -> None:
    exc = slack_error(
        "invalid_arguments",
        response_metadata={"messages": ["[ERROR] missing required field: channel"]},
    )
    error = typed(exc, service="slack")
    assert isinstance(error, BadRequest)
    assert "missing required field: channel" in error.message


def test_slack_lookup_misses_and_duplicates() -> None:
    assert isinstance(typed(slack_error("users_not_found"), "slack"), NotFound)
    assert isinstance(typed(slack_error("name_taken"), "slack"), Conflict)
    assert isinstance(typed(slack_error("already_pinned"), "slack"), Conflict)


def test_slack_client_side_request_errors_are_bad_requests() -> None:
    error = typed(SlackRequestError("Invalid URL detected: nope"), service="slack")
    assert isinstance(error, BadRequest)


# -- network ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectionError("Connection aborted: RemoteDisconnected"),
        requests.exceptions.ChunkedEncodingError("Connection broken"),
        urllib.error.URLError(ConnectionRefusedError(111, "Connection refused")),
        http.client.RemoteDisconnected("Remote end closed connection without response"),
        ConnectionResetError(104, "Connection reset by peer"),
    ],
)
def test_connection_failures_are_retryable_and_point_at_the_url(exc: BaseException) -> None:
    error = typed(exc, service="slack")
    assert isinstance(error, ServiceUnavailable)
    assert error.retryable
    assert error.reason == "connection"
    assert "SLACK_API_URL" in error.message


@pytest.mark.parametrize(
    "exc",
    [
        requests.ReadTimeout("Read timed out. (read timeout=20)"),
        requests.ConnectTimeout("Connection to example timed out"),
        TimeoutError("The read operation timed out"),
        urllib.error.URLError(TimeoutError("timed out")),
    ],
)
def test_timeouts_are_retryable(exc: BaseException) -> None:
    error = typed(exc)
    assert isinstance(error, ServiceUnavailable)
    assert error.retryable
    assert error.reason == "timeout"


def test_an_unusable_url_is_a_configuration_problem_not_retried() -> None:
    error = typed(requests.exceptions.MissingSchema("Invalid URL 'jira': No scheme supplied"))
    assert isinstance(error, BadRequest)
    assert "JIRA_URL" in error.message


def test_exceptions_that_are_not_service_failures_are_left_alone() -> None:
    assert (
        classify(TypeError("bug"), service="jira", operation="op", redactor=REDACTOR, now=NOW)
        is None
    )
    assert (
        classify(KeyError("x"), service="jira", operation="op", redactor=REDACTOR, now=NOW) is None
    )


# -- secrets --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("service", "exc"),
    [
        ("jira", jira_error(400, {"errorMessages": [f"bad token {FAKE_TOKEN}"], "errors": {}})),
        ("jira", jira_error(401, f"<p>token {FAKE_TOKEN} rejected</p>")),
        ("confluence", confluence_http_error(500, {"message": f"echo {FAKE_TOKEN}"})),
        ("confluence", ApiError(f"wrapped {FAKE_TOKEN}", reason=None)),
        ("slack", slack_error("invalid_arguments", response_metadata={"messages": [FAKE_TOKEN]})),
        ("slack", requests.ConnectionError(f"https://x/?token={FAKE_TOKEN} refused")),
        ("slack", SlackRequestError(f"proxy with {FAKE_TOKEN}")),
    ],
)
def test_the_token_never_appears_in_a_message(service: str, exc: BaseException) -> None:
    error = typed(exc, service=service)
    assert FAKE_TOKEN not in str(error)
    assert FAKE_TOKEN not in error.message
    assert "***" in error.message


def test_a_token_cut_by_the_length_limit_is_still_masked() -> None:
    padding = "x" * 290  # the token straddles the 300-character limit on the detail
    error = typed(jira_error(400, {"errorMessages": [padding + " " + FAKE_TOKEN], "errors": {}}))
    assert FAKE_TOKEN[:8] not in error.message
    assert "***" in error.message


def test_urllib_http_errors_map_by_status() -> None:
    import email.message

    headers = email.message.Message()
    headers["Retry-After"] = "4"
    exc = urllib.error.HTTPError(
        "https://slack.com/api/x", 503, "Service Unavailable", headers, None
    )
    error = typed(exc, service="slack")
    assert isinstance(error, ServiceUnavailable)
    assert error.retry_after == 4.0
    assert error.retryable
