"""Confluence spaces and pages as the viewer shows them: a tree per space, and a
page's body converted to safe HTML with links into the viewer."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc
from agent.sandbox.viewer.storage_html import Links, storage_to_html
from agent.sandbox.viewer.timefmt import from_jira


@dataclass
class TreeNode:
    id: str
    title: str
    children: list[TreeNode] = field(default_factory=list)


@dataclass(frozen=True)
class PageView:
    id: str
    title: str
    space_key: str
    space_name: str
    breadcrumbs: list[tuple[str, str]]  # (id, title), root first
    version: int
    updated_by: str
    updated: str
    labels: list[str]
    body: Markup


def page_url(page_id: str) -> str:
    return f"/view/wiki/{page_id}"


def _node(ctx: SandboxContext, page: Doc, seen: set[str]) -> TreeNode:
    seen.add(page["id"])
    node = TreeNode(page["id"], page["title"])
    for kid in wiki_pages.children(ctx, page["id"]):
        if kid["id"] not in seen:
            node.children.append(_node(ctx, kid, seen))
    return node


def tree(ctx: SandboxContext) -> list[tuple[Doc, list[TreeNode]]]:
    """Each space with its top-level pages (home page first) and their descendants."""
    result = []
    for space in wiki_pages.all_spaces(ctx):
        pages = [p for p in wiki_pages.pages(ctx) if p["spaceKey"] == space["key"]]
        ids = {p["id"] for p in pages}
        roots = [p for p in pages if not p.get("parentId") or p["parentId"] not in ids]
        roots.sort(key=lambda p: (p["id"] != space.get("homepageId"), int(p["id"])))
        seen: set[str] = set()
        result.append((space, [_node(ctx, p, seen) for p in roots]))
    return result


def _links(ctx: SandboxContext, page: Doc) -> Links:
    def page_link(space_key: str | None, title: str) -> str | None:
        found = wiki_pages.title_holder(ctx, space_key or page["spaceKey"], title)
        return page_url(found["id"]) if found else None

    def children() -> list[tuple[str, str]]:
        return [(page_url(kid["id"]), kid["title"]) for kid in wiki_pages.children(ctx, page["id"])]

    def user(account_id: str) -> str:
        found = ctx.users.by_account_id(account_id)
        return str(found["displayName"]) if found else account_id

    return Links(page=page_link, children=children, user=user)


def page(ctx: SandboxContext, page_id: str) -> PageView | None:
    doc = wiki_pages.get_page(ctx, page_id)
    if doc is None or doc["status"] != "current":
        return None
    space = wiki_pages.get_space(ctx, doc["spaceKey"]) or {}
    author = ctx.users.by_account_id(doc["version"]["by"])
    return PageView(
        id=doc["id"],
        title=doc["title"],
        space_key=doc["spaceKey"],
        space_name=str(space.get("name", doc["spaceKey"])),
        breadcrumbs=[(a["id"], a["title"]) for a in wiki_pages.ancestors(ctx, doc)],
        version=int(doc["version"]["number"]),
        updated_by=str(author["displayName"]) if author else "",
        updated=from_jira(doc["version"]["when"]),
        labels=[str(label["name"]) for label in doc.get("labels", [])],
        body=storage_to_html(doc["body"], _links(ctx, doc)),
    )
