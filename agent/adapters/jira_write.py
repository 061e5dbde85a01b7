"""The agent's writes to Jira, each shaped so that repeating it is harmless.

- Comments carry the ``escalation-agent`` property *in the create request*,
  so a crash can never leave an unmarked agent comment; before re-posting
  after a crash, :func:`find_agent_comment` looks for the key, and so does a
  retry after a 5xx or a lost connection (Jira may have stored the comment).
- Labels use ``update`` add/remove operations: adding a present label or
  removing an absent one changes nothing.
- Priority and other fields are plain sets; adding a watcher twice is a no-op in Jira.
- Remote links are upserted by ``globalId``.
- An issue made from a Slack report carries a marker label, searched for by JQL
  (:func:`find_issue_with_label`) before it is created.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any

from agent.adapters.jira_convert import agent_marker
from agent.adapters.jira_http import JiraHttp, path_part
from agent.adapters.jira_jql import jql_quote
from agent.adapters.jira_port import AGENT_PROPERTY, FieldInfo, ServerKind
from agent.adapters.jira_read import comments, search_issues
from agent.adapters.jira_values import ValueProblem, person_from_json
from agent.adapters.service_errors import NotFound, ServiceError


def add_comment(http: JiraHttp, issue: str, body: str, *, rule: str, key: str) -> str:
    """Post a v2 (wiki markup) comment marked as the agent's; returns its id."""
    if not body.strip():
        raise ValueError("a Jira comment body cannot be empty")
    payload = {
        "body": body,
        "properties": [{"key": AGENT_PROPERTY, "value": {"rule": rule, "key": key}}],
    }
    path = f"issue/{path_part(issue)}/comment"
    unclear = False  # did an earlier attempt fail in a way that may have posted it?

    def attempt() -> Any:
        nonlocal unclear
        if unclear:
            existing = find_agent_comment(http, issue, key)
            if existing is not None:
                return {"id": existing}
        try:
            return http.send("POST", path, None, payload)
        except Exception as exc:
            unclear = unclear or may_have_taken_effect(exc)
            raise

    created = http.caller.call("add_comment", attempt)
    return str(_required(created, "id", "add_comment"))


def may_have_taken_effect(exc: BaseException) -> bool:
    """A 5xx or a lost connection: Jira may have done it although the answer says no."""
    status = getattr(exc, "status_code", None)
    return not isinstance(status, int) or status >= HTTPStatus.INTERNAL_SERVER_ERROR


def find_agent_comment(
    http: JiraHttp,
    issue: str,
    key: str,
    *,
    agent_account: str | None = None,
    datacenter: bool = False,
) -> str | None:
    """The id of the agent's comment carrying idempotency ``key``, if one exists.

    The marker is read from each comment's ``properties`` (``expand=properties``).
    Atlassian documents that expansion for some comment endpoints only; when an
    answer leaves the properties out, the marker of each comment written by the
    agent's own account is read from the comment-properties resource instead
    (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comment-properties/).
    """
    for raw in comments(http, issue):
        if agent_marker(raw).get("key") == key:
            return str(raw["id"])
        if "properties" in raw or not _written_by(raw, agent_account, datacenter):
            continue
        if _property_marker(http, str(raw.get("id"))).get("key") == key:
            return str(raw["id"])
    return None


def _written_by(raw: dict[str, Any], account: str | None, datacenter: bool) -> bool:
    if account is None or raw.get("id") is None:
        return False
    try:
        author = person_from_json(raw.get("author"), datacenter=datacenter)
    except ValueProblem:
        return False
    return author.account_id == account


def _property_marker(http: JiraHttp, comment_id: str) -> dict[str, str]:
    """The agent's marker on one comment, read from the comment-properties resource."""
    path = f"comment/{path_part(comment_id)}/properties/{path_part(AGENT_PROPERTY)}"
    try:
        found = http.get("comment_property", path)
    except NotFound:
        return {}
    return agent_marker({"properties": [found]}) if isinstance(found, dict) else {}


def change_labels(http: JiraHttp, issue: str, labels: Sequence[str], operation: str) -> None:
    """``operation`` is ``add`` or ``remove``; labels cannot hold spaces in Jira."""
    if operation not in ("add", "remove"):
        raise ValueError(f"unknown label operation {operation!r}")
    wanted = list(dict.fromkeys(labels))
    if not wanted:
        return
    for label in wanted:
        if not label or any(ch.isspace() for ch in label):
            raise ValueError(f"Jira labels cannot be empty or contain spaces: {label!r}")
    body = {"update": {"labels": [{operation: label} for label in wanted]}}
    http.put(f"{operation}_labels", f"issue/{path_part(issue)}", body)


def set_priority(http: JiraHttp, issue: str, name: str) -> None:
    http.put("set_priority", f"issue/{path_part(issue)}", {"fields": {"priority": {"name": name}}})


def set_field(http: JiraHttp, issue: str, info: FieldInfo, value: Any, *, datacenter: bool) -> None:
    """Set one field with a ``fields`` edit; ``None`` clears it."""
    body = {"fields": {info.id: field_value_json(info, value, datacenter=datacenter)}}
    http.put("set_field", f"issue/{path_part(issue)}", body)


# schema types Jira takes as ``{"name": ...}`` references
_BY_NAME = frozenset({"priority", "resolution", "component", "version"})


def field_value_json(info: FieldInfo, value: Any, *, datacenter: bool = False) -> Any:
    """``value`` in the JSON shape Jira expects for the field's schema type.

    select -> ``{"value": ...}``; user -> ``{"accountId": ...}`` (``{"name": ...}``
    on Data Center); number -> float; text -> str; arrays -> a list of their items.
    A type the agent does not know how to write is a ValueError naming the field.
    """
    if value is None:
        return None
    if info.schema_type == "array":
        items = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
        return [_item_json(info, info.items, item, datacenter) for item in items]
    return _item_json(info, info.schema_type, value, datacenter)


def _item_json(info: FieldInfo, kind: str | None, value: Any, datacenter: bool) -> Any:
    if kind == "string":
        return str(value)
    if kind == "option":
        return {"value": str(value)}
    if kind == "user":
        ident = str(getattr(value, "account_id", None) or value)
        return {"name": ident} if datacenter else {"accountId": ident}
    if kind == "number":
        return _number(info, value)
    if kind == "datetime" and isinstance(value, datetime):
        stamp = value.astimezone(UTC)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"
    if kind == "date" and isinstance(value, date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if kind in ("datetime", "date") and isinstance(value, str):
        return value
    if kind in _BY_NAME:
        return {"name": str(value)}
    raise ValueError(
        f"cannot set field {info.name!r} ({info.id}) to {value!r}: "
        f"the agent does not write fields of type {kind!r}"
    )


def _number(info: FieldInfo, value: Any) -> float:
    wrong = ValueError(f"field {info.name!r} ({info.id}) takes a number, not {value!r}")
    if isinstance(value, bool):
        raise wrong
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise wrong from exc


def add_watcher(http: JiraHttp, issue: str, user: str) -> None:
    """``user`` is an accountId on Cloud, a username on Data Center (the body is a JSON string)."""
    http.post("add_watcher", f"issue/{path_part(issue)}/watchers", user)


def add_remote_link(http: JiraHttp, issue: str, url: str, title: str, *, global_id: str) -> str:
    """Create or update (same ``globalId``) a web link on the issue; returns the link id."""
    payload = {"globalId": global_id, "object": {"url": url, "title": title}}
    answer = http.post("add_remote_link", f"issue/{path_part(issue)}/remotelink", payload)
    return str(_required(answer, "id", "add_remote_link"))


def _required(answer: Any, name: str, operation: str) -> Any:
    """A member Jira's answer must have; its absence is a service fault, not ours."""
    if not isinstance(answer, dict) or answer.get(name) is None:
        raise ServiceError("jira", operation, f"the answer has no {name!r}: {str(answer)[:200]}")
    return answer[name]


def find_issue_with_label(http: JiraHttp, kind: ServerKind, project: str, label: str) -> str | None:
    """The key of the oldest issue of ``project`` carrying ``label``, if any (a JQL search).

    A label is indexed on every site, unlike an issue property, which JQL searches only
    when an app declares it (developer.atlassian.com/platform/forge/manifest-reference/
    modules/jira-entity-property). Jira Cloud's search is eventually consistent: an issue
    made a moment ago may not be found for a few seconds (developer.atlassian.com/cloud/
    jira/platform/rest/v2/api-group-issue-search); the executor's claim on the action
    covers that moment, the label every later one."""
    jql = f"project = {jql_quote(project)} AND labels = {jql_quote(label)} ORDER BY created ASC"
    for raw in search_issues(http, kind, jql, ["created"], page_size=1):
        key = raw.get("key")
        if isinstance(key, str) and key:
            return key
    return None


def transition_issue(http: JiraHttp, issue: str, status: str) -> bool:
    """Move ``issue`` to ``status`` by the transition of that name (or into a status of
    that name); False when the issue is in that status already. Uses Jira's transitions
    API (GET then POST ``issue/{key}/transitions``,
    https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-get).
    """
    path = f"issue/{path_part(issue)}/transitions"
    wanted = status.strip().casefold()
    answer = http.get("get_transitions", path) or {}
    offered = [t for t in answer.get("transitions") or [] if isinstance(t, dict)]
    for transition in offered:
        target = transition.get("to") if isinstance(transition.get("to"), dict) else {}
        names = {str(transition.get("name") or ""), str((target or {}).get("name") or "")}
        if wanted in {n.strip().casefold() for n in names}:
            http.post("transition_issue", path, {"transition": {"id": str(transition["id"])}})
            return True
    raw = http.get("issue_status", f"issue/{path_part(issue)}", {"fields": "status"}) or {}
    current = str(((raw.get("fields") or {}).get("status") or {}).get("name") or "")
    if current.strip().casefold() == wanted:
        return False
    offers = ", ".join(sorted({str(t.get("name")) for t in offered})) or "none"
    raise ValueError(
        f"{issue} (status {current or 'unknown'}) has no transition to {status!r}; "
        f"the transitions it offers: {offers}. Set the followups rule's transition to one of them"
    )
