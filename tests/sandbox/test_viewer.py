"""The viewer over HTTP: hostile text from the store shows as text, tables, macros,
threads and agent comments render, and unknown things are a 404 page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests

from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.support.sandbox import SandboxHandle

HOSTILE = '<script>alert("x")</script> <!channel> <ac:structured-macro ac:name="jira">'
AGENT = "agent@sandbox.example"


def _get(sandbox: SandboxHandle, path: str, status: int = 200) -> str:
    response = requests.get(f"{sandbox.base}{path}", timeout=10)
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


@pytest.fixture
def ticket(sandbox: SandboxHandle) -> str:
    ctx = sandbox.ctx
    ctx.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), frozen=True)
    jira.create_project(ctx, "OPS", "Operations", "lead@sandbox.example")
    issue = jira.create_issue(
        ctx,
        {
            "project": {"key": "OPS"},
            "issuetype": {"name": "Incident"},
            "summary": HOSTILE,
            "priority": {"name": "Highest"},
            "labels": ["ESCALATION"],
        },
        "lead@sandbox.example",
    )
    ctx.clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC), frozen=True)
    jira.add_comment(ctx, issue["key"], "first: <b>not bold</b>", "dev@sandbox.example")
    ctx.clock.set(datetime(2026, 3, 2, 9, 10, tzinfo=UTC), frozen=True)
    jira.add_comment(
        ctx,
        issue["key"],
        "second, from the agent",
        AGENT,
        {"escalation-agent": {"rule": "nudge", "key": "k1"}},
    )
    return str(issue["key"])


def test_board_and_ticket_escape_hostile_summary(sandbox: SandboxHandle, ticket: str) -> None:
    for html in (_get(sandbox, "/"), _get(sandbox, f"/view/jira/{ticket}")):
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        assert "&lt;!channel&gt;" in html
        assert "&lt;ac:structured-macro ac:name=&#34;jira&#34;&gt;" in html
        assert "<script>alert" not in html
        assert "<!channel>" not in html
    board = _get(sandbox, "/")
    assert f'href="/view/jira/{ticket}"' in board
    assert '<span class="label">ESCALATION</span>' in board


def test_ticket_comments_newest_first_with_the_agents_marked(
    sandbox: SandboxHandle, ticket: str
) -> None:
    html = _get(sandbox, f"/view/jira/{ticket}")
    newest = html.index("second, from the agent")
    oldest = html.index("first: &lt;b&gt;not bold&lt;/b&gt;")
    assert newest < oldest
    assert html.count('class="comment agent"') == 1
    agent_block = html[html.index('class="comment agent"') : newest]
    assert "agent</span>" in agent_block
    assert "nudge" in agent_block


def test_wiki_page_renders_tables_and_macros_and_escapes_the_rest(
    sandbox: SandboxHandle,
) -> None:
    ctx = sandbox.ctx
    confluence.create_space(ctx, "OPS", "Operations")
    parent = confluence.create_page(ctx, "OPS", "Incident logs", "<p>logs</p>")
    body = (
        "<h2>Log</h2><p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt; "
        "&lt;ac:structured-macro&gt;</p>"
        "<script>alert(2)</script>"
        '<p onclick="steal()">clicked</p>'
        '<p><a href="javascript:alert(3)">bad link</a> <a href="https://example.com/x">good</a></p>'
        "<table><tbody><tr><th><p>Issue</p></th><th><p>State</p></th></tr>"
        '<tr><td><p><ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">OPS-7'
        "</ac:parameter></ac:structured-macro></p></td>"
        '<td><p><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green'
        '</ac:parameter><ac:parameter ac:name="title">Resolved</ac:parameter>'
        "</ac:structured-macro></p></td></tr></tbody></table>"
        '<ac:structured-macro ac:name="chart"><ac:parameter ac:name="title">Per month'
        "</ac:parameter><ac:rich-text-body><table><tbody><tr><td><p>May</p></td></tr></tbody>"
        "</table></ac:rich-text-body></ac:structured-macro>"
        '<p><ac:link><ri:page ri:content-title="Incident logs" /></ac:link></p>'
        "<ul><li>one</li><li>two</li></ul>"
    )
    page = confluence.create_page(ctx, "OPS", "Log & <notes>", body, parent["id"])
    html = _get(sandbox, f"/view/wiki/{page['id']}")
    article = html[html.index("<article") : html.index("</article>")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!channel&gt;" in article
    assert "&lt;ac:structured-macro&gt;" in article
    assert "<script" not in article and "onclick" not in article and "javascript:" not in article
    assert "alert(2)" in article  # an unknown element's text stays, its tag goes
    assert "<p>bad link <a href" in article  # the javascript: link lost its href
    assert '<a href="https://example.com/x" rel="noopener noreferrer">good</a>' in article
    assert "<th><p>Issue</p></th>" in article
    assert '<a class="jira-key" href="/view/jira/OPS-7">OPS-7</a>' in article
    assert '<span class="status status-green">Resolved</span>' in article
    # a chart with no numbers has nothing to draw, and says so over its table
    assert "[chart: Per month] (no data to draw)" in article and "<td><p>May</p></td>" in article
    assert f'<a href="/view/wiki/{parent["id"]}">Incident logs</a>' in article
    assert "<li>one</li>" in article
    assert "<h1>Log &amp; &lt;notes&gt;</h1>" in html
    tree = _get(sandbox, "/view/wiki")
    assert f'href="/view/wiki/{page["id"]}">Log &amp; &lt;notes&gt;</a>' in tree


def test_a_chart_is_drawn_as_bars_of_its_table_with_every_label_escaped(
    sandbox: SandboxHandle,
) -> None:
    """Confluence draws the chart macro from its table: one bar per row and series
    (https://confluence.atlassian.com/doc/chart-macro-136389.html); so does the viewer."""
    ctx = sandbox.ctx
    confluence.create_space(ctx, "OPS", "Operations")
    rows = "".join(
        f"<tr><td><p>{week}</p></td><td><p>{opened}</p></td><td><p>{closed}</p></td></tr>"
        for week, opened, closed in (("W47", 2, 1), ("&lt;script&gt;W48", 5, "n/a"), ("W49", 0, 3))
    )
    body = (
        '<ac:structured-macro ac:name="chart"><ac:parameter ac:name="title">Per week &amp; '
        '&lt;b&gt;</ac:parameter><ac:parameter ac:name="dataOrientation">vertical'
        '</ac:parameter><ac:parameter ac:name="width">600</ac:parameter>'
        "<ac:rich-text-body><table><tbody>"
        "<tr><th><p>Week</p></th><th><p>Opened</p></th><th><p>Closed</p></th></tr>"
        f"{rows}</tbody></table></ac:rich-text-body></ac:structured-macro>"
    )
    page = confluence.create_page(ctx, "OPS", "Chart", body)
    html = _get(sandbox, f"/view/wiki/{page['id']}")
    article = html[html.index("<article") : html.index("</article>")]
    svg = article[article.index("<svg") : article.index("</svg>")]
    assert 'width="600"' in svg and "<title>Per week &amp; &lt;b&gt;</title>" in svg
    assert svg.count('class="bar"') == 6  # three weeks, two series
    assert "<title>W47 Opened: 2</title>" in svg and "<title>W49 Closed: 3</title>" in svg
    assert "<title>&lt;script&gt;W48 Closed: 0</title>" in svg  # not a number: 0
    assert "<script" not in article
    assert ">Opened</text>" in svg and ">Closed</text>" in svg  # the legend
    assert "<td><p>W47</p></td>" in article  # the table stays under the chart


def test_slack_channel_escapes_and_renders_threads_newest_first(sandbox: SandboxHandle) -> None:
    ctx = sandbox.ctx
    ann = ctx.users.create("Ann <Admin>", "ann@sandbox.example")["slackId"]
    channel = slack.create_channel(ctx, "inc-project", ann)
    parent = slack.post_message(
        ctx,
        channel["id"],
        f"*Sev1* for <@{ann}>: <script>x()</script> <!channel> "
        "<https://status.example.com|status page> <javascript:alert(1)|click>",
        ann,
    )
    slack.post_message(ctx, channel["id"], "reply in thread", None, thread_ts=parent["ts"])
    slack.post_message(ctx, channel["id"], "later top-level message", ann)
    html = _get(sandbox, f"/view/slack/{channel['id']}")
    assert "<strong>Sev1</strong>" in html
    assert '<span class="mention">@Ann &lt;Admin&gt;</span>' in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html and "<script>x()" not in html
    assert '<span class="mention loud">@channel</span>' in html
    assert '<a href="https://status.example.com" rel="noopener noreferrer">status page</a>' in html
    assert "javascript:" not in html.split("<main>")[1].replace("&lt;javascript:", "")
    later = html.index("later top-level message")
    first = html.index("Sev1")
    reply = html.index("reply in thread")
    assert later < first < reply
    thread = re.search(r'<div class="thread">(.*?)\n  </div>\n</div>', html[first:], re.S)
    assert thread is not None
    assert "reply in thread" in thread.group(1)
    assert "later top-level message" not in thread.group(1)
    assert "1 reply<" in html
    listing = _get(sandbox, "/view/slack")
    assert f'href="/view/slack/{channel["id"]}">#inc-project</a>' in listing


@pytest.mark.parametrize(
    "path", ["/view/jira/NOPE-1", "/view/wiki/999999", "/view/slack/C404", "/view/jira/%3Cb%3E"]
)
def test_unknown_things_are_a_404_page(sandbox: SandboxHandle, path: str) -> None:
    html = _get(sandbox, path, status=404)
    assert "Not found" in html
    assert "<b>" not in html
