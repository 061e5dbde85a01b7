"""Users as Jira shows them, and how Jira requests name users.

Cloud names people by ``accountId`` only; Data Center by ``name`` (username)
as well. The sandbox keeps one person per email in ``ctx.users``.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.app import SandboxContext
from agent.sandbox.store import Doc

_AVATAR = "https://avatar.sandbox.example/initials/{initials}-{size}.png"


def _avatars(name: str) -> dict[str, str]:
    initials = "".join(part[:1] for part in name.split()[:2]).upper() or "U"
    return {
        f"{size}x{size}": _AVATAR.format(initials=initials, size=size) for size in (16, 24, 32, 48)
    }


def user_json(ctx: SandboxContext, user: Doc, base: str, version: str = "2") -> dict[str, Any]:
    """A user as Jira serialises one inside issues, comments and /user."""
    account_id = user["accountId"]
    doc: dict[str, Any] = {
        "self": f"{base}rest/api/{version}/user?accountId={account_id}",
        "accountId": account_id,
        "emailAddress": user["emailAddress"],
        "avatarUrls": _avatars(user["displayName"]),
        "displayName": user["displayName"],
        "active": bool(user.get("active", True)) and not user.get("deleted"),
        "timeZone": user.get("timeZone", "UTC"),
        "accountType": "app" if user.get("bot") else "atlassian",
    }
    if ctx.deployment == "datacenter":
        doc["self"] = f"{base}rest/api/{version}/user?username={user['name']}"
        doc["name"] = user["name"]
        doc["key"] = user["name"]
    return doc


def user_by_ref(ctx: SandboxContext, ref: Any) -> Doc | None:
    """The person a request names: ``{"accountId"}``, or ``{"name"}`` on Data Center.

    Returns ``None`` when nobody matches; callers word the error for their field.
    """
    if isinstance(ref, dict):
        if ref.get("accountId"):
            return ctx.users.by_account_id(str(ref["accountId"]))
        if ctx.deployment == "datacenter" and ref.get("name"):
            return ctx.users.by_name(str(ref["name"]))
        return None
    if isinstance(ref, str) and ref:
        found = ctx.users.by_account_id(ref)
        if found is None and ctx.deployment == "datacenter":
            found = ctx.users.by_name(ref)
        return found
    return None
