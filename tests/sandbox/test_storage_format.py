"""The sandbox checks storage format with its own reading of Confluence's documentation.

It shares no code with the agent's renderer and checks (``agent/render``), so a
construct the agent wrongly thinks valid fails here; macros Confluence does not
ship are stored and shown as "Unknown macro"; a request over 5 MB is refused.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import requests

from agent.render.storage_xml import storage_problem
from agent.sandbox.confluence import content as wiki_pages
from tests.support.sandbox import AGENT_EMAIL, SandboxHandle

SANDBOX = Path(__file__).resolve().parents[2] / "agent" / "sandbox"


@pytest.fixture
def wiki(sandbox: SandboxHandle) -> requests.Session:
    wiki_pages.create_space(sandbox.ctx, "OPS", "Operations")
    session = requests.Session()
    session.auth = (AGENT_EMAIL, sandbox.token)
    return session


def create(sandbox: SandboxHandle, wiki: requests.Session, title: str, body: str) -> Any:
    return wiki.post(
        f"{sandbox.base}/wiki/rest/api/content",
        json={
            "type": "page",
            "title": title,
            "space": {"key": "OPS"},
            "body": {"storage": {"value": body, "representation": "storage"}},
        },
        timeout=30,
    )


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            '<ac:structured-macro><ac:parameter ac:name="key">A-1</ac:parameter>'
            "</ac:structured-macro>",
            "<ac:structured-macro> needs a ac:name attribute",
        ),
        ("<p><ac:widget /></p>", "unknown element <ac:widget>"),
        ("<ac:link><ri:user /></ac:link>", "ri:user needs ri:account-id"),
        ('<ac:link><ri:page ri:space-key="OPS" /></ac:link>', "needs a ri:content-title"),
        ('<ac:image><ri:attachment ri:name="a.png" /></ac:image>', "needs a ri:filename"),
    ],
    ids=["macro-without-name", "unknown-ac-element", "user-nobody", "page-no-title", "file"],
)
@pytest.mark.no_spec_check
def test_what_the_agents_own_check_lets_through_confluence_refuses(
    sandbox: SandboxHandle, wiki: requests.Session, body: str, detail: str
) -> None:
    assert storage_problem(body) is None  # well-formed XML: the agent's check says fine
    answer = create(sandbox, wiki, "Refused", body)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Error parsing xhtml: ")
    assert detail in answer.json()["message"]


def test_an_unknown_macro_is_stored_and_shown_as_unknown(
    sandbox: SandboxHandle, wiki: requests.Session
) -> None:
    body = (
        '<p>Before</p><ac:structured-macro ac:name="roadmap-planner-x">'
        '<ac:parameter ac:name="source">x</ac:parameter></ac:structured-macro>'
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">OK'
        "</ac:parameter></ac:structured-macro>"
    )
    made = create(sandbox, wiki, "Apps", body)
    assert made.status_code == 200, made.text
    page = made.json()
    assert wiki_pages.page_body(sandbox.ctx, page["id"]) == body  # stored as written
    html = requests.get(f"{sandbox.base}/view/wiki/{page['id']}", timeout=10).text
    assert "Unknown macro: &#39;roadmap-planner-x&#39;" in html
    assert "status-grey" in html and "Unknown macro: &#39;status" not in html


@pytest.mark.no_spec_check
def test_confluence_takes_up_to_5_mb_a_request(
    sandbox: SandboxHandle, wiki: requests.Session
) -> None:
    row = "<tr><td><p>" + "x" * 990 + "</p></td></tr>"
    near = "<table><tbody>" + row * 4_900 + "</tbody></table>"  # about 4.9 MB
    assert create(sandbox, wiki, "Big", near).status_code == 200
    over = near + row * 400
    answer = create(sandbox, wiki, "Too big", over)
    assert answer.status_code == 413
    assert "at most 5242880 bytes" in answer.json()["message"]


def test_the_sandbox_imports_nothing_from_the_agents_renderer() -> None:
    for path in SANDBOX.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("agent.render"), path
            if isinstance(node, ast.Import):
                assert all(not a.name.startswith("agent.render") for a in node.names), path
