"""Runs every preflight check against the configured sites, after ``check`` reached them.

Each service's checks run only when ``check`` could reach that service (its own
connection line failed otherwise), through the service's call point with no
retries, so a broken site gives one clear line, not a minute of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from agent.adapters import clients
from agent.adapters.calls import ServiceCaller
from agent.adapters.confluence_adapter import ConfluenceAdapter
from agent.adapters.jira_adapter import JiraAdapter
from agent.adapters.retry import RetryBudget
from agent.adapters.service_errors import ServiceError
from agent.adapters.slack_directory import SlackDirectory
from agent.config import Settings
from agent.policy.named import Named, named_in
from agent.policy.schema import Policy
from agent.policy.traps import policy_traps
from agent.preflight.confluence import parent_checks
from agent.preflight.people_check import census_check, email_checks, take_census
from agent.preflight.result import CheckResult, failed, warned
from agent.preflight.slack import channel_checks, group_checks, member_checks
from agent.secrets import Redactor


def caller(settings: Settings, service: str) -> ServiceCaller:
    """One attempt per call, no retry budget: check answers at once."""
    return ServiceCaller(service, Redactor(settings.secrets()), RetryBudget(0), max_attempts=1)


def site_checks(
    settings: Settings, policies: Sequence[Policy], reachable: set[str]
) -> Iterator[CheckResult]:
    """Everything the policies name, on each reachable service (``jira``, ``confluence``,
    ``slack``), then the people they touch and the traps they fall into."""
    named = named_in(policies)
    if "confluence" in reachable and named.parents:
        confluence = ConfluenceAdapter(
            clients.confluence_client(settings), caller(settings, "confluence")
        )
        yield from _guarded(
            "confluence.parent", parent_checks(confluence, named, settings.confluence_space)
        )
    if "slack" in reachable:
        directory = SlackDirectory(clients.slack_client(settings), caller(settings, "slack"))
        yield from _guarded("slack.channel", channel_checks(directory, named))
        yield from _guarded("slack.group", group_checks(directory, named))
        yield from _guarded("slack.members", member_checks(directory, policies, settings.user_map))
        if "jira" in reachable:
            jira = JiraAdapter(clients.jira_client(settings), caller(settings, "jira"))
            yield from _guarded("people", _people(jira, directory, named, settings, policies))
    for trap in policy_traps(policies):
        yield warned(f"policy {trap.policy}", trap.message)


def _people(
    jira: JiraAdapter,
    directory: SlackDirectory,
    named: Named,
    settings: Settings,
    policies: Sequence[Policy],
) -> Iterator[CheckResult]:
    lookup = directory.user_id_for_email
    yield from email_checks(jira.people_with_email, named, settings.user_map, lookup)
    yield census_check(take_census(jira, policies, settings.user_map, lookup))


def _guarded(name: str, lines: Iterator[CheckResult]) -> Iterator[CheckResult]:
    """The lines, or one failed line when the service breaks off half-way."""
    try:
        yield from lines
    except ServiceError as exc:
        yield failed(name, str(exc))
