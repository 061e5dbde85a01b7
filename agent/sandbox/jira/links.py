"""Issue links between two issues, and the link types a site has.

Follows Atlassian's Jira issue linking model
(https://developer.atlassian.com/cloud/jira/platform/issue-linking-model/) and the
issue-links REST group (https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-links/):
``POST /issueLink`` takes ``type`` (by ``name`` or ``id``), ``inwardIssue`` and
``outwardIssue`` (by ``key`` or ``id``) and answers 201 with an empty body; an
unknown link type or issue is a 404; ``GET /issueLinkType`` lists the types; each
issue's ``issuelinks`` field shows every link it takes part in, from its side
(``outwardIssue`` on the issue the link starts from, ``inwardIssue`` on the other).
The same two issues may be linked once per type: Jira keeps one link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira.documents import require_issue, save_issue
from agent.sandbox.store import Doc

LINK = "jira.issuelink"


@dataclass(frozen=True)
class LinkType:
    id: str
    name: str
    inward: str
    outward: str


# A new Jira Cloud site's default issue link types.
LINK_TYPES = (
    LinkType("10000", "Blocks", "is blocked by", "blocks"),
    LinkType("10001", "Cloners", "is cloned by", "clones"),
    LinkType("10002", "Duplicate", "is duplicated by", "duplicates"),
    LinkType("10003", "Relates", "relates to", "relates to"),
)


def link_type_json(kind: LinkType, base: str, version: str) -> dict[str, Any]:
    return {
        "id": kind.id,
        "name": kind.name,
        "inward": kind.inward,
        "outward": kind.outward,
        "self": f"{base}rest/api/{version}/issueLinkType/{kind.id}",
    }


def _link_type(ref: Any) -> LinkType:
    if not isinstance(ref, dict) or not (ref.get("name") or ref.get("id")):
        raise ApiError(400, "", errors={"issueLinkType": "Issue link type must be specified."})
    for kind in LINK_TYPES:
        if str(ref.get("id") or "") == kind.id or str(ref.get("name") or "") == kind.name:
            return kind
    named = ref.get("name") or ref.get("id")
    raise ApiError(404, f"No issue link type with name '{named}' found.")


def _issue_ref(ctx: SandboxContext, ref: Any, member: str) -> Doc:
    if not isinstance(ref, dict) or not (ref.get("key") or ref.get("id")):
        raise ApiError(400, "", errors={member: f"'{member}' must name an issue by key or id."})
    return require_issue(ctx, str(ref.get("key") or ref.get("id")))


def create(ctx: SandboxContext, data: Any) -> None:
    """Link two issues; linking them again with the same type changes nothing."""
    if not isinstance(data, dict):
        raise ApiError(400, "Can not deserialize the issue link: send an object.")
    kind = _link_type(data.get("type"))
    inward = _issue_ref(ctx, data.get("inwardIssue"), "inwardIssue")
    outward = _issue_ref(ctx, data.get("outwardIssue"), "outwardIssue")
    with ctx.store.lock:
        for doc in ctx.store.all(LINK):
            if (doc["type"], doc["inward"], doc["outward"]) == (
                kind.id,
                inward["id"],
                outward["id"],
            ):
                return
        link_id = str(ctx.store.next_id("jira.issuelink", 10000))
        ctx.store.put(
            LINK,
            link_id,
            {"id": link_id, "type": kind.id, "inward": inward["id"], "outward": outward["id"]},
        )
        for issue in (inward, outward):
            save_issue(ctx, issue)  # a link changes what the issue shows


def links_of(ctx: SandboxContext, issue_id: str) -> list[tuple[Doc, LinkType, str, str]]:
    """``(link, type, side, other issue id)`` for every link of the issue; ``side`` is
    ``outwardIssue`` when the other issue is the link's outward end."""
    types = {kind.id: kind for kind in LINK_TYPES}
    found = []
    for doc in ctx.store.all(LINK):
        if doc["inward"] == issue_id:
            found.append((doc, types[doc["type"]], "outwardIssue", doc["outward"]))
        elif doc["outward"] == issue_id:
            found.append((doc, types[doc["type"]], "inwardIssue", doc["inward"]))
    return found


def forget_issue(ctx: SandboxContext, issue_id: str) -> None:
    """A deleted issue's links go with it."""
    for doc in ctx.store.all(LINK):
        if issue_id in (doc["inward"], doc["outward"]):
            ctx.store.delete(LINK, doc["id"])
