"""The web addresses the agent puts in links (Jira ``/browse``, Confluence ``viewpage``
and ``/spaces/...``, Slack ``/archives``) open the viewer's page, as on the real sites."""

from __future__ import annotations

import pytest
import requests

from agent.sandbox.app import service_of
from tests.support.sandbox import SandboxHandle


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/browse/OPS-7", "/view/jira/OPS-7"),
        ("/archives/C0123", "/view/slack/C0123"),
        ("/archives/C0123/p1700000000000100", "/view/slack/C0123"),
        ("/wiki/pages/viewpage.action?pageId=42", "/view/wiki/42"),
        ("/pages/viewpage.action?pageId=42", "/view/wiki/42"),
        ("/wiki/spaces/OPS/pages/42/Incident+log", "/view/wiki/42"),
        ("/spaces/OPS/pages/42", "/view/wiki/42"),
    ],
)
def test_web_links_redirect_to_the_viewer_without_credentials(
    sandbox: SandboxHandle, path: str, target: str
) -> None:
    response = requests.get(f"{sandbox.base}{path}", allow_redirects=False, timeout=10)
    assert response.status_code == 302
    assert response.headers["Location"] == target


def test_a_viewpage_link_without_a_page_id_is_a_404_page(sandbox: SandboxHandle) -> None:
    response = requests.get(f"{sandbox.base}/wiki/pages/viewpage.action", timeout=10)
    assert response.status_code == 404
    assert "viewpage.action needs ?pageId" in response.text


def test_the_apis_next_to_the_web_links_stay_with_their_services() -> None:
    assert service_of("/wiki/rest/api/content") == "confluence"
    assert service_of("/rest/api/2/issue/OPS-7") == "jira"
    assert service_of("/api/chat.postMessage") == "slack"
    assert service_of("/browse/OPS-7") == "viewer"
