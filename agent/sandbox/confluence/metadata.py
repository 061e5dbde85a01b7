"""Labels and content properties of pages (kept inside the page document).

Labels are global names shared by all pages (one id per name, like Confluence);
properties are small JSON values with their own version numbers, which the
agent uses to remember what it wrote.
"""

from __future__ import annotations

import re
from typing import Any

from agent.sandbox.api_errors import ApiError
from agent.sandbox.confluence.content import PAGE, author_for, require_page
from agent.sandbox.context import SandboxContext
from agent.sandbox.settable_clock import confluence_time
from agent.sandbox.store import Doc

LABEL = "confluence.label"
LABEL_PREFIXES = ("global", "my", "team")
_BAD_LABEL = re.compile(r"[\s:;,.?&\[\]()#^*@!<>]")
MAX_PROPERTY_KEY = 255


# -- labels ---------------------------------------------------------------------
def _label_id(ctx: SandboxContext, name: str) -> str:
    with ctx.store.lock:
        known = ctx.store.get(LABEL, name)
        if known is None:
            known = {"id": str(ctx.store.next_id("confluence.label", 1001)), "name": name}
            ctx.store.put(LABEL, name, known)
        return str(known["id"])


def add_labels(
    ctx: SandboxContext, page_id: str | int, names: list[str], prefix: str = "global"
) -> list[Doc]:
    """Add labels (lower-cased, like Confluence); returns all of the page's labels."""
    if prefix not in LABEL_PREFIXES:
        raise ApiError(400, f"Label prefix '{prefix}' is invalid; use one of global, my, team.")
    cleaned = []
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A label name is required.")
        if _BAD_LABEL.search(name) or len(name) > 255:
            raise ApiError(400, f"Label '{name}' contains invalid characters.")
        cleaned.append(name.lower())
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        have = {label["name"] for label in page["labels"]}
        for name in cleaned:
            if name not in have:
                page["labels"].append({"id": _label_id(ctx, name), "name": name, "prefix": prefix})
                have.add(name)
        ctx.store.put(PAGE, page["id"], page)
        return list(page["labels"])


def remove_label(ctx: SandboxContext, page_id: str | int, name: str) -> None:
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        kept = [label for label in page["labels"] if label["name"] != name.lower()]
        if len(kept) == len(page["labels"]):
            raise ApiError(404, f"Label '{name}' is not on content {page_id}.")
        page["labels"] = kept
        ctx.store.put(PAGE, page["id"], page)


# -- content properties ---------------------------------------------------------
def get_property(ctx: SandboxContext, page_id: str | int, key: str) -> Doc | None:
    page = require_page(ctx, page_id)
    for prop in page["properties"]:
        if prop["key"] == key:
            return prop  # type: ignore[no-any-return]
    return None


def property_by_id(ctx: SandboxContext, page_id: str | int, property_id: str) -> Doc | None:
    page = require_page(ctx, page_id)
    for prop in page["properties"]:
        if prop["id"] == str(property_id):
            return prop  # type: ignore[no-any-return]
    return None


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ApiError(400, "A property key is required.")
    if len(key) > MAX_PROPERTY_KEY:
        raise ApiError(400, f"A property key cannot be longer than {MAX_PROPERTY_KEY} characters.")
    return key


def _prop_version(ctx: SandboxContext, number: int, user: Doc, message: str) -> Doc:
    return {
        "number": number,
        "when": confluence_time(ctx.clock.now()),
        "message": message,
        "minorEdit": False,
        "by": user["accountId"],
    }


def create_property(
    ctx: SandboxContext, page_id: str | int, key: Any, value: Any, *, author: Doc | None = None
) -> Doc:
    """A new property at version 1; a key that exists already is a 400, as in Confluence."""
    key = _check_key(key)
    user = author_for(ctx, user=author)
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        if any(prop["key"] == key for prop in page["properties"]):
            raise ApiError(
                400, f"Cannot add a property with key '{key}' because one already exists."
            )
        prop: Doc = {
            "id": str(ctx.store.next_id("confluence.property", 3000001)),
            "key": key,
            "value": value,
            "version": _prop_version(ctx, 1, user, ""),
        }
        page["properties"].append(prop)
        ctx.store.put(PAGE, page["id"], page)
        return prop


def update_property(
    ctx: SandboxContext,
    page_id: str | int,
    key: Any,
    value: Any,
    version_number: Any,
    *,
    author: Doc | None = None,
    message: str = "",
) -> Doc:
    """A new version of a property; ``version_number`` must be current + 1 (else 409)."""
    key = _check_key(key)
    if isinstance(version_number, bool) or not isinstance(version_number, int):
        raise ApiError(400, "version.number is required and must be an integer.")
    user = author_for(ctx, user=author)
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        prop: Doc | None = next((p for p in page["properties"] if p["key"] == key), None)
        if prop is None:
            raise ApiError(404, f"Cannot find content property with key '{key}' on {page_id}.")
        current = int(prop["version"]["number"])
        if version_number != current + 1:
            raise ApiError(
                409,
                f"Version must be incremented on update. Current version is: {current}",
            )
        prop["value"] = value
        prop["version"] = _prop_version(ctx, version_number, user, message)
        ctx.store.put(PAGE, page["id"], page)
        return prop


def set_property(
    ctx: SandboxContext,
    page_id: str | int,
    key: str,
    value: Any,
    *,
    author_email: str | None = None,
) -> Doc:
    """Create or overwrite a property (seeding helper: bumps the version itself)."""
    author = author_for(ctx, author_email)
    with ctx.store.lock:
        existing = get_property(ctx, page_id, key)
        if existing is None:
            return create_property(ctx, page_id, key, value, author=author)
        number = int(existing["version"]["number"]) + 1
        return update_property(ctx, page_id, key, value, number, author=author)


def delete_property(ctx: SandboxContext, page_id: str | int, key: str) -> None:
    with ctx.store.lock:
        page = require_page(ctx, page_id)
        kept = [prop for prop in page["properties"] if prop["key"] != key]
        if len(kept) == len(page["properties"]):
            raise ApiError(404, f"Cannot find content property with key '{key}' on {page_id}.")
        page["properties"] = kept
        ctx.store.put(PAGE, page["id"], page)
