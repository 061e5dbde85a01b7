"""Slack's object shapes (user, conversation, message, user group), built from stored docs.

Stored documents keep a few private fields (members, pins, the channel a
message lives in); these functions decide what a client sees, with the fields
and id formats the real Web API uses (``C``/``D``/``U``/``S`` ids, ``ts`` as
``"1700000000.000100"``, epoch seconds for ``created``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from agent.sandbox.store import Doc

TEAM_ID = "T0SANDBOX1"
TEAM_NAME = "Sandbox"
TEAM_DOMAIN = "sandbox"
BOT_ID = "BBOT00001"
APP_ID = "ASANDBOX01"
BOT_ICON_BASE = "https://a.slack-edge.com/80588/img/plugins/app/bot"
BOT_ICON_SIZES = ("image_36", "image_48", "image_72")

# Message fields that are stored but never shown as-is.
_PRIVATE_MESSAGE_FIELDS = frozenset({"channel", "metadata", "replies", "pinned_by"})


def user(doc: Doc) -> dict[str, Any]:
    """A person from the shared directory as Slack's user object."""
    name = str(doc.get("name") or doc["emailAddress"].split("@", 1)[0])
    real_name = str(doc.get("displayName") or name)
    is_bot = bool(doc.get("bot"))
    avatar = hashlib.md5(doc["emailAddress"].lower().encode(), usedforsecurity=False).hexdigest()
    profile: dict[str, Any] = {
        "title": "",
        "phone": "",
        "skype": "",
        "real_name": real_name,
        "real_name_normalized": real_name,
        "display_name": real_name if not is_bot else "",
        "display_name_normalized": real_name if not is_bot else "",
        "fields": {},
        "status_text": "",
        "status_emoji": "",
        "status_expiration": 0,
        "avatar_hash": avatar[:12],
        "email": doc["emailAddress"],
        "first_name": real_name.split(" ", 1)[0],
        "last_name": real_name.split(" ", 1)[1] if " " in real_name else "",
        "team": TEAM_ID,
    }
    if is_bot:
        profile["bot_id"] = BOT_ID
        profile["api_app_id"] = APP_ID
        profile["always_active"] = True
    return {
        "id": doc["slackId"],
        "team_id": TEAM_ID,
        "name": name,
        "deleted": bool(doc.get("deleted")),
        "color": "9f69e7",
        "real_name": real_name,
        "tz": doc.get("timeZone") or "UTC",
        "tz_label": "Coordinated Universal Time",
        "tz_offset": 0,
        "profile": profile,
        "is_admin": bool(doc.get("admin")),
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": is_bot,
        "is_app_user": False,
        "updated": int(doc.get("slackUpdated", 1_700_000_000)),
        "has_2fa": False,
    }


def conversation(doc: Doc, *, viewer: str | None = None, num_members: bool = True) -> Doc:
    """A stored channel or DM as Slack's conversation object, seen by ``viewer``."""
    members: list[str] = doc.get("members", [])
    if doc.get("is_im"):
        return {
            "id": doc["id"],
            "created": doc["created"],
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "user": doc["user"],
            "is_user_deleted": False,
            "priority": 0,
        }
    shape: Doc = {
        "id": doc["id"],
        "name": doc["name"],
        "is_channel": not doc.get("is_mpim", False),
        "is_group": False,
        "is_im": False,
        "is_mpim": bool(doc.get("is_mpim", False)),
        "is_private": bool(doc.get("is_private")),
        "created": doc["created"],
        "is_archived": bool(doc.get("is_archived")),
        "is_general": False,
        "unlinked": 0,
        "name_normalized": doc["name"],
        "is_shared": False,
        "is_org_shared": False,
        "is_pending_ext_shared": False,
        "pending_shared": [],
        "parent_conversation": None,
        "creator": doc["creator"],
        "is_ext_shared": False,
        "shared_team_ids": [TEAM_ID],
        "pending_connected_team_ids": [],
        "topic": dict(doc["topic"]),
        "purpose": dict(doc["purpose"]),
        "previous_names": list(doc.get("previous_names", [])),
    }
    if viewer is not None:
        shape["is_member"] = viewer in members
    if num_members:
        shape["num_members"] = len(members)
    return shape


def message(doc: Doc, *, with_metadata: bool = False) -> Doc:
    """A stored message as Slack shows it; ``metadata`` only when asked for."""
    shape = {key: value for key, value in doc.items() if key not in _PRIVATE_MESSAGE_FIELDS}
    if doc.get("replies"):
        shape["reply_count"] = len(doc["replies"])
        users = list(dict.fromkeys(reply_user for _, reply_user in doc["replies"]))
        shape["reply_users"] = users[:5]
        shape["reply_users_count"] = len(users)
        shape["latest_reply"] = doc["replies"][-1][0]
        shape["subscribed"] = False
    if doc.get("pinned_by"):
        shape["pinned_to"] = [doc["channel"]]
    if with_metadata and doc.get("metadata") is not None:
        shape["metadata"] = dict(doc["metadata"])
    return shape


def bot_profile() -> dict[str, Any]:
    return {
        "id": BOT_ID,
        "app_id": APP_ID,
        "name": "escalation-agent",
        "icons": {size: f"{BOT_ICON_BASE}_{size[6:]}.png" for size in BOT_ICON_SIZES},
        "deleted": False,
        "updated": 1_700_000_000,
        "team_id": TEAM_ID,
    }


def usergroup(doc: Doc, *, include_users: bool = True, include_count: bool = False) -> Doc:
    """A stored user group as Slack's subteam object."""
    shape: Doc = {
        "id": doc["id"],
        "team_id": TEAM_ID,
        "is_usergroup": True,
        "is_subteam": True,
        "name": doc["name"],
        "description": doc.get("description", ""),
        "handle": doc["handle"],
        "is_external": False,
        "date_create": doc["date_create"],
        "date_update": doc.get("date_update", doc["date_create"]),
        "date_delete": doc.get("date_delete", 0),
        "auto_type": None,
        "auto_provision": False,
        "enterprise_subteam_id": "",
        "created_by": doc["created_by"],
        "updated_by": doc.get("updated_by", doc["created_by"]),
        "deleted_by": None,
        "prefs": {"channels": [], "groups": []},
    }
    if include_users:
        shape["users"] = list(doc["users"])
    if include_count:
        shape["user_count"] = len(doc["users"])
    return shape
