"""The v1 REST shapes of spaces, pages, versions, users, labels and properties.

Everything not asked for with ``expand=`` is listed under ``_expandable`` with
a link, like Confluence does, so clients that probe for a key see the same
thing as on a real site.
"""

from __future__ import annotations

import hashlib
from typing import Any

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence.web import Expand, Links
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc
from agent.sandbox.user_directory import email_visible

_CONTENT_EXPANDABLE = (
    "childTypes",
    "container",
    "metadata",
    "operations",
    "children",
    "restrictions",
    "history",
    "ancestors",
    "body",
    "version",
    "descendants",
    "space",
)
_BODY_FORMATS = (
    "editor",
    "view",
    "export_view",
    "styled_view",
    "storage",
    "editor2",
    "anonymous_export_view",
    "atlas_doc_format",
    "wiki",
)
_SPACE_EXPANDABLE = (
    "settings",
    "metadata",
    "operations",
    "lookAndFeel",
    "identifiers",
    "permissions",
    "icon",
    "description",
    "theme",
    "history",
)


def user_key(account_id: str) -> str:
    """The Data Center ``userKey`` of a person: opaque, stable, not their username."""
    return hashlib.sha256(account_id.encode()).hexdigest()[:32]


def user_json(ctx: SandboxContext, account_id: str, links: Links) -> dict[str, Any]:
    """A person as Confluence shows one (page authors, version authors).

    Cloud names people by ``accountId`` and leaves ``email`` empty when their
    profile hides it (https://developer.atlassian.com/cloud/confluence/profile-visibility/);
    Data Center by ``username`` and ``userKey``, with no account ids at all.
    """
    doc = ctx.users.by_account_id(account_id) or {}
    name = doc.get("displayName", "Unknown user")
    picture = {
        "path": f"{links.context}/images/icons/profilepics/default.svg",
        "width": 48,
        "height": 48,
        "isDefault": True,
    }
    if not links.context:
        key = user_key(account_id)
        return {
            "type": "known",
            "username": doc.get("name", ""),
            "userKey": key,
            "profilePicture": picture,
            "displayName": name,
            "_links": {"self": links.api(f"user?key={key}")},
        }
    return {
        "type": "known",
        "accountId": account_id,
        "accountType": "atlassian",
        "email": doc.get("emailAddress", "") if doc and email_visible(doc) else "",
        "publicName": name,
        "profilePicture": {**picture, "path": "/wiki/aa-avatar/default.png"},
        "displayName": name,
        "isExternalCollaborator": False,
        "_expandable": {"operations": "", "personalSpace": ""},
        "_links": {"self": links.api(f"user?accountId={account_id}")},
    }


def version_json(ctx: SandboxContext, page: Doc, version: Doc, links: Links) -> dict[str, Any]:
    return {
        "by": user_json(ctx, version["by"], links),
        "when": version["when"],
        "friendlyWhen": version["when"],
        "message": version.get("message", ""),
        "number": version["number"],
        "minorEdit": bool(version.get("minorEdit", False)),
        "contentTypeModified": False,
        "_expandable": {"collaborators": "", "content": f"/rest/api/content/{page['id']}"},
        "_links": {"self": links.api(f"content/{page['id']}/version/{version['number']}")},
    }


def space_json(
    ctx: SandboxContext, space: Doc, links: Links, expand: Expand | None = None
) -> dict[str, Any]:
    expand = expand if expand is not None else {}
    key = space["key"]
    out: dict[str, Any] = {
        "id": space["id"],
        "key": key,
        "name": space["name"],
        "type": space["type"],
        "status": space["status"],
    }
    home = wiki_pages.get_page(ctx, space["homepageId"]) if space.get("homepageId") else None
    if home is not None:
        out["homepage"] = content_json(ctx, home, links, expand.get("homepage", {}))
    if "description" in expand:
        out["description"] = {
            "plain": {
                "value": space.get("description", ""),
                "representation": "plain",
                "embeddedContent": [],
            },
            "_expandable": {"view": ""},
        }
    if "history" in expand:
        out["history"] = {
            "createdDate": space["createdAt"],
            "createdBy": user_json(ctx, space["authorId"], links),
        }
    skip = set(expand) | {"homepage"}
    out["_expandable"] = {name: "" for name in _SPACE_EXPANDABLE if name not in skip}
    out["_links"] = {"webui": f"/spaces/{key}", "self": links.api(f"space/{key}")}
    return out


def label_json(label: Doc) -> dict[str, Any]:
    return {
        "prefix": label["prefix"],
        "name": label["name"],
        "id": label["id"],
        "label": label["name"],
    }


def labels_json(page: Doc, links: Links) -> dict[str, Any]:
    """A page's labels as an (unpaged) LabelArray, for ``metadata.labels`` and POST answers."""
    return {
        "results": [label_json(lb) for lb in page["labels"]],
        "start": 0,
        "limit": 200,
        "size": len(page["labels"]),
        "_links": {"self": links.api(f"content/{page['id']}/label")},
    }


def property_json(ctx: SandboxContext, page: Doc, prop: Doc, links: Links) -> dict[str, Any]:
    version = prop["version"]
    return {
        "id": prop["id"],
        "key": prop["key"],
        "value": prop["value"],
        "version": {
            "when": version["when"],
            "message": version.get("message", ""),
            "number": version["number"],
            "minorEdit": bool(version.get("minorEdit", False)),
            "contentTypeModified": False,
        },
        "_links": {"self": links.api(f"content/{page['id']}/property/{prop['key']}")},
        "_expandable": {"content": f"/rest/api/content/{page['id']}"},
    }


def history_json(
    ctx: SandboxContext, page: Doc, links: Links, expand: Expand | None = None
) -> dict[str, Any]:
    """``history``: creation, plus ``lastUpdated``/``previousVersion`` when asked."""
    expand = expand if expand is not None else {}
    out: dict[str, Any] = {
        "latest": page["status"] != "historical",
        "createdBy": user_json(ctx, page["createdBy"], links),
        "createdDate": page["createdDate"],
    }
    expandable = {"lastUpdated": "", "previousVersion": "", "contributors": "", "nextVersion": ""}
    if "lastUpdated" in expand:
        out["lastUpdated"] = version_json(ctx, page, page["version"], links)
        expandable.pop("lastUpdated")
    if "previousVersion" in expand:
        earlier = [v for v in page["versions"] if v["number"] < page["version"]["number"]]
        if earlier:
            out["previousVersion"] = version_json(ctx, page, earlier[-1], links)
        expandable.pop("previousVersion")
    out["_expandable"] = expandable
    out["_links"] = {"self": links.api(f"content/{page['id']}/history")}
    return out


def _children_json(
    ctx: SandboxContext, page: Doc, links: Links, expand: Expand, *, all_levels: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    expandable = {
        "attachment": f"/rest/api/content/{page['id']}/child/attachment",
        "comment": f"/rest/api/content/{page['id']}/child/comment",
        "page": f"/rest/api/content/{page['id']}/child/page",
    }
    if "page" in expand:
        kids = (
            wiki_pages.descendants(ctx, page["id"])
            if all_levels
            else wiki_pages.children(ctx, page["id"])
        )
        out["page"] = {
            "results": [content_json(ctx, k, links, expand["page"]) for k in kids[:25]],
            "start": 0,
            "limit": 25,
            "size": min(len(kids), 25),
            "_links": {"self": links.api(f"content/{page['id']}/child/page")},
        }
        expandable.pop("page")
    for kind in ("attachment", "comment"):
        if kind in expand:
            out[kind] = {"results": [], "start": 0, "limit": 25, "size": 0, "_links": {}}
            expandable.pop(kind)
    out["_expandable"] = expandable
    out["_links"] = {"self": links.api(f"content/{page['id']}/child")}
    return out


def children_json(
    ctx: SandboxContext, page: Doc, links: Links, expand: Expand, *, all_levels: bool = False
) -> dict[str, Any]:
    return _children_json(ctx, page, links, expand, all_levels=all_levels)


def content_json(
    ctx: SandboxContext, page: Doc, links: Links, expand: Expand | None = None
) -> dict[str, Any]:
    """A page in v1 shape with the requested expansions."""
    expand = expand if expand is not None else {}
    page_id = page["id"]
    out: dict[str, Any] = {
        "id": page_id,
        "type": page["type"],
        "status": page["status"],
        "title": page["title"],
    }
    space = wiki_pages.get_space(ctx, page["spaceKey"])
    if "space" in expand and space is not None:
        out["space"] = space_json(ctx, space, links, expand["space"])
    if "container" in expand and space is not None:
        out["container"] = space_json(ctx, space, links, expand["container"])
    if "history" in expand:
        out["history"] = history_json(ctx, page, links, expand["history"])
    if "version" in expand:
        out["version"] = version_json(ctx, page, page["version"], links)
    if "ancestors" in expand:
        out["ancestors"] = [content_json(ctx, a, links) for a in wiki_pages.ancestors(ctx, page)]
    if "children" in expand:
        out["children"] = children_json(ctx, page, links, expand["children"])
    if "descendants" in expand:
        out["descendants"] = children_json(ctx, page, links, expand["descendants"], all_levels=True)
    if "body" in expand:
        out["body"] = _body_json(page, expand["body"])
    if "metadata" in expand:
        metadata: dict[str, Any] = {"_expandable": {"currentuser": "", "properties": ""}}
        if "labels" in expand["metadata"]:
            metadata["labels"] = labels_json(page, links)
        else:
            metadata["_expandable"]["labels"] = ""
        out["metadata"] = metadata
    out["extensions"] = {"position": page.get("position", 0)}
    out["_expandable"] = {
        name: _expandable_link(name, page_id, page["spaceKey"])
        for name in _CONTENT_EXPANDABLE
        if name not in expand
    }
    webui = links.webui(page)
    out["_links"] = {
        "webui": webui,
        "edit": f"/pages/resumedraft.action?draftId={page_id}",
        "tinyui": f"/x/{page_id}",
        "self": links.api(f"content/{page_id}"),
    }
    return out


def _body_json(page: Doc, expand: Expand) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for fmt in ("storage", "view", "export_view", "styled_view", "editor"):
        if fmt in expand:
            # the sandbox does not render: every representation carries the storage markup
            body[fmt] = {
                "value": page["body"],
                "representation": fmt,
                "embeddedContent": [],
                "_expandable": {"content": f"/rest/api/content/{page['id']}"},
            }
    body["_expandable"] = {
        fmt: f"/rest/api/content/{page['id']}" for fmt in _BODY_FORMATS if fmt not in body
    }
    return body


def _expandable_link(name: str, page_id: str, space_key: str) -> str:
    if name == "space":
        return f"/rest/api/space/{space_key}"
    if name in ("history", "children", "descendants"):
        suffix = {"history": "history", "children": "child", "descendants": "descendant"}[name]
        return f"/rest/api/content/{page_id}/{suffix}"
    return ""
