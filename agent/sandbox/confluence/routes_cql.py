"""v1 CQL search: ``content/search`` (content objects) and ``search`` (search results)."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from agent.sandbox.confluence import content as wiki_pages
from agent.sandbox.confluence import views
from agent.sandbox.confluence.cql import parse_cql
from agent.sandbox.confluence.cql_eval import search
from agent.sandbox.confluence.storage_format import plain_text
from agent.sandbox.confluence.web import Expand, Links, page_of, paging, parse_expand
from agent.sandbox.context import SandboxContext
from agent.sandbox.store import Doc

EXCERPT_CHARS = 200


def add_routes(bp: Blueprint, ctx: SandboxContext) -> None:
    @bp.get("/content/search")
    def content_search() -> ResponseReturnValue:
        query = parse_cql(request.args.get("cql"))
        start, limit = paging(25, 200)
        expand = parse_expand(request.args.get("expand"))
        hits = search(ctx, query, g.user)
        links = Links.current()
        return jsonify(
            page_of(
                hits,
                start,
                limit,
                links,
                "content/search",
                render=lambda p: views.content_json(ctx, p, links, expand),
            )
        )

    @bp.get("/search")
    def site_search() -> ResponseReturnValue:
        began = time.perf_counter()
        cql = request.args.get("cql")
        query = parse_cql(cql)
        start, limit = paging(25, 200)
        expand = parse_expand(request.args.get("expand")).get("content", {})
        hits = search(ctx, query, g.user)
        links = Links.current()
        answer = page_of(
            hits, start, limit, links, "search", render=lambda p: _result(ctx, p, links, expand)
        )
        answer["totalSize"] = len(hits)
        answer["cqlQuery"] = cql
        answer["searchDuration"] = int((time.perf_counter() - began) * 1000)
        answer["archivedResultCount"] = 0
        return jsonify(answer)


def _result(ctx: SandboxContext, page: Doc, links: Links, expand: Expand) -> dict[str, Any]:
    """One entry of ``/search``: the content plus title, excerpt, url and container."""
    space = wiki_pages.get_space(ctx, page["spaceKey"])
    text = plain_text(page["body"])
    return {
        "content": views.content_json(ctx, page, links, expand),
        "title": page["title"],
        "excerpt": text[:EXCERPT_CHARS],
        "url": links.webui(page),
        "resultGlobalContainer": {
            "title": space["name"] if space else page["spaceKey"],
            "displayUrl": f"/spaces/{page['spaceKey']}",
        },
        "breadcrumbs": [],
        "entityType": "content",
        "iconCssClass": f"aui-icon content-type-{page['type']}",
        "lastModified": page["version"]["when"],
        "friendlyLastModified": page["version"]["when"],
        "score": 0.0,
    }
