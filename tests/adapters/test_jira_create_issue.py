"""An issue made with a marker label, a reporter and a field by name, found again by its label
(Cloud and Data Center): the search that keeps a Slack report from making two tickets."""

from __future__ import annotations

from agent.adapters.jira_followups import NewIssue
from agent.sandbox.jira import seeding
from tests.adapters.test_jira_adapter_sandbox import adapter_for, site, user
from tests.support.sandbox import SandboxHandle

__all__ = ["site"]  # the Cloud / Data Center fixture
MARKER = "slack-report-C0TEST-1700000000.000100"


def test_marker_reporter_and_fields_then_found_by_label(site: SandboxHandle) -> None:
    olga = user(site, "Olga Operator")
    adapter = adapter_for(site)
    reporter = olga["name"] if site.ctx.deployment == "datacenter" else olga["accountId"]
    assert adapter.find_issue_with_label("DS", MARKER) is None
    new = NewIssue(
        project="DS",
        issue_type="Task",
        summary="Odds feed is late",
        description="Since 09:10 the feed lags *5 minutes*.",
        labels=("operator-report", MARKER),
        reporter=reporter,
        fields=adapter.shaped_fields({"Impact Level": "High"}),
    )
    key = adapter.create_issue(new, find_existing=lambda: None)
    assert key == "DS-1"
    stored = seeding.get_issue(site.ctx, key)["fields"]
    assert set(stored["labels"]) == {"operator-report", MARKER}
    assert stored["reporter"] == olga["accountId"]
    (read,) = adapter.search("project = DS", ["Impact Level"])
    assert read.fields["Impact Level"] == "High"
    assert adapter_for(site).find_issue_with_label("DS", MARKER) == "DS-1"
    assert adapter.find_issue_with_label("DS", "slack-report-C0TEST-1.1") is None
