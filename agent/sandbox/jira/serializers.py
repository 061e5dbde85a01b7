"""Issues, projects and catalog items as Jira's REST API shows them.

Only the requested fields are rendered (searches ask for a handful), and
every ``self`` link points at the URL the request came to.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import adf, catalog, customfields, links
from agent.sandbox.jira.comments import comment_json
from agent.sandbox.jira.documents import ISSUE, PROJECT, custom_field, custom_fields
from agent.sandbox.jira.user_shapes import user_json
from agent.sandbox.store import Doc

ICONS = "https://sandbox.example/images/icons"
ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def priority_json(priority: catalog.Priority, base: str, version: str) -> dict[str, Any]:
    return {
        "self": f"{base}rest/api/{version}/priority/{priority.id}",
        "iconUrl": f"{ICONS}/priorities/{priority.name.lower()}.svg",
        "name": priority.name,
        "id": priority.id,
    }


def priority_full_json(priority: catalog.Priority, base: str, version: str) -> dict[str, Any]:
    return {
        **priority_json(priority, base, version),
        "statusColor": priority.color,
        "description": f"{priority.name} priority.",
        "isDefault": priority.id == catalog.DEFAULT_PRIORITY_ID,
    }


def status_json(status: catalog.Status, base: str, version: str) -> dict[str, Any]:
    return {
        "self": f"{base}rest/api/{version}/status/{status.id}",
        "description": "",
        "iconUrl": f"{base}images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": status_category_json(status.category_id, base, version),
    }


def status_category_json(category_id: int, base: str, version: str) -> dict[str, Any]:
    key, name, color = catalog.STATUS_CATEGORIES[category_id]
    return {
        "self": f"{base}rest/api/{version}/statuscategory/{category_id}",
        "id": category_id,
        "key": key,
        "colorName": color,
        "name": name,
    }


def issue_type_json(issue_type: catalog.IssueType, base: str, version: str) -> dict[str, Any]:
    return {
        "self": f"{base}rest/api/{version}/issuetype/{issue_type.id}",
        "id": issue_type.id,
        "description": issue_type.description,
        "iconUrl": f"{ICONS}/issuetypes/{issue_type.name.lower()}.svg",
        "name": issue_type.name,
        "subtask": issue_type.subtask,
        "hierarchyLevel": -1 if issue_type.subtask else 0,
    }


def transition_json(transition: catalog.Transition, base: str, version: str) -> dict[str, Any]:
    return {
        "id": transition.id,
        "name": transition.name,
        "to": status_json(catalog.STATUS_BY_ID[transition.to_status], base, version),
        "hasScreen": False,
        "isGlobal": True,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
        "looped": False,
    }


def resolution_json(resolution: dict[str, str], base: str, version: str) -> dict[str, Any]:
    return {"self": f"{base}rest/api/{version}/resolution/{resolution['id']}", **resolution}


def project_json(
    ctx: SandboxContext, project: Doc, base: str, version: str, *, full: bool = False
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "self": f"{base}rest/api/{version}/project/{project['id']}",
        "id": project["id"],
        "key": project["key"],
        "name": project["name"],
        "projectTypeKey": project.get("projectTypeKey", "software"),
        "simplified": False,
        "avatarUrls": {
            f"{n}x{n}": f"{base}secure/projectavatar?size={n}&pid={project['id']}"
            for n in (16, 24, 32, 48)
        },
    }
    if full:
        lead = ctx.users.by_account_id(project.get("leadAccountId") or "")
        doc.update(
            {
                "description": project.get("description", ""),
                "lead": user_json(ctx, lead, base, version) if lead else None,
                "issueTypes": [issue_type_json(t, base, version) for t in catalog.ISSUE_TYPES],
                "style": "classic",
                "isPrivate": False,
                "assigneeType": "UNASSIGNED",
                "properties": {},
            }
        )
    return doc


# -- which fields a request wants -----------------------------------------------


def all_field_ids(ctx: SandboxContext) -> list[str]:
    ids = [f["id"] for f in catalog.SYSTEM_FIELDS if f["id"] in catalog.SYSTEM_FIELD_IDS]
    ids.remove("statusCategory")
    return ids + [f["id"] for f in custom_fields(ctx)]


def select_fields(ctx: SandboxContext, requested: Iterable[str | None], default: str) -> list[str]:
    """Field ids to render from ``fields=`` values (comma lists, ``*all``, ``-x``)."""
    names: list[str] = []
    for value in requested:
        if value:
            names.extend(part.strip() for part in str(value).split(",") if part.strip())
    if not names:
        names = [default]
    chosen: list[str] = []
    excluded: set[str] = set()
    everything = all_field_ids(ctx)
    for name in names:
        if name in ("*all", "*navigable"):
            skip = catalog.NON_NAVIGABLE if name == "*navigable" else frozenset()
            chosen.extend(f for f in everything if f not in skip)
        elif name.startswith("-"):
            excluded.add(name[1:])
        elif name in ("id", "key", "issuekey", "none", "*none"):
            continue
        elif name in everything:
            chosen.append(name)
    return [f for f in dict.fromkeys(chosen) if f not in excluded]


# -- issues ---------------------------------------------------------------------------


class IssueRenderer:
    """Renders issues for one request: one base URL, version and field list."""

    def __init__(
        self,
        ctx: SandboxContext,
        base: str,
        version: str,
        field_ids: list[str],
        viewer: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.viewer = viewer  # the acting user's account id (for ``watches.isWatching``)
        self.base = base
        self.version = version
        self.field_ids = field_ids
        self._users: dict[str, dict[str, Any] | None] = {}
        self._projects: dict[str, dict[str, Any]] = {}
        self._fields = {f["id"]: f for f in custom_fields(ctx)}
        self._fixed: dict[tuple[str, str], dict[str, Any]] = {}

    def user(self, account_id: str | None) -> dict[str, Any] | None:
        if not account_id:
            return None
        if account_id not in self._users:
            user = self.ctx.users.by_account_id(account_id)
            self._users[account_id] = (
                user_json(self.ctx, user, self.base, self.version) if user else None
            )
        return self._users[account_id]

    def _fixed_json(self, kind: str, item_id: str) -> dict[str, Any]:
        key = (kind, item_id)
        if key not in self._fixed:
            if kind == "priority":
                value = priority_json(catalog.PRIORITY_BY_ID[item_id], self.base, self.version)
            elif kind == "status":
                value = status_json(catalog.STATUS_BY_ID[item_id], self.base, self.version)
            elif kind == "issuetype":
                value = issue_type_json(catalog.ISSUE_TYPE_BY_ID[item_id], self.base, self.version)
            elif kind == "resolution":
                value = resolution_json(catalog.RESOLUTION_BY_ID[item_id], self.base, self.version)
            else:
                project = self.ctx.store.get(PROJECT, item_id) or {
                    "id": item_id,
                    "key": "?",
                    "name": "?",
                }
                value = project_json(self.ctx, project, self.base, self.version)
            self._fixed[key] = value
        return self._fixed[key]

    def issue(
        self, doc: Doc, expand: Iterable[str] = (), properties: Iterable[str] = ()
    ) -> dict[str, Any]:
        stored = doc["fields"]
        fields: dict[str, Any] = {}
        for field_id in self.field_ids:
            fields[field_id] = self.field(doc, stored, field_id)
        result: dict[str, Any] = {
            "expand": ISSUE_EXPAND,
            "id": doc["id"],
            "self": f"{self.base}rest/api/{self.version}/issue/{doc['id']}",
            "key": doc["key"],
        }
        if self.field_ids:
            result["fields"] = fields
        wanted = set(expand)
        if "changelog" in wanted:
            # Cloud lists the most recent first (as documented); Data Center oldest first
            entries = doc["changelog"]
            ordered = entries if self.ctx.deployment == "datacenter" else reversed(entries)
            histories = [self.history(h) for h in ordered]
            result["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        if "names" in wanted:
            result["names"] = {f: self.field_name(f) for f in self.field_ids}
        if "renderedFields" in wanted:
            result["renderedFields"] = self.rendered(doc)
        if "transitions" in wanted:
            result["transitions"] = [
                transition_json(t, self.base, self.version)
                for t in catalog.TRANSITIONS
                if t.to_status != doc["fields"]["status"]
            ]
        keys = list(properties)
        if keys:
            every = "*all" in keys
            result["properties"] = {
                k: v for k, v in doc["properties"].items() if every or k in keys
            }
        return result

    def field_name(self, field_id: str) -> str:
        if field_id in self._fields:
            return str(self._fields[field_id]["name"])
        for system in catalog.SYSTEM_FIELDS:
            if system["id"] == field_id:
                return str(system["name"])
        return field_id

    def rendered(self, doc: Doc) -> dict[str, Any]:
        text = adf.as_text(doc["fields"].get("description"))
        return {
            "description": f"<p>{escape(text)}</p>" if text else None,
            "created": doc["fields"]["created"],
            "updated": doc["fields"]["updated"],
        }

    def history(self, entry: Doc) -> dict[str, Any]:
        return {
            "id": entry["id"],
            "author": self.user(entry["author"]),
            "created": entry["created"],
            "items": entry["items"],
        }

    def field(self, doc: Doc, stored: dict[str, Any], field_id: str) -> Any:
        value = stored.get(field_id)
        if field_id.startswith("customfield_"):
            field = self._fields.get(field_id) or custom_field(self.ctx, field_id)
            if field is None:
                return None
            return customfields.render(self.ctx, field, value, self.base, self.version)
        if field_id in ("priority", "status", "issuetype", "resolution"):
            return self._fixed_json(field_id, value) if value else None
        if field_id == "project":
            return self._fixed_json("project", doc["projectId"])
        if field_id in ("assignee", "reporter", "creator"):
            return self.user(value)
        if field_id == "description":
            if value is None:
                return None
            return adf.as_adf(value) if self.version == "3" else adf.as_text(value)
        if field_id == "labels":
            return list(value or [])
        if field_id == "timetracking":
            return dict(value or {})
        if field_id == "comment":
            comments = [
                comment_json(self.ctx, doc, c, self.base, self.version) for c in doc["comments"]
            ]
            return {
                "comments": comments,
                "self": f"{self.base}rest/api/{self.version}/issue/{doc['id']}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
        if field_id == "watches":
            return {
                "self": f"{self.base}rest/api/{self.version}/issue/{doc['key']}/watchers",
                "watchCount": len(doc["watchers"]),
                "isWatching": self.viewer in doc["watchers"],
            }
        if field_id == "attachment":
            return [attachment_json(self, doc, a) for a in doc["attachments"]]
        if field_id == "subtasks":
            return [self.related(child) for child in self._children(doc)]
        if field_id == "parent":
            parent = self.ctx.store.get(ISSUE, value) if value else None
            return self.related(parent) if parent else None
        if field_id == "issuelinks":
            return self.issue_links(doc)
        return value

    def issue_links(self, doc: Doc) -> list[dict[str, Any]]:
        """The issue's links, each showing the other issue from this one's side."""
        shown = []
        for link, kind, side, other_id in links.links_of(self.ctx, doc["id"]):
            other = self.ctx.store.get(ISSUE, other_id)
            if other is None:
                continue
            shown.append(
                {
                    "id": link["id"],
                    "self": f"{self.base}rest/api/{self.version}/issueLink/{link['id']}",
                    "type": links.link_type_json(kind, self.base, self.version),
                    side: self.related(other),
                }
            )
        return shown

    def _children(self, doc: Doc) -> list[Doc]:
        found = []
        for child_id in doc.get("children", []):
            child = self.ctx.store.get(ISSUE, child_id)
            if child is not None and catalog.ISSUE_TYPE_BY_ID[child["fields"]["issuetype"]].subtask:
                found.append(child)
        return found

    def related(self, other: Doc) -> dict[str, Any]:
        """A parent or sub-task as embedded in another issue."""
        stored = other["fields"]
        return {
            "id": other["id"],
            "key": other["key"],
            "self": f"{self.base}rest/api/{self.version}/issue/{other['id']}",
            "fields": {
                "summary": stored["summary"],
                "status": self._fixed_json("status", stored["status"]),
                "priority": self._fixed_json("priority", stored["priority"])
                if stored.get("priority")
                else None,
                "issuetype": self._fixed_json("issuetype", stored["issuetype"]),
            },
        }


def attachment_json(renderer: IssueRenderer, issue: Doc, item: Doc) -> dict[str, Any]:
    base, version = renderer.base, renderer.version
    return {
        "self": f"{base}rest/api/{version}/attachment/{item['id']}",
        "id": item["id"],
        "filename": item["filename"],
        "author": renderer.user(item["author"]),
        "created": item["created"],
        "size": item["size"],
        "mimeType": item["mimeType"],
        "content": f"{base}rest/api/{version}/attachment/content/{item['id']}",
    }
