"""Storage-format and Slack-mrkdwn conversion for the viewer, without a server."""

from __future__ import annotations

import pytest

from agent.sandbox.viewer.mrkdwn import mrkdwn_to_html
from agent.sandbox.viewer.storage_html import Links, safe_href, storage_to_html

LINKS = Links(
    page=lambda space, title: f"/view/wiki/{space or 'HERE'}-{len(title)}" if title else None,
    children=lambda: [("/view/wiki/2", "Child <2>")],
    user=lambda account_id: {"u1": "Ann <A>"}.get(account_id, account_id),
)


def html(body: str) -> str:
    return str(storage_to_html(body, LINKS))


def test_malformed_storage_is_shown_as_escaped_text() -> None:
    out = html("<p>unclosed <script>x()</script>")
    assert out.startswith('<p class="warn">')
    assert "&lt;p&gt;unclosed &lt;script&gt;x()&lt;/script&gt;" in out
    assert "<script>" not in out


def test_entities_and_attributes() -> None:
    out = html('<p style="color:red" class="x">a&nbsp;b &amp; c</p><td colspan="2">t</td>')
    assert out == '<p>a\xa0b &amp; c</p><td colspan="2">t</td>'


def test_formatting_tags_are_mapped() -> None:
    assert html("<p><b>x</b><i>y</i><br/><code>z</code></p><hr/>") == (
        "<p><strong>x</strong><em>y</em><br><code>z</code></p><hr>"
    )


def test_unknown_elements_keep_only_their_text() -> None:
    assert html('<iframe src="https://x">inner</iframe><img src="x" />') == "inner"


def test_panels_code_and_unknown_macros() -> None:
    out = html(
        '<ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful'
        "</ac:parameter><ac:rich-text-body><p>hot</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b]]>'
        "</ac:plain-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="toc" />'
    )
    assert '<div class="panel panel-warning"><strong>Careful</strong><p>hot</p></div>' in out
    assert "<pre>a &lt; b</pre>" in out
    assert '<span class="macro">[toc]</span>' in out


def test_status_colour_outside_the_palette_is_grey() -> None:
    out = html(
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">red;x:y'
        '</ac:parameter><ac:parameter ac:name="title">&lt;b&gt;</ac:parameter>'
        "</ac:structured-macro>"
    )
    assert out == '<span class="status status-grey">&lt;b&gt;</span>'


def test_links_users_children_and_tasks() -> None:
    out = html(
        '<ac:link><ri:page ri:space-key="INC" ri:content-title="Log" />'
        "<ac:plain-text-link-body><![CDATA[the <log>]]></ac:plain-text-link-body></ac:link>"
        '<ac:link><ri:user ri:account-id="u1" /></ac:link>'
        '<ac:link><ri:page ri:content-title="" /></ac:link>'
        '<ac:structured-macro ac:name="children" />'
        "<ac:task-list><ac:task><ac:task-status>complete</ac:task-status>"
        "<ac:task-body>done</ac:task-body></ac:task></ac:task-list>"
    )
    assert '<a href="/view/wiki/INC-3">the &lt;log&gt;</a>' in out
    assert '<span class="mention">@Ann &lt;A&gt;</span>' in out
    assert '<span class="missing-link"></span>' in out
    assert '<ul class="children"><li><a href="/view/wiki/2">Child &lt;2&gt;</a></li></ul>' in out
    assert "<li>☑ done</li>" in out


def test_jira_macro_key_is_url_quoted() -> None:
    out = html(
        '<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">A"/&gt;B'
        "</ac:parameter></ac:structured-macro>"
    )
    assert out == '<a class="jira-key" href="/view/jira/A%22%2F%3EB">A&#34;/&gt;B</a>'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("mailto:a@b.example", "mailto:a@b.example"),
        ("/view/jira/X-1", "/view/jira/X-1"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("//evil.example/x", None),
        ("data:text/html,x", None),
    ],
)
def test_safe_href(url: str, expected: str | None) -> None:
    assert safe_href(url) == expected


def names(slack_id: str) -> str:
    return {"U1": "Ann"}.get(slack_id, slack_id)


def test_mrkdwn_styles_and_mentions() -> None:
    out = str(
        mrkdwn_to_html(
            ":rotating_light: *bold* _it_ ~gone~ `*raw*` <@U1> <@U9|x> <#C1|ops> "
            "<!subteam^S1|@dev-support> <!here>\nnext",
            names,
        )
    )
    assert out == (
        "🚨 <strong>bold</strong> <em>it</em> <s>gone</s> <code>*raw*</code> "
        '<span class="mention">@Ann</span> <span class="mention">@U9</span> '
        '<a class="mention" href="/view/slack/C1">#ops</a> '
        '<span class="mention">@dev-support</span> <span class="mention loud">@here</span>'
        "<br>next"
    )


def test_mrkdwn_escapes_everything_else() -> None:
    out = str(
        mrkdwn_to_html(
            "&lt;script&gt; <img src=x onerror=y> <javascript:go()|x> a*b*c "
            '<https://x.example/?a=1&amp;b="2"|l&amp;m>',
            names,
        )
    )
    assert "<script" not in out and "<img" not in out
    assert 'href="javascript' not in out
    assert out.startswith("&lt;script&gt; &lt;img src=x onerror=y&gt; &lt;javascript:go()|x&gt;")
    assert "a*b*c" in out  # no bold inside a word
    assert (
        '<a href="https://x.example/?a=1&amp;b=&#34;2&#34;" rel="noopener noreferrer">l&amp;m</a>'
        in out
    )


def test_mrkdwn_styles_span_links_and_mentions_as_in_slack() -> None:
    out = str(
        mrkdwn_to_html(
            ":rotating_light: *Incident <https://jira.example/browse/SUP-6|SUP-6>*: slow; "
            "_ask <@U1> first_ \ue0000\ue001",
            names,
        )
    )
    assert out == (
        '🚨 <strong>Incident <a href="https://jira.example/browse/SUP-6" '
        'rel="noopener noreferrer">SUP-6</a></strong>: slow; '
        '<em>ask <span class="mention">@Ann</span> first</em> \ufffd0\ufffd'
    )
