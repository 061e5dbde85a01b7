"""``escalation-agent check``: is the configuration usable, and can we reach each service?

Each check is a read-only call and yields one line: pass or fail, and why, in
words that say what to fix. Once a service answers, ``agent.preflight`` checks
everything the policies name on it, the people they touch, and their traps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

import requests

from agent.adapters import clients
from agent.adapters.calls import ServiceCaller
from agent.adapters.jira_adapter import JiraAdapter
from agent.adapters.jira_jql import policy_jql
from agent.adapters.jira_port import UnknownFieldError
from agent.adapters.retry import RetryBudget
from agent.adapters.service_errors import BadRequest
from agent.config import Settings
from agent.policy import Policy, PolicyErrors, load_policies
from agent.preflight.result import CheckResult
from agent.preflight.site import site_checks
from agent.render.environment import Renderer
from agent.secrets import Redactor

log = logging.getLogger(__name__)


def explain_http_failure(service: str, credential: str, error: BaseException) -> str:
    """A sentence about why a call failed, naming what to change."""
    status = _status_of(error)
    if isinstance(error, requests.ConnectionError):
        return f"cannot reach {service}: connection failed; check the URL and the network"
    if isinstance(error, requests.Timeout):
        return f"{service} did not answer within {clients.HTTP_TIMEOUT_SECONDS}s"
    if status == 401:
        return f"{service} rejected the credentials (401); check {credential}"
    if status == 403:
        return (
            f"{service} refused the request (403); the account behind {credential} lacks permission"
        )
    if status == 404:
        return f"{service} answered 404; check the URL (is it the site's base URL?)"
    if status is not None:
        return f"{service} answered HTTP {status}: {_short(error)}"
    return f"{service} call failed: {type(error).__name__}: {_short(error)}"


def _status_of(error: BaseException) -> int | None:
    for attr in ("status_code",):
        value = getattr(error, attr, None)
        if isinstance(value, int):
            return value
    response = getattr(error, "response", None)
    if response is not None:
        value = getattr(response, "status_code", None)
        if isinstance(value, int):
            return value
    reason = getattr(error, "reason", None)  # atlassian-python-api wraps the HTTPError
    if isinstance(reason, BaseException) and reason is not error:
        return _status_of(reason)
    return None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300]


def _attempt(
    name: str, call: Callable[[], str], explain: Callable[[BaseException], str]
) -> CheckResult:
    try:
        return CheckResult(name, True, call())
    except Exception as exc:  # every failure becomes a reported check line
        log.debug("check %s failed", name, exc_info=True)
        return CheckResult(name, False, explain(exc))


def jira_checks(settings: Settings, policies: list[Policy]) -> Iterator[CheckResult]:
    credential = "JIRA_PAT" if settings.jira_auth.pat else "JIRA_EMAIL / JIRA_API_TOKEN"

    def explain(exc: BaseException) -> str:
        return explain_http_failure("Jira", credential, exc)

    holder: dict[str, Any] = {}

    def server_info() -> str:
        client = clients.jira_client(settings)
        holder["client"] = client
        info = client.server_info()
        kind = "Cloud" if info.get("deploymentType") == "Cloud" else "Data Center"
        return f"{settings.jira_url}: Jira {kind} {info.get('version', '?')}"

    result = _attempt("jira.serverInfo", server_info, explain)
    yield result
    if not result.ok:
        yield CheckResult("jira.myself", False, "skipped: Jira is not reachable")
        return

    def myself() -> str:
        me = holder["client"].myself()
        email = me.get("emailAddress", "email hidden")
        return f"authenticated as {me.get('displayName', '?')} ({email})"

    yield _attempt("jira.myself", myself, explain)

    caller = ServiceCaller("jira", Redactor(settings.secrets()), RetryBudget(0), max_attempts=1)
    adapter = JiraAdapter(holder["client"], caller)
    names = sorted({name for policy in policies for name in policy.required_fields()})

    def fields() -> str:
        adapter.field_ids(names)
        return f"all {len(names)} fields the policies read exist"

    def explain_fields(exc: BaseException) -> str:
        if isinstance(exc, UnknownFieldError):
            return f"{exc}; create the field in Jira or fix the policy"
        return explain(exc)

    if names:
        yield _attempt("jira.fields", fields, explain_fields)
    explain_jql = _explain_jql(explain)
    for policy in policies:
        yield _attempt(f"jira.jql {policy.name}", _jql_check(adapter, policy), explain_jql)


def _jql_check(adapter: JiraAdapter, policy: Policy) -> Callable[[], str]:
    """Jira accepts the policy's search (a rejected JQL would stop the policy every cycle)."""

    def check() -> str:
        found = adapter.jql_finds_any(policy_jql(policy))
        return "Jira accepts the search" + ("" if found else "; no ticket matches it yet")

    return check


def _explain_jql(explain: Callable[[BaseException], str]) -> Callable[[BaseException], str]:
    def explain_jql(exc: BaseException) -> str:
        if isinstance(exc, BadRequest):
            return str(exc)  # Jira's reason, the JQL sent and which policy section to fix
        return explain(exc)

    return explain_jql


def policy_spaces(policies: list[Policy]) -> list[str]:
    """The Confluence spaces policy rules write to by name (``space:``), sorted."""
    found = {getattr(rule, "space", None) for policy in policies for rule in policy.rules}
    return sorted(space for space in found if isinstance(space, str) and space)


def confluence_checks(
    settings: Settings, policies: list[Policy] | None = None
) -> Iterator[CheckResult]:
    credential = (
        "CONFLUENCE_PAT"
        if settings.confluence_auth.pat
        else "CONFLUENCE_EMAIL / CONFLUENCE_API_TOKEN"
    )

    def explainer(key: str, where: str) -> Callable[[BaseException], str]:
        def explain(exc: BaseException) -> str:
            if "no space with the given key" in str(exc):
                return (
                    f"space {key!r} does not exist or the account cannot see it; "
                    f"check {where} and the space permissions"
                )
            return explain_http_failure("Confluence", credential, exc)

        return explain

    holder: dict[str, Any] = {}

    def space_check(key: str) -> Callable[[], str]:
        def check() -> str:
            if "client" not in holder:
                holder["client"] = clients.confluence_client(settings)
            found = holder["client"].get_space(key)
            return f"space {found.get('key')} ({found.get('name')}) at {settings.confluence_url}"

        return check

    result = _attempt(
        "confluence.space",
        space_check(settings.confluence_space),
        explainer(settings.confluence_space, "CONFLUENCE_SPACE"),
    )
    yield result
    if not result.ok and "does not exist" not in result.detail:
        return  # unreachable or rejected: the policy spaces would fail the same way
    for key in policy_spaces(policies or []):
        if key == settings.confluence_space:
            continue
        yield _attempt(
            f"confluence.space {key}",
            space_check(key),
            explainer(key, "the space: key of the policy rules that name it"),
        )


def slack_checks(settings: Settings) -> Iterator[CheckResult]:
    def explain(exc: BaseException) -> str:
        response = getattr(exc, "response", None)
        error = response.get("error") if response is not None and hasattr(response, "get") else None
        if error in ("invalid_auth", "not_authed", "token_revoked", "account_inactive"):
            return (
                f"Slack rejected SLACK_BOT_TOKEN ({error}); install the app and copy its bot token"
            )
        if error:
            return f"Slack answered {error!r}"
        return explain_http_failure("Slack", "SLACK_BOT_TOKEN", exc)

    def auth_test() -> str:
        answer = clients.slack_client(settings).auth_test()
        return f"bot {answer.get('user')} in team {answer.get('team')} at {settings.slack_api_url}"

    yield _attempt("slack.auth.test", auth_test, explain)


def template_checks(settings: Settings) -> Iterator[CheckResult]:
    renderer = Renderer(settings.templates_path)
    problems = renderer.validate()
    for problem in problems:
        yield CheckResult("templates", False, f"{problem.name}: {problem.message}")
    if not problems:
        where = f" (overrides from {settings.templates_path})" if settings.templates_path else ""
        yield CheckResult("templates", True, f"{len(renderer.names())} templates compile{where}")


def policy_checks(settings: Settings, loaded: list[Policy]) -> Iterator[CheckResult]:
    """Load and validate every policy file; ``loaded`` receives the policies on success."""
    try:
        policies = load_policies(settings.rules_path, settings.timezone)
    except PolicyErrors as exc:
        for error in exc.errors:
            yield CheckResult("policies", False, str(error))
        return
    loaded.extend(policies)
    names = ", ".join(policy.name for policy in policies) or "none"
    yield CheckResult("policies", True, f"{len(policies)} from {settings.rules_path}: {names}")


def local_checks(settings: Settings, loaded: list[Policy]) -> Iterator[CheckResult]:
    """Checks that need no network: policies and templates."""
    yield from policy_checks(settings, loaded)
    yield from template_checks(settings)


# The line that proves a service answers: its site checks follow only then.
_REACHED_BY = {
    "jira.serverInfo": "jira",
    "confluence.space": "confluence",
    "slack.auth.test": "slack",
}


def service_checks(settings: Settings, policies: list[Policy]) -> Iterator[CheckResult]:
    reachable: set[str] = set()
    for result in chain(
        jira_checks(settings, policies),
        confluence_checks(settings, policies),
        slack_checks(settings),
    ):
        service = _REACHED_BY.get(result.name)
        if service and (result.ok or "does not exist" in result.detail):
            reachable.add(service)
        yield result
    yield from site_checks(settings, policies, reachable)
