"""AGENT_USER_MAP: Slack ids for Jira accounts whose email Jira hides (or maps wrongly)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import ConfigError, load_settings
from agent.core.actions import Recipient
from agent.core.state import EngineState
from agent.runtime.act.executor import Executor
from agent.runtime.env import ActionEnv
from agent.runtime.report import CycleReport
from agent.store import open_store
from tests.foundation.test_config import GOOD
from tests.runtime.fakes import FakeConfluence, FakeJira, FakeRenderer, FakeSlack
from tests.runtime.test_handlers_fixes import NOW, dm
from tests.unit.factories import ticket

HIDDEN = Recipient("assignee", account_id="acc-hidden", email=None, display_name="Hidden Hana")
MOVED = Recipient("pm", account_id="acc-moved", email="Moved@X.example", display_name="Moved Max")
PLAIN = Recipient("lead", account_id="acc-plain", email="plain@x.example", display_name="Plain")


def env_with(user_map: dict[str, str], store: object) -> ActionEnv:
    return ActionEnv(
        jira=FakeJira(tickets={"PS-1": ticket("PS-1")}),
        slack=FakeSlack(users={"plain@x.example": "UPLAIN", "moved@x.example": "UOLD"}),
        confluence=FakeConfluence(),
        renderer=FakeRenderer(),
        store=store,  # type: ignore[arg-type]
        state=EngineState(),
        confluence_space="OPS",
        user_map=user_map,
    )


def test_the_map_wins_by_account_id_then_email_then_slack_lookup(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    env = env_with({"acc-hidden": "UHANA", "moved@x.example": "UNEW"}, store)
    assert env.slack_id(HIDDEN) == "UHANA"  # no email at all: only the map knows
    assert env.slack_id(MOVED) == "UNEW"  # email matched case-insensitively, beats Slack
    assert env.slack_id(PLAIN) == "UPLAIN"  # not mapped: Slack's lookup by email
    assert env.slack_id(Recipient("x", account_id="acc-none")) is None
    store.close()


def test_a_dm_reaches_a_person_whose_email_jira_hides(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    env = env_with({"acc-hidden": "UHANA"}, store)
    report = CycleReport()
    Executor(store, "me").run([dm(HIDDEN)], env, NOW, report)
    assert (report.total_done, report.total_failed) == (1, 0)
    assert [post["channel"] for post in env.slack.posts] == ["D-UHANA"]  # type: ignore[attr-defined]
    store.close()


def test_without_the_map_the_dm_is_left_with_a_problem_naming_the_setting(
    tmp_path: Path,
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    env = env_with({}, store)
    report = CycleReport()
    Executor(store, "me").run([dm(HIDDEN)], env, NOW, report)
    assert report.total_failed == 0  # only a person can fix it: not retried every cycle
    (problem,) = report.problems
    assert "AGENT_USER_MAP" in problem and "acc-hidden" in problem
    assert env.slack.posts == []  # type: ignore[attr-defined]
    store.close()


def test_the_file_is_read_and_validated(tmp_path: Path) -> None:
    good = tmp_path / "users.yaml"
    good.write_text("acc-hidden: UHANA\nMoved@X.example: UNEW\n")
    settings = load_settings({**GOOD, "AGENT_USER_MAP": str(good)})
    assert settings.user_map == {"acc-hidden": "UHANA", "moved@x.example": "UNEW"}
    assert "UHANA" not in repr(settings)

    bad = tmp_path / "bad.yaml"
    bad.write_text("acc-hidden: Hana\n")
    with pytest.raises(ConfigError, match=r"AGENT_USER_MAP: .*'Hana', not a Slack user id"):
        load_settings({**GOOD, "AGENT_USER_MAP": str(bad)})

    listy = tmp_path / "list.yaml"
    listy.write_text("- UHANA\n")
    with pytest.raises(ConfigError, match="must map Jira users to Slack ids"):
        load_settings({**GOOD, "AGENT_USER_MAP": str(listy)})
