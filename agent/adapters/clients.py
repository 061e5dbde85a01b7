"""The one place where the SDK clients are built from settings.

Everything else receives these clients through an adapter, so credentials,
time-outs and retry settings are decided here once.
"""

from __future__ import annotations

from typing import Any

from agent.adapters.pacing import ChannelPacer, PacedSlackClient
from agent.adapters.slack_rates import MethodPacer
from agent.config import AtlassianAuth, Settings

HTTP_TIMEOUT_SECONDS = 20


def _basic(auth: AtlassianAuth) -> tuple[str, str]:
    if auth.email is None or auth.token is None:
        raise ValueError("email + API token authentication needs both values")
    return auth.email, auth.token.reveal()


def jira_client(settings: Settings, *, max_retries: int = 0) -> Any:
    """A ``jira.JIRA`` client. Its constructor calls ``serverInfo`` (Cloud vs Data Center).

    ``max_retries`` defaults to 0: the agent's own retry layer decides when to retry.
    """
    from jira import JIRA  # noqa: PLC0415 - heavy import, only when a client is needed

    options: dict[str, Any] = {"timeout": HTTP_TIMEOUT_SECONDS, "max_retries": max_retries}
    if settings.jira_auth.pat:
        return JIRA(server=settings.jira_url, token_auth=settings.jira_auth.pat.reveal(), **options)
    return JIRA(server=settings.jira_url, basic_auth=_basic(settings.jira_auth), **options)


def confluence_is_cloud(settings: Settings) -> bool:
    """Cloud sites serve Confluence under ``/wiki``; Data Center at the site root."""
    return settings.confluence_url.rstrip("/").endswith("/wiki")


def confluence_client(settings: Settings) -> Any:
    """An ``atlassian.ConfluenceServer`` client (5.x's ``Confluence`` class breaks on Cloud)."""
    from atlassian import ConfluenceServer  # noqa: PLC0415

    cloud = confluence_is_cloud(settings)
    if settings.confluence_auth.pat:
        return ConfluenceServer(
            settings.confluence_url,
            token=settings.confluence_auth.pat.reveal(),
            cloud=cloud,
            timeout=HTTP_TIMEOUT_SECONDS,
            retry_with_header=False,  # the call point retries, within the cycle's budget
        )
    email, token = _basic(settings.confluence_auth)
    return ConfluenceServer(
        settings.confluence_url,
        username=email,
        password=token,
        cloud=cloud,
        timeout=HTTP_TIMEOUT_SECONDS,
        retry_with_header=False,
    )


SLACK_RATE_LIMIT_RETRIES = 2


def slack_client(settings: Settings) -> Any:
    """A ``slack_sdk.WebClient`` pointed at ``SLACK_API_URL``, paced per method and channel.

    Every call waits for its method's turn (:mod:`agent.adapters.slack_rates`: the
    tier's calls a minute), posts also for their channel's (:mod:`agent.adapters.pacing`:
    one a second per channel), shared by every thread using this client. It waits out
    Slack's 429s itself (``Retry-After``, a few times): a 429 means
    nothing happened, so repeating is always safe. 5xx answers and lost
    connections are left to the call point, because a post that failed that way
    may have been posted; the Slack adapter checks before repeating it.
    """
    from slack_sdk import WebClient  # noqa: PLC0415
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler  # noqa: PLC0415

    client = WebClient(
        token=settings.slack_bot_token.reveal(),
        base_url=settings.slack_api_url,
        timeout=HTTP_TIMEOUT_SECONDS,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=SLACK_RATE_LIMIT_RETRIES)],
    )
    scale = settings.slack_time_scale
    return PacedSlackClient(
        client, ChannelPacer(settings.slack_post_spacing / scale), MethodPacer(scale)
    )
