"""``escalation-agent users``: who the policies touch and who they are in Slack; ``--write-map``.

The census is also checked on its own with a Jira that hides an email (the
person is then found only through ``AGENT_USER_MAP`` by account id).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from agent.adapters.slack_identity import MatchKind
from agent.core.model import Person
from agent.policy import load_policy_text
from agent.preflight.people_check import take_census, write_map
from agent.sandbox.jira import seeding as jira
from tests.foundation.test_check_command import run_cli, sandbox_env
from tests.runtime.fakes import FakeJira
from tests.support.sandbox import SandboxHandle
from tests.unit.factories import ALICE, RITA, ticket

POLICY = """\
name: sup
description: Support escalations
select: {projects: [SUP]}
roles:
  lead: email:lead@sandbox.example
rules:
  - rule: ack_overdue
    within: 15m
    to: [assignee, lead]
"""
HIDDEN = Person("acc-hana", "Hana Hidden", None)


def test_the_census_names_each_person_once_with_their_match(tmp_path: Path) -> None:
    policy = load_policy_text(POLICY.replace("[SUP]", "[T]"), "rules/sup.yaml")
    fake = FakeJira(
        tickets={
            "T-1": ticket("T-1", assignee=ALICE, reporter=RITA),
            "T-2": ticket("T-2", assignee=HIDDEN, reporter=RITA),
            "T-3": ticket("T-3", assignee=ALICE, reporter=HIDDEN),
        }
    )
    slack = {"alice@sandbox.example": "UALICE", "lead@sandbox.example": "ULEAD"}
    census = take_census(fake, [policy], {}, slack.get)
    by_name = {p.person.name: p for p in census.people}
    assert set(by_name) == {
        "Alice Assignee",
        "Hana Hidden",
        "lead@sandbox.example",
        "Rita Reporter",
    }
    assert by_name["Alice Assignee"].match.slack_id == "UALICE"
    assert by_name["Alice Assignee"].person.where() == ["sup assignee (T-1, T-3)"]
    hana = by_name["Hana Hidden"]
    assert hana.match.kind is MatchKind.HIDDEN_EMAIL and hana.match.slack_id is None
    assert hana.person.where() == ["sup assignee (T-2)", "sup reporter (T-3)"]
    assert by_name["Rita Reporter"].match.kind is MatchKind.NO_ACCOUNT
    assert census.tickets == 3
    assert "2 without a Slack identity (1 with the email hidden by Jira, 1 with no Slack" in (
        census.summary()
    )

    mapped = take_census(fake, [policy], {"acc-hana": "UHANA"}, slack.get)
    hana = next(p for p in mapped.people if p.person.name == "Hana Hidden")
    assert (hana.match.slack_id, hana.match.kind) == ("UHANA", MatchKind.MAP_ACCOUNT)

    skeleton = tmp_path / "users.yaml"
    assert write_map(skeleton, census.unmatched) == 2
    text = skeleton.read_text()
    assert '"acc-hana": ""' in text and '"acc-rita": ""' in text
    assert "# Hana Hidden: Jira hides the email (sup assignee (T-2); sup reporter (T-3))" in text
    assert write_map(skeleton, census.unmatched) == 0  # already listed: nothing added twice
    assert skeleton.read_text() == text


def users(
    sandbox: SandboxHandle, tmp_path: Path, *args: str, **extra: str
) -> subprocess.CompletedProcess[str]:
    rules = tmp_path / "sup.yaml"
    rules.write_text(POLICY)
    env = {**sandbox_env(sandbox), "AGENT_RULES": str(rules), **extra}
    return run_cli(["users", "--no-color", *args], env, tmp_path)


def test_users_lists_people_and_writes_a_map_to_fill_in(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    jira.create_project(sandbox.ctx, "SUP", "Support", "agent@sandbox.example")
    alice = str(sandbox.add_user("Alice Assignee", "alice@sandbox.example")["accountId"])
    bob = str(sandbox.add_user("Bob Offline", "bob@sandbox.example", slack=False)["accountId"])
    hana = sandbox.control(  # her Jira profile hides her email; Slack still knows it
        "POST",
        "users",
        {"name": "Hana Hidden", "email": "hana@sandbox.example", "email_visible": False},
    )
    sandbox.add_user("Rita Reporter", "rita@sandbox.example")
    sandbox.add_user("Lee Lead", "lead@sandbox.example")
    for assignee in (alice, bob, str(hana["accountId"])):
        jira.create_issue(
            sandbox.ctx,
            {
                "project": {"key": "SUP"},
                "summary": "Bets are not settled",
                "issuetype": {"name": "Incident"},
                "assignee": {"accountId": assignee},
            },
            "rita@sandbox.example",
        )

    listed = users(sandbox, tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    out = listed.stdout
    assert (
        "5 people on 3 ticket(s): 3 found in Slack, 2 without a Slack identity (1 with the "
        "email hidden by Jira, 1 with no Slack account for their email)"
    ) in out
    bob_row = next(row for row in out.splitlines() if "Bob Offline" in row)
    assert bob in bob_row and "none: no Slack user has the email" in bob_row
    assert "sup assignee (SUP-2)" in bob_row
    hana_row = next(row for row in out.splitlines() if "Hana Hidden" in row)
    assert "hidden" in hana_row and "none: Jira hides the email" in hana_row
    assert "Slack user with the same email" in next(r for r in out.splitlines() if "Alice" in r)
    assert "AGENT_USER_MAP" in out  # says how to reach Bob

    skeleton = tmp_path / "users.yaml"
    written = users(sandbox, tmp_path, "--write-map", str(skeleton))
    assert written.returncode == 0, written.stdout + written.stderr
    assert "2 person(s) added" in written.stdout
    assert f'"{bob}": ""' in skeleton.read_text()
    assert f'"{hana["accountId"]}": ""' in skeleton.read_text()

    # Until it is filled in, the map is refused with a sentence saying what to do.
    unfilled = users(sandbox, tmp_path, AGENT_USER_MAP=str(skeleton))
    assert unfilled.returncode == 2
    assert "has no Slack id yet" in unfilled.stdout

    bob_in_slack = str(sandbox.add_user("Bob", "robert@sandbox.example")["slackId"])
    filled = skeleton.read_text().replace(f'"{bob}": ""', f'"{bob}": {bob_in_slack}')
    hana_id = f'"{hana["accountId"]}"'
    skeleton.write_text(filled.replace(f'{hana_id}: ""', f"{hana_id}: {hana['slackId']}"))
    mapped = users(sandbox, tmp_path, "--write-map", str(skeleton), AGENT_USER_MAP=str(skeleton))
    assert mapped.returncode == 0, mapped.stdout + mapped.stderr
    assert "every one found in Slack" in mapped.stdout
    bob_row = next(row for row in mapped.stdout.splitlines() if "Bob Offline" in row)
    assert bob_in_slack in bob_row and "AGENT_USER_MAP by account id" in bob_row
    assert "nobody to add" in mapped.stdout
