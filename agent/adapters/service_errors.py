"""The project's own errors for calls to Jira, Confluence and Slack.

The core and the adapters catch these, never an SDK's exception types, and each
message says what a person should fix (which credential, which scope, which
channel). :mod:`agent.adapters.classify` turns the exceptions raised by the
jira, atlassian, slack_sdk, requests and urllib libraries into these.
"""

from __future__ import annotations

SERVICE_TITLES = {"jira": "Jira", "confluence": "Confluence", "slack": "Slack"}

# The settings a person changes when a service rejects the agent's credentials.
CREDENTIAL_VARIABLES = {
    "jira": "JIRA_EMAIL / JIRA_API_TOKEN (or JIRA_PAT on Data Center)",
    "confluence": "CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN (or CONFLUENCE_PAT on Data Center)",
    "slack": "SLACK_BOT_TOKEN",
}
URL_VARIABLES = {"jira": "JIRA_URL", "confluence": "CONFLUENCE_URL", "slack": "SLACK_API_URL"}


class ServiceError(Exception):
    """A call to a service failed. ``str()`` names the service, the operation and the fix.

    ``retryable`` says whether trying again later may help; ``note`` is filled in
    by the call point when it gives up (how many attempts, why it stopped).
    """

    retryable: bool = False

    def __init__(
        self,
        service: str,
        operation: str,
        message: str,
        status: int | None = None,
        *,
        reason: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.operation = operation
        self.message = message
        self.status = status
        self.reason = reason  # a machine-readable cause, e.g. Slack's error name
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable
        self.attempts = 1
        self.note = ""

    @property
    def service_title(self) -> str:
        return SERVICE_TITLES.get(self.service, self.service)

    def __str__(self) -> str:
        text = f"{self.service_title} {self.operation}: {self.message}"
        return f"{text} ({self.note})" if self.note else text


class ServiceUnavailable(ServiceError):
    """The service could not be reached, timed out, or answered 5xx."""

    retryable = True


class RateLimited(ServiceError):
    """The service answered 429; ``retry_after`` is how long it asked the agent to wait."""

    retryable = True


class AuthFailed(ServiceError):
    """The service rejected the credentials (401, Slack ``invalid_auth``...)."""


class PermissionDenied(ServiceError):
    """The credentials work but lack a right (403, Slack scopes and channel membership)."""


class MissingScope(PermissionDenied):
    """The Slack app lacks an OAuth scope; ``needed_scope`` is the one Slack named."""

    def __init__(
        self,
        service: str,
        operation: str,
        message: str,
        status: int | None = None,
        *,
        needed_scope: str | None = None,
    ) -> None:
        super().__init__(service, operation, message, status, reason="missing_scope")
        self.needed_scope = needed_scope


class NotInChannel(PermissionDenied):
    """The Slack bot is not a member of the channel it tried to use."""


class ChannelNotFound(PermissionDenied):
    """Slack knows no such channel, or it is private and the bot cannot see it."""


class ChannelArchived(PermissionDenied):
    """The Slack channel is archived: nothing can be posted or pinned there."""


class NotFound(ServiceError):
    """404: the issue, page or user does not exist (or is invisible to the agent)."""


class BadRequest(ServiceError):
    """Another 4xx: the service's own error text says what was wrong with the request."""


class UnexpectedAnswer(ServiceError):
    """A 2xx answer whose body is not what the API documents (not JSON, a member missing).

    Usually something between the agent and the service (a proxy, a sign-in page)
    or a wrong base URL; retrying the same call rarely helps.
    """


class Conflict(ServiceError):
    """409: e.g. a Confluence page changed since it was read (stale version number)."""
