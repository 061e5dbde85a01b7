"""People known to the sandbox: one record per person, with a Jira accountId and
(optionally) a Slack user id sharing the same email, as in a real organisation.

Each person also has what their Atlassian profile settings decide: a time zone
(Jira reads JQL dates in the searching user's zone) and whether their email is
visible. On Jira and Confluence Cloud a person may hide their email from
everyone; apps then never see it, in any answer
(https://developer.atlassian.com/cloud/jira/platform/profile-visibility/). Slack
still knows it.
"""

from __future__ import annotations

import hashlib
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from agent.sandbox.store import Doc, DocStore

ADMIN_EMAIL = "admin@sandbox.example"
BOT_EMAIL = "escalation-agent@sandbox.example"
KIND = "user"


def _account_id(email: str) -> str:
    # Jira Cloud account ids look like "712020:<uuid>"; derived, so stable across restarts.
    digest = hashlib.sha256(email.lower().encode()).hexdigest()
    return f"712020:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def valid_zone(name: str) -> str:
    """``name`` if it is an IANA time zone; ValueError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin)") from exc
    return name


def user_zone(doc: Doc) -> ZoneInfo:
    """The person's profile time zone (UTC when unset)."""
    return ZoneInfo(str(doc.get("timeZone") or "UTC"))


def email_visible(doc: Doc) -> bool:
    """Whether the person's profile lets apps see their email."""
    return doc.get("emailVisible", True) is not False


class UserDirectory:
    """Lookup and creation of people; documents are stored under kind ``user``."""

    def __init__(self, store: DocStore) -> None:
        self.store = store
        self._by_email: dict[str, str] = {}
        self._by_slack: dict[str, str] = {}
        for doc in store.all(KIND):
            self._index(doc)
        if self.by_email(ADMIN_EMAIL) is None:
            self.create("Sandbox Admin", ADMIN_EMAIL, slack=True, admin=True)
        if self.by_email(BOT_EMAIL) is None:
            self.create("escalation-agent", BOT_EMAIL, slack=True, bot=True)

    def _index(self, doc: Doc) -> None:
        self._by_email[doc["emailAddress"].lower()] = doc["accountId"]
        if doc.get("slackId"):
            self._by_slack[doc["slackId"]] = doc["accountId"]

    def create(
        self,
        name: str,
        email: str,
        *,
        slack: bool = True,
        admin: bool = False,
        bot: bool = False,
        **extra: Any,
    ) -> Doc:
        with self.store.lock:
            existing = self.by_email(email)
            if existing is not None:
                if slack and not existing.get("slackId"):
                    existing["slackId"] = f"U{self.store.next_id('slack-user', 1000):08d}"
                    self.store.put(KIND, existing["accountId"], existing)
                    self._index(existing)
                return existing
            slack_id = None
            if slack:
                slack_id = "UBOT00001" if bot else f"U{self.store.next_id('slack-user', 1000):08d}"
            doc: Doc = {
                "accountId": _account_id(email),
                "emailAddress": email,
                "emailVisible": True,
                "displayName": name,
                "name": email.split("@", 1)[0],
                "active": True,
                "timeZone": "UTC",
                "admin": admin,
                "bot": bot,
                "slackId": slack_id,
                "deleted": False,
                **extra,
            }
            self.store.put(KIND, doc["accountId"], doc)
            self._index(doc)
            return doc

    def set_profile(
        self, doc: Doc, *, email_visible: bool | None = None, timezone: str | None = None
    ) -> Doc:
        """Change what the person's profile settings decide (only what is given)."""
        with self.store.lock:
            if email_visible is not None:
                doc["emailVisible"] = email_visible
            if timezone is not None:
                doc["timeZone"] = valid_zone(timezone)
            self.store.put(KIND, doc["accountId"], doc)
        return doc

    def by_email(self, email: str) -> Doc | None:
        account_id = self._by_email.get(email.lower())
        return self.store.get(KIND, account_id) if account_id else None

    def by_account_id(self, account_id: str) -> Doc | None:
        return self.store.get(KIND, account_id)

    def by_slack_id(self, slack_id: str) -> Doc | None:
        account_id = self._by_slack.get(slack_id)
        return self.store.get(KIND, account_id) if account_id else None

    def by_name(self, name: str) -> Doc | None:
        """Data Center style lookup by username (the part of the email before @)."""
        for doc in self.store.all(KIND):
            if doc["name"] == name:
                return doc
        return None

    def admin(self) -> Doc:
        doc = self.by_email(ADMIN_EMAIL)
        assert doc is not None
        return doc

    def bot(self) -> Doc:
        doc = self.by_email(BOT_EMAIL)
        assert doc is not None
        return doc

    def all(self) -> list[Doc]:
        return self.store.all(KIND)

    def reindex(self) -> None:
        self._by_email.clear()
        self._by_slack.clear()
        for doc in self.store.all(KIND):
            self._index(doc)
