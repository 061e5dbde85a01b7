"""AGENT_WRITE_CONCURRENCY (lanes of actions at once, 1..32, default 4) and
AGENT_SLACK_POST_SPACING (seconds between posts to one Slack channel, default 1.05)."""

from __future__ import annotations

import pytest

from agent.adapters.clients import slack_client
from agent.config import ConfigError, load_settings
from tests.foundation.test_config import GOOD


def test_the_default_is_four_lanes_and_one_means_sequential() -> None:
    assert load_settings(GOOD).write_concurrency == 4
    assert load_settings({**GOOD, "AGENT_WRITE_CONCURRENCY": "1"}).write_concurrency == 1
    assert load_settings({**GOOD, "AGENT_WRITE_CONCURRENCY": " 32 "}).write_concurrency == 32


@pytest.mark.parametrize(
    ("value", "says"),
    [("0", "0 is outside 1..32"), ("33", "33 is outside 1..32"), ("many", "not a whole number")],
)
def test_a_value_outside_the_range_is_named_with_an_example(value: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "AGENT_WRITE_CONCURRENCY": value})
    [problem] = caught.value.problems
    assert problem.variable == "AGENT_WRITE_CONCURRENCY"
    assert says in str(problem)
    assert "4" in str(problem)  # the example value


def test_slack_post_spacing_defaults_to_just_over_a_second_and_zero_turns_it_off() -> None:
    assert load_settings(GOOD).slack_post_spacing == 1.05
    assert load_settings({**GOOD, "AGENT_SLACK_POST_SPACING": "0"}).slack_post_spacing == 0.0
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "AGENT_SLACK_POST_SPACING": "-1"})
    [problem] = caught.value.problems
    assert problem.variable == "AGENT_SLACK_POST_SPACING"
    assert "outside 0..60 seconds" in str(problem)


def test_the_slack_client_paces_with_the_configured_spacing() -> None:
    client = slack_client(load_settings({**GOOD, "AGENT_SLACK_POST_SPACING": "0.5"}))
    assert client.pacer.spacing == 0.5
