"""Users as Jira shows them, and how Jira requests name users.

Cloud names people by ``accountId`` only. Data Center has no account ids at
all: a user is a ``name`` (username) and a ``key``
(https://docs.atlassian.com/software/jira/docs/api/REST/9.12.0/#api/2/user),
and requests name people by ``name``. The sandbox keeps one person per email in
``ctx.users``; its Python seeding API (no HTTP request) may name anyone by the
sandbox's own id on either deployment.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import has_request_context

from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc
from agent.sandbox.user_directory import email_visible

_AVATAR = "https://avatar.sandbox.example/initials/{initials}-{size}.png"


def _avatars(name: str) -> dict[str, str]:
    initials = "".join(part[:1] for part in name.split()[:2]).upper() or "U"
    return {
        f"{size}x{size}": _AVATAR.format(initials=initials, size=size) for size in (16, 24, 32, 48)
    }


def user_json(ctx: SandboxContext, user: Doc, base: str, version: str = "2") -> dict[str, Any]:
    """A user as Jira serialises one inside issues, comments, changelogs, /user and /myself.

    On Cloud, a person whose profile hides their email has no ``emailAddress``
    in any answer ("Depending on the user's privacy setting, this may be returned
    as null", the User schema of https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-users/).
    """
    if ctx.deployment == "datacenter":
        return _datacenter_user_json(user, base, version)
    account_id = user["accountId"]
    doc: dict[str, Any] = {
        "self": f"{base}rest/api/{version}/user?accountId={account_id}",
        "accountId": account_id,
        "avatarUrls": _avatars(user["displayName"]),
        "displayName": user["displayName"],
        "active": bool(user.get("active", True)) and not user.get("deleted"),
        "timeZone": user.get("timeZone", "UTC"),
        "accountType": "app" if user.get("bot") else "atlassian",
    }
    if email_visible(user):
        doc["emailAddress"] = user["emailAddress"]
    return doc


def datacenter_key(user: Doc) -> str:
    """The user key Jira Data Center gives a user created since 8.x (``JIRAUSER10123``)."""
    digest = int(hashlib.sha256(user["accountId"].encode()).hexdigest()[:8], 16)
    return f"JIRAUSER{10000 + digest % 90000}"


def _datacenter_user_json(user: Doc, base: str, version: str) -> dict[str, Any]:
    """A Data Center user: ``name`` and ``key``, no ``accountId`` and no ``accountType``."""
    return {
        "self": f"{base}rest/api/{version}/user?username={user['name']}",
        "key": datacenter_key(user),
        "name": user["name"],
        "emailAddress": user["emailAddress"],
        "avatarUrls": _avatars(user["displayName"]),
        "displayName": user["displayName"],
        "active": bool(user.get("active", True)) and not user.get("deleted"),
        "timeZone": user.get("timeZone", "UTC"),
    }


def user_by_ref(ctx: SandboxContext, ref: Any) -> Doc | None:
    """The person a request names: ``{"accountId"}`` on Cloud, ``{"name"}`` (or
    ``{"key"}``) on Data Center, which knows no account ids.

    Returns ``None`` when nobody matches; callers word the error for their field.
    """
    datacenter = ctx.deployment == "datacenter"
    by_account = not datacenter or not has_request_context()  # seeding API: either
    if isinstance(ref, dict):
        if by_account and ref.get("accountId"):
            return ctx.users.by_account_id(str(ref["accountId"]))
        if datacenter and ref.get("name"):
            return ctx.users.by_name(str(ref["name"]))
        if datacenter and ref.get("key"):
            return by_datacenter_key(ctx, str(ref["key"]))
        return None
    if isinstance(ref, str) and ref:
        found = ctx.users.by_account_id(ref) if by_account else None
        if found is None and datacenter:
            found = ctx.users.by_name(ref)
        return found
    return None


def by_datacenter_key(ctx: SandboxContext, key: str) -> Doc | None:
    return next((u for u in ctx.users.all() if datacenter_key(u) == key), None)
