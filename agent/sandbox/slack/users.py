"""``auth.test``, ``users.*`` and ``usergroups.*``: who is who in the sandbox's workspace.

People come from the shared directory (``ctx.users``); only those with a Slack
id exist here.
"""

from __future__ import annotations

from typing import Any

from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack import paging, shapes
from agent.sandbox.slack import workspace as slack_workspace
from agent.sandbox.slack.call import Call, Handler


def auth_test(call: Call) -> dict[str, Any]:
    return {
        "url": call.host_url,
        "team": shapes.TEAM_NAME,
        "user": call.actor.get("name") or call.actor["displayName"],
        "team_id": shapes.TEAM_ID,
        "user_id": call.actor_id,
        "bot_id": shapes.BOT_ID,
        "is_enterprise_install": False,
    }


def users_list(call: Call) -> dict[str, Any]:
    people = [doc for doc in call.ctx.users.all() if doc.get("slackId")]
    limit = call.args.integer("limit", 0, minimum=0, maximum=1000) or len(people) or 1
    chunk, next_cursor = paging.page(people, call.args.string("cursor"), limit, "user")
    return {
        "members": [shapes.user(doc) for doc in chunk],
        "cache_ts": slack_workspace.epoch(call.ctx),
        **paging.metadata(next_cursor),
    }


def users_info(call: Call) -> dict[str, Any]:
    doc = call.slack_user(call.args.required("user"))
    if doc is None:
        raise SlackError("user_not_found")
    return {"user": shapes.user(doc)}


def users_lookup_by_email(call: Call) -> dict[str, Any]:
    doc = call.ctx.users.by_email(call.args.required("email"))
    # Slack does not find deactivated people by email
    if doc is None or not doc.get("slackId") or doc.get("deleted"):
        raise SlackError("users_not_found")
    return {"user": shapes.user(doc)}


def usergroups_list(call: Call) -> dict[str, Any]:
    include_disabled = call.args.boolean("include_disabled")
    groups = [
        shapes.usergroup(
            doc,
            include_users=call.args.boolean("include_users"),
            include_count=call.args.boolean("include_count"),
        )
        for doc in slack_workspace.all_usergroups(call.ctx)
        if include_disabled or not doc.get("date_delete")
    ]
    return {"usergroups": groups}


def usergroups_users_list(call: Call) -> dict[str, Any]:
    group_id = call.args.required("usergroup")
    for doc in slack_workspace.all_usergroups(call.ctx):
        if doc["id"] == group_id:
            if doc.get("date_delete") and not call.args.boolean("include_disabled"):
                raise SlackError("no_such_subteam")
            return {"users": list(doc["users"])}
    raise SlackError("no_such_subteam")


METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.list": users_list,
    "users.info": users_info,
    "users.lookupByEmail": users_lookup_by_email,
    "usergroups.list": usergroups_list,
    "usergroups.users.list": usergroups_users_list,
}
