"""Site-level Jira routes: server info, the acting user, fields, priorities,
statuses, issue types, resolutions, projects and users.
"""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.api_errors import ApiError
from agent.sandbox.context import SandboxContext
from agent.sandbox.jira import catalog, projects
from agent.sandbox.jira.documents import project_by_ref
from agent.sandbox.jira.documents import projects as all_projects
from agent.sandbox.jira.route_helpers import (
    actor,
    base_url,
    body_object,
    created,
    int_arg,
    list_arg,
    router,
)
from agent.sandbox.jira.serializers import (
    issue_type_json,
    priority_full_json,
    project_json,
    resolution_json,
    status_json,
)
from agent.sandbox.jira.user_shapes import by_datacenter_key, user_json
from agent.sandbox.settable_clock import jira_time

VERSION = "1001.0.0-SNAPSHOT"
DC_VERSION = "9.12.0"
USER_NOT_FOUND = "Specified user does not exist or you do not have the permission to see it."


def register(app: Flask, ctx: SandboxContext) -> None:
    route = router(app)

    @route("/serverInfo")
    def server_info(version: str) -> ResponseReturnValue:
        cloud = ctx.deployment != "datacenter"
        number = VERSION if cloud else DC_VERSION
        return jsonify(
            {
                "baseUrl": base_url().rstrip("/"),
                "displayUrl": base_url().rstrip("/"),
                "version": number,
                "versionNumbers": [int(p) for p in number.split("-")[0].split(".")],
                "deploymentType": "Cloud" if cloud else "Server",
                "buildNumber": 100_300 if cloud else 9_120_000,
                "buildDate": "2026-11-01T00:00:00.000+0000",
                "serverTime": _now(ctx),
                "scmInfo": "sandbox",
                "serverTitle": "Escalation sandbox",
                "defaultLocale": {"locale": "en_US"},
                "serverTimeZone": "UTC",
            }
        )

    @route("/myself")
    def myself(version: str) -> ResponseReturnValue:
        doc = user_json(ctx, actor(), base_url(), version)
        doc["locale"] = "en_US"
        doc["groups"] = {"size": 1, "items": []}
        doc["applicationRoles"] = {"size": 1, "items": []}
        return jsonify(doc)

    @route("/priority")
    def priorities(version: str) -> ResponseReturnValue:
        return jsonify([priority_full_json(p, base_url(), version) for p in catalog.PRIORITIES])

    @route("/priority/<priority_id>")
    def priority(version: str, priority_id: str) -> ResponseReturnValue:
        found = catalog.PRIORITY_BY_ID.get(priority_id)
        if found is None:
            raise ApiError(404, f"The priority with id '{priority_id}' does not exist.")
        return jsonify(priority_full_json(found, base_url(), version))

    @route("/status")
    def statuses(version: str) -> ResponseReturnValue:
        return jsonify([status_json(s, base_url(), version) for s in catalog.STATUSES])

    @route("/status/<ref>")
    def status(version: str, ref: str) -> ResponseReturnValue:
        found = catalog.find_status(ref)
        if found is None:
            raise ApiError(404, f"The status with id '{ref}' does not exist.")
        return jsonify(status_json(found, base_url(), version))

    @route("/issuetype")
    def issue_types(version: str) -> ResponseReturnValue:
        return jsonify([issue_type_json(t, base_url(), version) for t in catalog.ISSUE_TYPES])

    @route("/resolution")
    def resolutions(version: str) -> ResponseReturnValue:
        return jsonify([resolution_json(r, base_url(), version) for r in catalog.RESOLUTIONS])

    @route("/project", methods=("GET", "POST"))
    def project_list(version: str) -> ResponseReturnValue:
        if request.method == "POST":
            data = body_object()
            lead = data.get("leadAccountId")
            if lead is None and isinstance(data.get("lead"), str):
                found = ctx.users.by_name(data["lead"]) or ctx.users.by_account_id(data["lead"])
                lead = found["accountId"] if found else data["lead"]
            doc = projects.create(
                ctx,
                data.get("key"),
                data.get("name"),
                lead if isinstance(lead, str) else None,
                project_type=data.get("projectTypeKey", "software"),
                description=str(data.get("description") or ""),
            )
            return created(
                {
                    "self": f"{base_url()}rest/api/{version}/project/{doc['id']}",
                    "id": int(doc["id"]),
                    "key": doc["key"],
                }
            )
        return jsonify([project_json(ctx, p, base_url(), version) for p in all_projects(ctx)])

    @route("/project/search")
    def project_search(version: str) -> ResponseReturnValue:
        start = int_arg("startAt", 0)
        limit = int_arg("maxResults", 50, minimum=1)
        query = (request.args.get("query") or "").lower()
        keys = {k.upper() for k in list_arg("keys")}
        matched = [
            p
            for p in all_projects(ctx)
            if (not query or query in p["key"].lower() or query in p["name"].lower())
            and (not keys or p["key"] in keys)
        ]
        page = matched[start : start + limit]
        return jsonify(
            {
                "self": request.url,
                "maxResults": limit,
                "startAt": start,
                "total": len(matched),
                "isLast": start + len(page) >= len(matched),
                "values": [project_json(ctx, p, base_url(), version) for p in page],
            }
        )

    @route("/project/<ref>")
    def project(version: str, ref: str) -> ResponseReturnValue:
        found = project_by_ref(ctx, ref)
        if found is None:
            raise ApiError(404, f"No project could be found with key '{ref}'.")
        return jsonify(project_json(ctx, found, base_url(), version, full=True))

    @route("/user")
    def user(version: str) -> ResponseReturnValue:
        account_id = request.args.get("accountId")
        username = request.args.get("username")
        key = request.args.get("key")
        datacenter = ctx.deployment == "datacenter"
        if account_id and not datacenter:
            found = ctx.users.by_account_id(account_id)
        elif username and datacenter:
            found = ctx.users.by_name(username)
        elif key and datacenter:
            found = by_datacenter_key(ctx, key)
        else:
            raise ApiError(
                400,
                "The accountId query parameter needs to be provided."
                if ctx.deployment != "datacenter"
                else "Either the 'username' or the 'key' query parameter must be provided.",
            )
        if found is None:
            raise ApiError(404, USER_NOT_FOUND)
        return jsonify(user_json(ctx, found, base_url(), version))

    @route("/user/search")
    def user_search(version: str) -> ResponseReturnValue:
        query = (
            request.args.get("query")
            or request.args.get("username")
            or request.args.get("accountId")
            or ""
        ).lower()
        if not query:
            raise ApiError(400, "One of 'query' or 'accountId' parameters must be provided.")
        start = int_arg("startAt", 0)
        limit = int_arg("maxResults", 50, minimum=1)
        datacenter = ctx.deployment == "datacenter"
        matched = [
            u
            for u in ctx.users.all()
            if u["emailAddress"].lower().startswith(query)
            or query in u["displayName"].lower()
            or (datacenter and u["name"].lower().startswith(query))
            or (not datacenter and u["accountId"].lower() == query)
        ]
        return jsonify(
            [user_json(ctx, u, base_url(), version) for u in matched[start : start + limit]]
        )


def _now(ctx: SandboxContext) -> str:
    return jira_time(ctx.clock.now())
