"""Confluence's data: spaces and pages (one model behind the v1 and v2 views).

Plain functions over the sandbox's document store. The HTTP routes, the demo
seed, the viewer and tests all use them, so a "human edit" made from a test
goes through exactly the same rules (versions, title uniqueness, storage checks)
as one made through the REST API.

Documents:
- ``confluence.space`` keyed by space key: ``id``, ``key``, ``name``, ``type``,
  ``status``, ``description``, ``homepageId``, ``authorId``, ``createdAt``.
- ``confluence.page`` keyed by content id: ``id``, ``type``, ``status``,
  ``title``, ``spaceKey``, ``parentId``, ``body`` (storage), ``version``,
  ``versions`` (every earlier version: number, title, body, by, when...),
  ``createdBy``, ``createdDate``, ``labels``, ``properties``, ``position``.
"""

from __future__ import annotations

import re
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence.storage_format import check_storage
from agent.sandbox.context import SandboxContext
from agent.sandbox.settable_clock import confluence_time
from agent.sandbox.store import Doc

SPACE = "confluence.space"
PAGE = "confluence.page"
CONTENT_TYPES = ("page", "blogpost")
_SPACE_KEY = re.compile(r"^[A-Za-z0-9]{1,255}$")
MAX_TITLE = 255


# -- people ---------------------------------------------------------------------
def author_for(ctx: SandboxContext, email: str | None = None, user: Doc | None = None) -> Doc:
    """The user an edit is attributed to: given, by email, or the sandbox admin."""
    if user is not None:
        return user
    if email:
        found = ctx.users.by_email(email)
        if found is None:
            found = ctx.users.create(email.split("@", 1)[0].replace(".", " ").title(), email)
        return found
    return ctx.users.admin()


# -- spaces ---------------------------------------------------------------------
def get_space(ctx: SandboxContext, key: str) -> Doc | None:
    return ctx.store.get(SPACE, key)


def require_space(ctx: SandboxContext, key: str, *, status: int = 404) -> Doc:
    """The space, or an error: 404 on reads; writes pass ``status=403`` like Confluence
    Cloud, which cannot tell a missing space from one you may not write to."""
    space = get_space(ctx, key)
    if space is None:
        raise ApiError(status, f"No space with key : {key}")
    return space


def space_by_id(ctx: SandboxContext, space_id: str | int) -> Doc | None:
    for space in ctx.store.all(SPACE):
        if str(space["id"]) == str(space_id):
            return space
    return None


def all_spaces(ctx: SandboxContext) -> list[Doc]:
    return ctx.store.all(SPACE)


def create_space(
    ctx: SandboxContext,
    key: str,
    name: str,
    description: str = "",
    *,
    author: Doc | None = None,
) -> Doc:
    """Create a global space and its home page, as Confluence does."""
    if not isinstance(key, str) or not _SPACE_KEY.match(key):
        raise ApiError(400, f"Space key '{key}' is invalid: use letters and digits only.")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "A space name is required.")
    user = author_for(ctx, user=author)
    with ctx.store.lock:
        if get_space(ctx, key) is not None:
            raise ApiError(400, f"A space with key {key} already exists.")
        space: Doc = {
            "id": ctx.store.next_id("confluence.space", 98305),
            "key": key,
            "name": name,
            "type": "global",
            "status": "current",
            "description": description,
            "homepageId": None,
            "authorId": user["accountId"],
            "createdAt": confluence_time(ctx.clock.now()),
        }
        ctx.store.put(SPACE, key, space)
        home = create_page(ctx, key, f"{name} Home", "", author=user)
        space["homepageId"] = home["id"]
        ctx.store.put(SPACE, key, space)
    return space


# -- pages: reading ---------------------------------------------------------------
def get_page(ctx: SandboxContext, page_id: str | int) -> Doc | None:
    return ctx.store.get(PAGE, str(page_id))


def require_page(
    ctx: SandboxContext, page_id: str | int, statuses: tuple[str, ...] = ("current",)
) -> Doc:
    """The page, or Confluence's 404 when it is missing or not in one of ``statuses``."""
    page = get_page(ctx, page_id)
    if page is None or ("any" not in statuses and page["status"] not in statuses):
        raise ApiError(
            404,
            f"No content found with id: ContentId{{id={page_id}}}",
        )
    return page


def find_page(
    ctx: SandboxContext, space_key: str, title: str, content_type: str = "page"
) -> Doc | None:
    """The current page titled exactly ``title`` in a space, if any."""
    for page in ctx.store.all(PAGE):
        if (
            page["spaceKey"] == space_key
            and page["title"] == title
            and page["type"] == content_type
            and page["status"] == "current"
        ):
            return page
    return None


def title_holder(
    ctx: SandboxContext, space_key: str, title: str, content_type: str = "page"
) -> Doc | None:
    """The current page whose title equals ``title`` ignoring case: Confluence keeps titles
    unique per space regardless of case, while its look-ups by title are exact
    (https://community.developer.atlassian.com/t/inconsistencies-with-page-title-case-sensitivity/38664)."""
    folded = title.casefold()
    for page in ctx.store.all(PAGE):
        if (
            page["spaceKey"] == space_key
            and page["type"] == content_type
            and page["status"] == "current"
            and page["title"].casefold() == folded
        ):
            return page
    return None


def pages(ctx: SandboxContext, *, statuses: tuple[str, ...] = ("current",)) -> list[Doc]:
    return [p for p in ctx.store.all(PAGE) if "any" in statuses or p["status"] in statuses]


def page_body(ctx: SandboxContext, page_id: str | int) -> str:
    body: str = require_page(ctx, page_id, ("any",))["body"]
    return body


def ancestors(ctx: SandboxContext, page: Doc) -> list[Doc]:
    """The page's ancestors, root first (as Confluence lists them)."""
    chain: list[Doc] = []
    seen = {page["id"]}
    parent_id = page.get("parentId")
    while parent_id and parent_id not in seen:
        parent = get_page(ctx, parent_id)
        if parent is None:
            break
        chain.append(parent)
        seen.add(parent_id)
        parent_id = parent.get("parentId")
    chain.reverse()
    return chain


def children(ctx: SandboxContext, page_id: str) -> list[Doc]:
    kids = [
        p for p in ctx.store.all(PAGE) if p.get("parentId") == page_id and p["status"] == "current"
    ]
    return sorted(kids, key=lambda p: (p.get("position", 0), int(p["id"])))


def descendants(ctx: SandboxContext, page_id: str) -> list[Doc]:
    found: list[Doc] = []
    queue = [page_id]
    while queue:
        current = queue.pop(0)
        for kid in children(ctx, current):
            found.append(kid)
            queue.append(kid["id"])
    return found


# -- pages: writing -------------------------------------------------------------
def _check_title(
    ctx: SandboxContext, space_key: str, title: Any, content_type: str, own_id: str | None
) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, "Title is required and cannot be blank.")
    if len(title) > MAX_TITLE:
        raise ApiError(400, f"Title cannot be longer than {MAX_TITLE} characters.")
    existing = title_holder(ctx, space_key, title, content_type)
    if existing is not None and existing["id"] != own_id:
        raise ApiError(
            400,
            "A page with this title already exists: A page already exists with the title "
            f"{title} in this space",
        )
    return title


def _check_parent(ctx: SandboxContext, space_key: str, parent_id: Any, own_id: str | None) -> str:
    parent = get_page(ctx, str(parent_id))
    if parent is None or parent["status"] != "current":
        raise ApiError(400, f"Could not find parent content with id {parent_id}")
    if parent["spaceKey"] != space_key:
        raise ApiError(400, "The parent page must be in the same space as the page.")
    if own_id is not None and (
        parent["id"] == own_id or any(a["id"] == own_id for a in ancestors(ctx, parent))
    ):
        raise ApiError(400, "A page cannot be moved below itself or one of its descendants.")
    return str(parent["id"])


def _version(ctx: SandboxContext, number: int, user: Doc, message: str, minor: bool) -> Doc:
    return {
        "number": number,
        "by": user["accountId"],
        "when": confluence_time(ctx.clock.now()),
        "message": message,
        "minorEdit": minor,
    }


def create_page(  # noqa: PLR0917 - the seeding API's documented signature
    ctx: SandboxContext,
    space_key: str,
    title: str,
    storage_body: str,
    parent_id: str | int | None = None,
    author_email: str | None = None,
    *,
    author: Doc | None = None,
    content_type: str = "page",
    message: str = "",
) -> Doc:
    """Create a current page (checks the storage body, the title and the parent)."""
    if content_type not in CONTENT_TYPES:
        raise ApiError(400, f"Content type '{content_type}' is not supported here.")
    if not isinstance(storage_body, str):
        raise ApiError(400, "body.storage.value must be a string.")
    check_storage(storage_body)
    user = author_for(ctx, author_email, author)
    with ctx.store.lock:
        require_space(ctx, space_key, status=403)
        _check_title(ctx, space_key, title, content_type, None)
        parent = (
            _check_parent(ctx, space_key, parent_id, None) if parent_id not in (None, "") else None
        )
        page_id = str(ctx.store.next_id("confluence.content", 65537))
        version = _version(ctx, 1, user, message, False)
        page: Doc = {
            "id": page_id,
            "type": content_type,
            "status": "current",
            "title": title,
            "spaceKey": space_key,
            "parentId": parent,
            "body": storage_body,
            "version": version,
            "versions": [],
            "createdBy": user["accountId"],
            "createdDate": version["when"],
            "labels": [],
            "properties": [],
            "position": len(children(ctx, parent)) if parent else 0,
        }
        ctx.store.put(PAGE, page_id, page)
    return page


def update_page(
    ctx: SandboxContext,
    page_id: str | int,
    version_number: Any,
    *,
    title: str | None = None,
    storage_body: str | None = None,
    parent_id: str | int | None = None,
    author: Doc | None = None,
    author_email: str | None = None,
    message: str = "",
    minor_edit: bool = False,
    restore: bool = False,
) -> Doc:
    """Write a new version; ``version_number`` must be the current number plus one.

    A stale or equal number gets Confluence's 409, so an edit made between the
    agent's read and its write is never silently overwritten.
    """
    if isinstance(version_number, bool) or not isinstance(version_number, int):
        raise ApiError(400, "version.number is required and must be an integer.")
    if storage_body is not None:
        if not isinstance(storage_body, str):
            raise ApiError(400, "body.storage.value must be a string.")
        check_storage(storage_body)
    user = author_for(ctx, author_email, author)
    with ctx.store.lock:
        page = require_page(ctx, page_id, ("current", "trashed") if restore else ("current",))
        current = int(page["version"]["number"])
        if version_number != current + 1:
            raise ApiError(
                409, f"Version must be incremented on update. Current version is: {current}"
            )
        new_title = page["title"] if title is None else title
        _check_title(ctx, page["spaceKey"], new_title, page["type"], page["id"])
        new_parent = page.get("parentId")
        if parent_id not in (None, ""):
            new_parent = _check_parent(ctx, page["spaceKey"], parent_id, page["id"])
        previous = dict(page["version"], title=page["title"], body=page["body"])
        page["versions"].append(previous)
        page["version"] = _version(ctx, version_number, user, message, minor_edit)
        page["title"] = new_title
        page["parentId"] = new_parent
        page["status"] = "current"
        if storage_body is not None:
            page["body"] = storage_body
        ctx.store.put(PAGE, page["id"], page)
    return page


def trash_page(ctx: SandboxContext, page_id: str | int) -> Doc:
    """Move a page to the trash; its children move up to its parent, as in Confluence."""
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        for kid in children(ctx, page["id"]):
            kid["parentId"] = page.get("parentId")
            ctx.store.put(PAGE, kid["id"], kid)
        page["status"] = "trashed"
        ctx.store.put(PAGE, page["id"], page)
    return page


def purge_page(ctx: SandboxContext, page_id: str | int) -> None:
    """Remove a trashed page for good."""
    with ctx.store.lock:
        require_page(ctx, page_id, ("trashed",))
        ctx.store.delete(PAGE, str(page_id))


def historical_version(page: Doc, number: int) -> Doc | None:
    """A read-only view of an earlier version of the page (``status: historical``)."""
    if number == page["version"]["number"]:
        return page
    for old in page["versions"]:
        if old["number"] == number:
            version = {k: old[k] for k in ("number", "by", "when", "message", "minorEdit")}
            return dict(
                page, title=old["title"], body=old["body"], version=version, status="historical"
            )
    return None
