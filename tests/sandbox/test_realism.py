"""``/_sandbox/realism``: typed knobs, strict by default, changed only as a whole."""

from __future__ import annotations

import pytest
import requests

from agent.sandbox.realism import Realism, RealismError, RealismKnobs
from tests.support.sandbox import SLACK_TIME_SCALE, SandboxHandle


def test_the_defaults_are_the_strict_behaviour(sandbox: SandboxHandle) -> None:
    knobs = sandbox.control("GET", "realism")
    # the fixture only shrinks Slack's windows (the limits stay on)
    assert knobs == {**Realism().as_dict(), "slack_time_scale": SLACK_TIME_SCALE}
    assert knobs["jira_comment_properties"] is True
    assert Realism().slack_time_scale == 1.0


def test_post_changes_only_the_named_knobs_and_reset_restores_them(
    sandbox: SandboxHandle,
) -> None:
    changed = sandbox.control("POST", "realism", {"jira_burst_capacity": 7})
    assert changed["jira_burst_capacity"] == 7
    assert changed["jira_issue_writes_per_2s"] == Realism().jira_issue_writes_per_2s
    sandbox.control("POST", "reset", {})
    assert sandbox.control("GET", "realism") == Realism().as_dict()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"no_such_knob": 1}, "unknown knob(s): no_such_knob"),
        ({"jira_comment_properties": "no"}, "must be true or false"),
        ({"jira_burst_capacity": 1.5}, "whole number"),
        ({"jira_burst_per_second": 0}, "greater than 0"),
        ({"jira_burst_capacity": True}, "must be a number"),
    ],
)
def test_a_bad_knob_answers_400_and_changes_nothing(
    sandbox: SandboxHandle, body: dict[str, object], message: str
) -> None:
    answer = requests.post(
        f"{sandbox.base}/_sandbox/realism", json={"jira_burst_capacity": 3, **body}, timeout=5
    )
    assert answer.status_code == 400
    assert message in answer.text
    unchanged = {**Realism().as_dict(), "slack_time_scale": SLACK_TIME_SCALE}
    assert sandbox.control("GET", "realism") == unchanged


def test_updates_are_all_or_nothing() -> None:
    knobs = RealismKnobs()
    before = knobs.current
    with pytest.raises(RealismError):
        knobs.update({"jira_burst_capacity": 5, "jira_burst_per_second": -1})
    assert knobs.current == before
    assert knobs.update({"jira_burst_per_second": 2}).jira_burst_per_second == 2.0
