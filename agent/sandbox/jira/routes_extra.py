"""Issue side-data routes: watchers, attachments (metadata only), remote links
and issue properties.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import changelog, links
from agent.sandbox.jira.documents import ISSUE, require_issue, save_issue
from agent.sandbox.jira.route_helpers import actor, base_url, body_object, no_content, router
from agent.sandbox.jira.serializers import IssueRenderer, attachment_json
from agent.sandbox.jira.user_shapes import user_by_ref, user_json
from agent.sandbox.json_body import json_body
from agent.sandbox.store import Doc

PROPERTY_VALUE_LIMIT = 32768
"""Bytes an entity property's value may hold (Jira's "Set issue property")."""


def _find_attachment(ctx: SandboxContext, attachment_id: str) -> tuple[Doc, Doc]:
    for issue in ctx.store.all(ISSUE):
        for item in issue["attachments"]:
            if item["id"] == attachment_id:
                return issue, item
    raise ApiError(404, f"The attachment with id '{attachment_id}' does not exist")


def _remote_link_json(issue: Doc, link: Doc, version: str) -> dict[str, Any]:
    doc = {
        "id": int(link["id"]),
        "self": f"{base_url()}rest/api/{version}/issue/{issue['key']}/remotelink/{link['id']}",
        "application": link.get("application") or {},
        "object": link["object"],
    }
    for optional in ("globalId", "relationship"):
        if link.get(optional) is not None:
            doc[optional] = link[optional]
    return doc


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    # -- watchers ----------------------------------------------------------------
    @route("/issue/<ref>/watchers", methods=("GET", "POST", "DELETE"))
    def watchers(version: str, ref: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        if request.method == "GET":
            people = [ctx.users.by_account_id(a) for a in issue["watchers"]]
            return jsonify(
                {
                    "self": f"{base_url()}rest/api/{version}/issue/{issue['key']}/watchers",
                    "isWatching": actor()["accountId"] in issue["watchers"],
                    "watchCount": len(issue["watchers"]),
                    "watchers": [user_json(ctx, p, base_url(), version) for p in people if p],
                }
            )
        if request.method == "DELETE":
            ref_value = request.args.get("accountId") or request.args.get("username")
            if not ref_value:
                raise ApiError(400, "The accountId query parameter needs to be provided.")
            person = user_by_ref(ctx, ref_value)
            if person is None:
                raise ApiError(404, "The user specified does not exist.")
            with ctx.store.lock:
                if person["accountId"] in issue["watchers"]:
                    issue["watchers"].remove(person["accountId"])
                    save_issue(ctx, issue)
            return no_content()
        raw = json_body(required=False)
        if raw is None:
            person = actor()
        elif not isinstance(raw, str):
            raise ApiError(400, "The watcher must be a JSON string holding an accountId.")
        else:
            found = user_by_ref(ctx, raw)
            if found is None or found.get("deleted"):
                raise ApiError(404, f'The user "{raw}" does not exist.')
            person = found
        with ctx.store.lock:
            if person["accountId"] not in issue["watchers"]:
                issue["watchers"].append(person["accountId"])
                save_issue(ctx, issue)
        return no_content()

    # -- attachments ---------------------------------------------------------------
    @route("/issue/<ref>/attachments", methods=("POST",))
    def add_attachments(version: str, ref: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        if request.headers.get("X-Atlassian-Token", "").lower() != "no-check":
            raise ApiError(403, "XSRF check failed")
        uploads = request.files.getlist("file")
        if not uploads:
            raise ApiError(400, "No file was attached: send multipart field 'file'.")
        renderer = IssueRenderer(ctx, base_url(), version, [])
        made = []
        with ctx.store.lock:
            stamp, _millis = changelog.now_stamp(ctx)
            items = []
            for upload in uploads:
                size = len(upload.read())
                filename = upload.filename or "attachment"
                mime = upload.mimetype
                if not mime or mime == "application/octet-stream":
                    mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                item: Doc = {
                    "id": str(ctx.store.next_id("jira.attachment", 10000)),
                    "filename": filename,
                    "author": actor()["accountId"],
                    "created": stamp,
                    "size": size,
                    "mimeType": mime,
                }
                issue["attachments"].append(item)
                made.append(attachment_json(renderer, issue, item))
                items.append(
                    {
                        "field": "Attachment",
                        "fieldtype": "jira",
                        "fieldId": "attachment",
                        "from": None,
                        "fromString": None,
                        "to": item["id"],
                        "toString": filename,
                    }
                )
            changelog.record_history(ctx, issue, actor(), items)
        return jsonify(made)

    @route("/attachment/<attachment_id>", methods=("GET", "DELETE"))
    def attachment(version: str, attachment_id: str) -> ResponseReturnValue:
        issue, item = _find_attachment(ctx, attachment_id)
        if request.method == "DELETE":
            with ctx.store.lock:
                issue["attachments"].remove(item)
                changelog.record_history(
                    ctx,
                    issue,
                    actor(),
                    [
                        {
                            "field": "Attachment",
                            "fieldtype": "jira",
                            "fieldId": "attachment",
                            "from": item["id"],
                            "fromString": item["filename"],
                            "to": None,
                            "toString": None,
                        }
                    ],
                )
            return no_content()
        renderer = IssueRenderer(ctx, base_url(), version, [])
        metadata = attachment_json(renderer, issue, item)
        metadata["id"] = int(item["id"])  # AttachmentMetadata has a numeric id
        return jsonify(metadata)

    # -- remote links -------------------------------------------------------------------
    @route("/issue/<ref>/remotelink", methods=("GET", "POST"))
    def remote_links(version: str, ref: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        if request.method == "GET":
            wanted = request.args.get("globalId")
            if wanted is None:
                return jsonify(
                    [_remote_link_json(issue, link, version) for link in issue["remotelinks"]]
                )
            # with a globalId Jira answers that one link, not a list
            for candidate in issue["remotelinks"]:
                if candidate.get("globalId") == wanted:
                    return jsonify(_remote_link_json(issue, candidate, version))
            raise ApiError(404, f"No remote link with globalId '{wanted}' on '{issue['key']}'.")
        data = body_object()
        target = data.get("object")
        errors = {}
        if not isinstance(target, dict):
            errors["object"] = "'object' is required."
        else:
            if not isinstance(target.get("url"), str) or not target["url"]:
                errors["url"] = "'url' is required."
            if not isinstance(target.get("title"), str) or not target["title"]:
                errors["title"] = "'title' is required."
        if errors:
            raise ApiError(400, "", errors=errors)
        global_id = data.get("globalId")
        with ctx.store.lock:
            existing = next(
                (
                    link
                    for link in issue["remotelinks"]
                    if global_id is not None and link.get("globalId") == global_id
                ),
                None,
            )
            link: Doc = (
                existing
                if existing is not None
                else {"id": str(ctx.store.next_id("jira.remotelink", 10000))}
            )
            link.update(
                {
                    "globalId": global_id,
                    "application": data.get("application"),
                    "relationship": data.get("relationship"),
                    "object": target,
                }
            )
            if existing is None:
                issue["remotelinks"].append(link)
            changelog.touch(ctx, issue)
        reference = {
            "id": int(link["id"]),
            "self": f"{base_url()}rest/api/{version}/issue/{issue['key']}/remotelink/{link['id']}",
        }
        return jsonify(reference), (200 if existing is not None else 201)

    @route("/issue/<ref>/remotelink/<link_id>", methods=("GET", "PUT", "DELETE"))
    def remote_link(version: str, ref: str, link_id: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        link = next((lk for lk in issue["remotelinks"] if lk["id"] == link_id), None)
        if link is None:
            raise ApiError(404, f"No remote link with id '{link_id}' on issue '{issue['key']}'.")
        if request.method == "GET":
            return jsonify(_remote_link_json(issue, link, version))
        with ctx.store.lock:
            if request.method == "DELETE":
                issue["remotelinks"].remove(link)
            else:
                data = body_object()
                if not isinstance(data.get("object"), dict):
                    raise ApiError(400, "", errors={"object": "'object' is required."})
                for name in ("globalId", "application", "relationship", "object"):
                    if name in data:
                        link[name] = data[name]
            changelog.touch(ctx, issue)
        return no_content()

    # -- application links (none: the jira client asks before adding a remote link) --
    @router(app, prefix="/rest/applinks/latest")("/listApplicationlinks")
    def application_links() -> ResponseReturnValue:
        return jsonify([])

    # -- issue links (agent.sandbox.jira.links) -------------------------------------------
    @route("/issueLink", methods=("POST",))
    def issue_link(version: str) -> ResponseReturnValue:
        links.create(ctx, json_body())
        return jsonify({}), 201

    @route("/issueLinkType")
    def issue_link_types(version: str) -> ResponseReturnValue:
        return jsonify(
            {
                "issueLinkTypes": [
                    links.link_type_json(t, base_url(), version) for t in links.LINK_TYPES
                ]
            }
        )

    # -- issue properties ------------------------------------------------------------------
    @route("/issue/<ref>/properties")
    def property_keys(version: str, ref: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        prefix = f"{base_url()}rest/api/{version}/issue/{issue['id']}/properties/"
        return jsonify(
            {"keys": [{"self": prefix + key, "key": key} for key in issue["properties"]]}
        )

    @route("/issue/<ref>/properties/<key>", methods=("GET", "PUT", "DELETE"))
    def issue_property(version: str, ref: str, key: str) -> ResponseReturnValue:
        issue = require_issue(ctx, ref)
        if request.method == "GET":
            if key not in issue["properties"]:
                raise ApiError(404, f"The property with key '{key}' does not exist.")
            return jsonify({"key": key, "value": issue["properties"][key]})
        with ctx.store.lock:
            if request.method == "DELETE":
                if key not in issue["properties"]:
                    raise ApiError(404, f"The property with key '{key}' does not exist.")
                del issue["properties"][key]
                save_issue(ctx, issue)
                return no_content()
            # "Set issue property" (PUT .../properties/{propertyKey}): the value is valid,
            # non-empty JSON of at most 32768 bytes; 201 when created, 200 when updated.
            # https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-properties/#api-rest-api-3-issue-issueidorkey-properties-propertykey-put
            if len(key) > 255:
                raise ApiError(400, "The property key can not be longer than 255 characters.")
            if len(request.get_data(cache=True)) > PROPERTY_VALUE_LIMIT:
                raise ApiError(400, "The property value can not be longer than 32768 bytes.")
            value = json_body()
            was_new = key not in issue["properties"]
            issue["properties"][key] = value
            save_issue(ctx, issue)
        return jsonify({}), (201 if was_new else 200)
