"""Read-only HTML viewer of the sandbox's Jira, Confluence and Slack, for people.

Served at ``/`` and under ``/view/`` (every other path belongs to a service's
API). Pages are rendered server-side by Jinja2 with autoescaping; everything
read from the store is treated as untrusted text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from agent.sandbox.context import SandboxContext
from agent.sandbox.viewer import jira_view, slack_view, wiki_view
from agent.sandbox.viewer.timefmt import shown

_HTML = "text/html; charset=utf-8"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def register(app: Flask, ctx: SandboxContext) -> None:
    """Register the viewer's routes (``/`` and ``/view/...``)."""
    env = _environment()

    def page(template: str, tab: str, status: int = 200, **values: Any) -> Response:
        html = env.get_template(template).render(tab=tab, now=shown(ctx.clock.now()), **values)
        return Response(html, status=status, content_type=_HTML)

    def not_found(tab: str, what: str) -> Response:
        return page("not_found.html", tab, status=404, what=what)

    def jira_board() -> Response:
        return page("jira_board.html", "jira", projects=jira_view.board(ctx))

    def jira_issue(key: str) -> Response:
        found = jira_view.issue(ctx, key)
        if found is None:
            return not_found("jira", f"issue {key}")
        return page("jira_issue.html", "jira", issue=found)

    def wiki_tree() -> Response:
        return page("wiki_tree.html", "wiki", spaces=wiki_view.tree(ctx))

    def wiki_page(page_id: str) -> Response:
        found = wiki_view.page(ctx, page_id)
        if found is None:
            return not_found("wiki", f"page {page_id}")
        return page("wiki_page.html", "wiki", page=found)

    def slack_list() -> Response:
        return page("slack_list.html", "slack", channels=slack_view.channels(ctx))

    def slack_channel(channel_id: str) -> Response:
        found = slack_view.channel(ctx, channel_id)
        if found is None:
            return not_found("slack", f"channel {channel_id}")
        return page("slack_channel.html", "slack", channel=found)

    def redirect(location: str) -> Response:
        return Response(status=302, headers={"Location": location})

    def browse(key: str) -> Response:
        return redirect(f"/view/jira/{key}")

    def archives(channel_id: str, rest: str = "") -> Response:
        return redirect(f"/view/slack/{channel_id}")

    def viewpage() -> Response:
        page_id = request.args.get("pageId", "")
        if not page_id.isdigit():
            return not_found("wiki", "a page (viewpage.action needs ?pageId=<number>)")
        return redirect(f"/view/wiki/{page_id}")

    def space_page(space: str, page_id: str, title: str = "") -> Response:
        return redirect(f"/view/wiki/{page_id}")

    for rule, endpoint, view in (
        ("/browse/<key>", "web_browse", browse),
        ("/archives/<channel_id>", "web_archives", archives),
        ("/archives/<channel_id>/<path:rest>", "web_archives_message", archives),
        ("/wiki/pages/viewpage.action", "web_viewpage_cloud", viewpage),
        ("/pages/viewpage.action", "web_viewpage", viewpage),
        ("/wiki/spaces/<space>/pages/<page_id>", "web_space_page_cloud", space_page),
        ("/wiki/spaces/<space>/pages/<page_id>/<title>", "web_space_page_cloud_t", space_page),
        ("/spaces/<space>/pages/<page_id>", "web_space_page", space_page),
        ("/spaces/<space>/pages/<page_id>/<title>", "web_space_page_t", space_page),
        ("/", "viewer_home", jira_board),
        ("/view/jira", "viewer_jira", jira_board),
        ("/view/jira/<key>", "viewer_jira_issue", jira_issue),
        ("/view/wiki", "viewer_wiki", wiki_tree),
        ("/view/wiki/<page_id>", "viewer_wiki_page", wiki_page),
        ("/view/slack", "viewer_slack", slack_list),
        ("/view/slack/<channel_id>", "viewer_slack_channel", slack_channel),
    ):
        app.add_url_rule(rule, endpoint, view, methods=["GET"])
