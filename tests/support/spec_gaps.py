"""Known gaps between the official spec files and what the real services do.

This is the ONE place where spec validation is relaxed. Each entry names the
endpoints it covers, the rule it switches on and why; the validators ask
:func:`find_gap` before applying the relaxed behaviour, and every result
records the gaps that were applied, so a relaxation is always visible.
Add an entry here (with a reason a reviewer can check) instead of writing an
``if`` in the validators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from fnmatch import fnmatchcase


class GapRule(Enum):
    NOT_IN_SPEC = "not-in-spec"  # the spec's endpoint is gone here (removed, or Cloud only)
    ANY_ERROR_STATUS = "any-error-status"  # status undocumented for the op: check error shape
    UNDESCRIBED_ERROR_BODY = "undescribed-error-body"  # error documented without a body
    EMPTY_204 = "empty-204"  # 204 documented with a JSON body; a 204 has none
    JIRA_DATE_TIME = "jira-date-time"  # accept Jira's `+0000` offsets for format date-time
    PLAIN_TEXT_BODY = "plain-text-body"  # v2: string where the v3-derived spec has ADF
    IGNORE_PROBLEM = "ignore-problem"  # a spec defect: drop problems matching `problem`
    SLACK_BEARER_TOKEN = "slack-bearer-token"
    SLACK_JSON_BODY = "slack-json-body"
    SLACK_ANY_HTTP_METHOD = "slack-any-http-method"
    SLACK_ERROR_AT_200 = "slack-error-at-200"
    SLACK_COMMON_ERRORS = "slack-common-errors"


@dataclass(frozen=True)
class SpecGap:
    """One documented relaxation: which traffic it covers, what it allows, and why."""

    rule: GapRule
    service: str  # "jira" | "confluence" | "slack" | "*"
    path: str  # fnmatch pattern over the spec path template, e.g. "/rest/api/[23]/search"
    reason: str
    methods: frozenset[str] | None = None  # None: every method
    statuses: frozenset[int] | None = None  # None: every status
    problem: str = ""  # IGNORE_PROBLEM: regex searched in the problem text
    deployment: str = "*"  # the sandbox's Jira deployment: "cloud" | "datacenter" | "*"

    def covers(
        self, service: str, method: str, path: str, status: int | None, deployment: str = "cloud"
    ) -> bool:
        if self.service not in ("*", service) or self.deployment not in ("*", deployment):
            return False
        if self.methods is not None and method.upper() not in self.methods:
            return False
        if self.statuses is not None and status is not None and status not in self.statuses:
            return False
        return fnmatchcase(path, self.path)


# Statuses every Jira/Confluence endpoint can answer although most operations do
# not list them: body too large (413, from the edge), rate limiting (429),
# outages (5xx), and the sandbox's injected faults, which reproduce those.
# Their body must still have the service's error shape.
_ANY_ENDPOINT = frozenset({413, 429, 500, 502, 503, 504})
_ERRORS = frozenset(range(400, 600))

# Slack's "common errors", which any method can return (api.slack.com/web#errors)
# but the 2020 spec lists per method only partly.
SLACK_COMMON_ERROR_NAMES = frozenset(
    {
        "access_denied",
        "account_inactive",
        "deprecated_endpoint",
        "enterprise_is_restricted",
        "fatal_error",
        "internal_error",
        "invalid_arg_name",
        "invalid_arguments",
        "invalid_array_arg",
        "invalid_auth",
        "invalid_charset",
        "invalid_form_data",
        "invalid_json",
        "invalid_post_type",
        "json_not_object",
        "method_deprecated",
        "missing_post_type",
        "missing_scope",
        "no_permission",
        "not_allowed_token_type",
        "not_authed",
        "org_login_required",
        "ratelimited",
        "request_timeout",
        "service_unavailable",
        "team_access_not_granted",
        "team_added_to_org",
        "token_expired",
        "token_revoked",
        "two_factor_setup_required",
        "unknown_method",
        "request_too_large",
    }
)

GAPS: tuple[SpecGap, ...] = (
    SpecGap(
        GapRule.NOT_IN_SPEC,
        "jira",
        "/rest/api/[23]/search",
        "Jira Cloud removed GET/POST /rest/api/{2,3}/search (CHANGE-2046, 410 Gone since "
        "2025-05-01); the 2025-12 spec still lists it as deprecated. Data Center keeps it "
        "with startAt/total, which no Cloud spec describes.",
        methods=frozenset({"GET", "POST"}),
    ),
    SpecGap(
        GapRule.NOT_IN_SPEC,
        "jira",
        "/rest/api/[23]/search/*",
        "Jira Data Center has no enhanced search (/search/jql, /search/approximate-count: "
        "Cloud only, it answers 404); the Cloud spec does not describe Data Center.",
        deployment="datacenter",
    ),
    SpecGap(
        GapRule.NOT_IN_SPEC,
        "jira",
        "/rest/api/3/*",
        "Jira Data Center has no REST API v3 (it answers 404); only v2 is described, "
        "approximately, by the Cloud-derived spec.",
        deployment="datacenter",
    ),
    SpecGap(
        GapRule.ANY_ERROR_STATUS,
        "jira",
        "*",
        "Jira answers 429 (rate limits, with Retry-After), 413 (body over the size limit, "
        "from the edge) and 5xx on any endpoint; the spec lists them on few operations. "
        "The body must still be an ErrorCollection.",
        statuses=_ANY_ENDPOINT,
    ),
    SpecGap(
        GapRule.ANY_ERROR_STATUS,
        "confluence",
        "*",
        "Confluence answers 429, 413 and 5xx on any endpoint; the spec lists them on few "
        "operations. The body must still have the statusCode/message error shape.",
        statuses=_ANY_ENDPOINT,
    ),
    SpecGap(
        GapRule.UNDESCRIBED_ERROR_BODY,
        "jira",
        "*",
        "The Jira spec documents most 4xx/5xx responses without a body; Jira sends an "
        "ErrorCollection {errorMessages, errors}, which is what is checked instead.",
        statuses=_ERRORS,
    ),
    SpecGap(
        GapRule.UNDESCRIBED_ERROR_BODY,
        "confluence",
        "*",
        "The Confluence specs document most 4xx/5xx responses without a body; Confluence "
        "sends {statusCode, message, data}, which is what is checked instead.",
        statuses=_ERRORS,
    ),
    SpecGap(
        GapRule.EMPTY_204,
        "*",
        "*",
        "Many operations document 204 with an application/json content (98 in the Jira "
        "spec); a 204 response never has a body (RFC 9110 15.3.5), so an empty 204 passes.",
        statuses=frozenset({204}),
    ),
    SpecGap(
        GapRule.JIRA_DATE_TIME,
        "jira",
        "*",
        "Jira sends timestamps as 2020-03-31T16:43:50.000+0000 (offset without a colon, "
        "see the spec's own examples) where the spec says format date-time (RFC 3339).",
    ),
    SpecGap(
        GapRule.PLAIN_TEXT_BODY,
        "jira",
        "/rest/api/2/*",
        "The v2 spec is v3 renamed; v2 comment bodies, descriptions and environment are "
        "plain strings (wiki markup) where v3 has ADF documents.",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "/rest/api/[23]/serverInfo",
        "ServerInformation forbids additional properties yet lacks `defaultLocale`, which "
        "Jira sends and which the spec's own example for this operation contains.",
        problem=r"'defaultLocale' was unexpected",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "*",
        "ChangeDetails.from/fromString/to/toString are non-nullable strings in the spec, but "
        "Jira sends null when a field changes from or to empty (e.g. the first assignee).",
        problem=r"items\[\d+\]\.(from|fromString|to|toString): None ",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "/rest/api/[23]/search/jql",
        "jira 3.10 enhanced_search_issues(use_post=True) sends unset members as JSON null "
        "(expand, properties, ...) and Jira accepts them; the spec's request bean is not "
        "nullable.",
        methods=frozenset({"POST"}),
        problem=r"^request body \$\.\w+: None (for not nullable|is not of type)",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/chat.update",
        "The chat.update success schema types message.blocks as an object; Block Kit "
        "blocks are an array (the spec's own `blocks` definition is an array).",
        problem=r"\$\.message\.blocks: .* is not of type 'object'",
    ),
    SpecGap(
        GapRule.SLACK_BEARER_TOKEN,
        "slack",
        "/api/*",
        "The spec wants a `token` argument; real clients (slack-sdk) send "
        "`Authorization: Bearer`, which Slack accepts for every method.",
    ),
    SpecGap(
        GapRule.SLACK_JSON_BODY,
        "slack",
        "/api/*",
        "The spec only describes form bodies; Slack accepts JSON bodies for write methods "
        "and slack-sdk sends chat.postMessage (and others) as JSON.",
    ),
    SpecGap(
        GapRule.SLACK_ANY_HTTP_METHOD,
        "slack",
        "/api/*",
        "The spec lists read methods as GET; Slack accepts POST for every method and "
        "slack-sdk always POSTs.",
    ),
    SpecGap(
        GapRule.SLACK_ERROR_AT_200,
        "slack",
        "/api/*",
        'Slack reports errors as HTTP 200 {"ok": false, "error": ...} (429/5xx keep their '
        "status); the spec documents them as `default`, so they are checked against that.",
    ),
    SpecGap(
        GapRule.SLACK_COMMON_ERRORS,
        "slack",
        "/api/*",
        "Slack's common errors (not_authed, invalid_auth, ratelimited, fatal_error, "
        "invalid_arguments, ...) can come from any method; the spec's per-method error "
        "enums list them only partly.",
    ),
    # -- added by the Slack sandbox helper: Slack features newer than the 2020 spec --
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/*",
        "Error names Slack documents today but the 2020 spec's per-method enums lack: "
        "Block Kit (invalid_blocks, invalid_blocks_format), message metadata "
        "(invalid_metadata_format/_schema, metadata_too_large), thread_not_found for an "
        "unknown thread_ts, invalid_types and invalid_cursor for lists, no_such_subteam, "
        "not_in_channel for a bot reading a channel it is not in.",
        problem=r"^response body \$\.error: '(invalid_blocks|invalid_blocks_format|"
        r"invalid_metadata_format|invalid_metadata_schema|metadata_too_large|"
        r"thread_not_found|invalid_types|invalid_cursor|no_such_subteam|not_in_channel)' "
        r"is not one of",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/*",
        "Slack adds response_metadata to more answers than the spec says: next_cursor on "
        "paged conversations.history/replies (slack-sdk's pagination reads it) and "
        "messages on errors such as invalid_arguments and invalid_blocks.",
        problem=r"^response body \$: Additional properties are not allowed "
        r"\('response_metadata' was unexpected\)",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/*",
        "Message fields the spec's message object lacks: metadata (2022; returned by "
        "chat.postMessage/chat.update, and by conversations.history/replies with "
        "include_all_metadata) and edited {user, ts} on a message changed by chat.update.",
        problem=r"^response body \$\.messages?(\[\d+\])?: Additional properties are not "
        r"allowed \('(metadata|edited)'(, '(metadata|edited)')? (was|were) unexpected\)",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/conversations.replies",
        "The spec's two conversations.replies message shapes are far narrower than Slack's "
        "messages (no bot_id, bot_profile, blocks, subtype or metadata; a parent without "
        "replies lacks reply_count), so real replies match neither.",
        problem=r"^response body \$\.messages\[\d+\]: matches none of the 2 allowed shapes",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "slack",
        "/api/conversations.history",
        "The spec makes messages non-empty (minItems 1), but Slack answers an empty list "
        "for a conversation with nothing in it yet, e.g. a DM the agent just opened and "
        "looks into after a crash before sending (Slack's own docs show messages: []).",
        problem=r"^response body \$\.messages: \[\] should be non-empty",
    ),
    # -- added by the Confluence sandbox helper ------------------------------------
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "confluence",
        "/wiki/api/v2/*",
        'Confluence REST v2 reports errors as {"errors": [{"status", "code", "title", '
        '"detail"}]}, not v1\'s {statusCode, message} (e.g. a 404 quoted in '
        "confluence-publisher/confluence-publisher#484); the v2 spec describes no error body.",
        problem=r"^response body \(error shape\) \$: '(statusCode|message)' is a required property",
    ),
    # -- added by the Jira sandbox helper ---------------------------------------------
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "/rest/api/[23]/issue/*/remotelink",
        "Without globalId, GET remotelink returns every link of the issue as an array (the "
        "operation's description says so, its example is an array and the jira client reads "
        "a list); the spec's schema names a single RemoteIssueLink.",
        methods=frozenset({"GET"}),
        problem=r"^response body \$: \[",  # the whole (array) body; long ones are cut short
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "/rest/api/[23]/issue/*/transitions",
        "Jira accepts the transition id as a number as well as a string; the jira client "
        "(transition_issue) always sends a number.",
        methods=frozenset({"POST"}),
        problem=r"^request body \$\.transition\.id: \d+ is not of type 'string'",
    ),
    SpecGap(
        GapRule.IGNORE_PROBLEM,
        "jira",
        "/rest/api/[23]/issue/*/attachments",
        "The attachment upload is multipart/form-data (field `file`); the spec describes that "
        "body as a JSON array, which no multipart body can match.",
        methods=frozenset({"POST"}),
        problem=r"^request body \$: .* is not of type 'array'",
    ),
    SpecGap(
        GapRule.ANY_ERROR_STATUS,
        "confluence",
        "/wiki/api/v2/pages/*",
        "v2 page and property updates answer 409 when version.number is not the current "
        "number plus one (the spec's own request bodies say so), but list no 409.",
        methods=frozenset({"PUT"}),
        statuses=frozenset({409}),
    ),
)


def find_gap(
    rule: GapRule,
    service: str,
    method: str,
    path: str,
    status: int | None = None,
    *,
    deployment: str = "cloud",
    gaps: tuple[SpecGap, ...] = GAPS,
) -> SpecGap | None:
    """The first gap entry with ``rule`` that covers this traffic, if any."""
    for gap in gaps:
        if gap.rule is rule and gap.covers(service, method, path, status, deployment):
            return gap
    return None


def ignored_problems(
    problems: list[str],
    service: str,
    method: str,
    path: str,
    status: int,
    *,
    deployment: str = "cloud",
    gaps: tuple[SpecGap, ...] = GAPS,
) -> tuple[list[str], list[SpecGap]]:
    """Split off problems that IGNORE_PROBLEM entries declare to be spec defects."""
    rules = [
        gap
        for gap in gaps
        if gap.rule is GapRule.IGNORE_PROBLEM
        and gap.covers(service, method, path, status, deployment)
    ]
    if not rules:
        return problems, []
    kept: list[str] = []
    used: list[SpecGap] = []
    for problem in problems:
        gap = next((g for g in rules if re.search(g.problem, problem)), None)
        if gap is None:
            kept.append(problem)
        elif gap not in used:
            used.append(gap)
    return kept, used


@dataclass
class GapTracker:
    """The gaps that may relax the checks of one exchange; remembers those it applied."""

    service: str
    method: str
    path: str  # the spec path template
    deployment: str = "cloud"
    gaps: tuple[SpecGap, ...] = GAPS
    used: list[SpecGap] = field(default_factory=list)

    def allows(self, rule: GapRule, status: int | None = None) -> bool:
        """Whether a gap entry relaxes ``rule`` here (and if so, record it as applied)."""
        found = find_gap(
            rule,
            self.service,
            self.method,
            self.path,
            status,
            deployment=self.deployment,
            gaps=self.gaps,
        )
        if found is not None and found not in self.used:
            self.used.append(found)
        return found is not None

    def drop_ignored(self, problems: list[str], status: int) -> list[str]:
        """The problems left after IGNORE_PROBLEM entries (spec defects) are applied."""
        kept, ignored = ignored_problems(
            problems,
            self.service,
            self.method,
            self.path,
            status,
            deployment=self.deployment,
            gaps=self.gaps,
        )
        self.used.extend(gap for gap in ignored if gap not in self.used)
        return kept
