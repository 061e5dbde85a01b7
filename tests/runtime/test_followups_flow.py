"""Follow-ups end to end: a post-mortem's tasks become linked Jira issues, tracked both ways.

Against the sandbox over HTTP with the real clients, store and executor: a
resolved P1 gets its post-mortem (with an Actions section); a person adds two
tasks (one mentioning the lead, one with a date); the next cycle makes exactly
two issues, linked to the incident, with the right assignee and due date, and
shows each one in its task. Resolving one ticks its task; the other, past its
date, nudges its assignee. Reruns, a stop between the create and the page
write, and a lost state file make no second issue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.adapters.confluence_tasks import read_tasks
from agent.config import load_settings
from agent.core.followups import FOLLOWUP_PROPERTY
from agent.policy import load_policies
from agent.runtime.cycle import run_cycle
from agent.runtime.deps import Deps, build_deps
from agent.runtime.first_contact import declare_first_contact
from agent.sandbox.jira import seeding as jira
from agent.secrets import Redactor
from agent.store import EffectStatus
from tests.foundation.test_check_command import sandbox_env
from tests.runtime.paperwork_site import DEV, LEAD, START, PaperSite, later, open_site
from tests.support.sandbox import SandboxHandle

TITLE = "Post-mortem PAP-1: Checkout returns 500"
LOG = "PAP Incident Log"
POLICY = """
name: paperwork
description: post-mortem and its follow-ups
select: {projects: [PAP]}
severity:
  levels: [P1, P2]
  field: {name: Severity, map: {P1: P1, P2: P2}}
timezone: Europe/Malta
business_hours: {start: "09:00", end: "18:00", weekdays: [mon, tue, wed, thu, fri]}
rules:
  - rule: postmortem_due
    within: 48h
    fields: [Service Credits, Root Cause]
    space: PAP
    to: [assignee]
    notify: [jira]
  - rule: followups
    due_days: {P1: 5}
  - rule: followup_overdue
    notify: [dm]
"""


@pytest.fixture
def site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox, tmp_path, POLICY)


def _task(task_id: str, body: str) -> str:
    return (
        f"<ac:task><ac:task-id>{task_id}</ac:task-id><ac:task-status>incomplete"
        f"</ac:task-status><ac:task-body>{body}</ac:task-body></ac:task>"
    )


def _add_tasks(site: PaperSite) -> None:
    lead = site.ctx.users.by_email(LEAD)["accountId"]
    tasks = (
        "<ac:task-list>"
        + _task(
            "1", f'Alert on checkout errors <ac:link><ri:user ri:account-id="{lead}"/></ac:link>'
        )
        + _task("2", 'Write the rollback runbook <time datetime="2026-12-01"/>')
        + "</ac:task-list>"
    )
    site.edit_page(TITLE, site.body(TITLE) + tasks)


def _followups(site: PaperSite) -> list[dict[str, Any]]:
    client = site.sandbox.jira(LEAD)
    found = client.search_issues(
        "project = PAP AND labels = follow-up ORDER BY key",
        fields="summary,assignee,duedate,issuelinks",
        properties=FOLLOWUP_PROPERTY,
    )
    return [dict(issue.raw) for issue in found]


def _resolved_page(site: PaperSite) -> str:
    key = site.incident()
    site.resolve(key, later(hours=1))
    report = site.cycle(later(hours=1, minutes=1))
    assert report.ok, report.failures
    assert "<h2>Actions</h2>" in site.body(TITLE)
    _add_tasks(site)
    return key


def test_two_tasks_make_two_linked_issues_tracked_both_ways(site: PaperSite) -> None:
    key = _resolved_page(site)
    report = site.cycle(later(hours=2))
    assert report.ok, report.failures
    made = _followups(site)
    assert len(made) == 2
    by_summary = {m["fields"]["summary"]: m for m in made}
    alert, runbook = (
        by_summary["Alert on checkout errors"],
        by_summary["Write the rollback runbook"],
    )
    assert alert["fields"]["assignee"]["emailAddress"] == LEAD  # the person the task mentions
    assert runbook["fields"]["assignee"]["emailAddress"] == DEV  # else the incident's assignee
    assert runbook["fields"]["duedate"] == "2026-12-01"  # the task's date
    # resolved Monday 2026-11-23: P1 gets 5 business days
    assert alert["fields"]["duedate"] == "2026-11-30"
    for issue in made:
        links = issue["fields"]["issuelinks"]
        assert [link["type"]["name"] for link in links] == ["Relates"]
        assert issue["properties"][FOLLOWUP_PROPERTY]["escalation"] == key
    tasks = {t.task_id: t for t in read_tasks(site.body(TITLE))}
    assert tasks["1"].issue == alert["key"] and tasks["2"].issue == runbook["key"]

    # rerunning changes nothing
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=3)).ok
    assert len(_followups(site)) == 2 and site.writes() == []

    # resolving the alert's issue ticks its task on the page
    jira.transition(site.ctx, alert["key"], "Done", LEAD)
    assert site.cycle(later(hours=4)).ok
    tasks = {t.task_id: t for t in read_tasks(site.body(TITLE))}
    assert tasks["1"].done and not tasks["2"].done

    # the runbook past its date (end of 2026-12-01 in Malta) nudges its assignee by DM
    overdue = site.cycle(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    assert overdue.ok, overdue.failures
    nudges = [
        r
        for r in site.deps.store.effects_for_issue(key)
        if r.rule == "followup_overdue" and r.status is EffectStatus.DONE
    ]
    assert [r.key.rsplit("#", 1)[1] for r in nudges] == [f"dm:{_account(site, DEV)}"]
    assert len(_followups(site)) == 2


def test_a_stop_between_create_and_page_write_then_a_lost_state_make_no_duplicate(
    site: PaperSite, tmp_path: Path
) -> None:
    _resolved_page(site)

    def created() -> bool:  # stop once the first follow-up exists, before its page write
        return bool(_followups(site))

    site.sandbox.set_clock(later(hours=2), frozen=True)
    run_cycle(site.deps, later(hours=2), should_stop=created)
    assert len(_followups(site)) == 1
    assert all(t.issue is None for t in read_tasks(site.body(TITLE)))

    # the state file is lost as well: the agent starts from an empty store
    site.deps.close()
    (tmp_path / "state.db").unlink()
    site.deps = _reopen(site, tmp_path)
    for hours in (3, 4, 5):
        report = site.cycle(later(hours=hours))
        assert report.ok, report.failures
    made = _followups(site)
    assert len(made) == 2
    shown = {t.task_id: t.issue for t in read_tasks(site.body(TITLE))}
    assert sorted(shown.values()) == sorted(m["key"] for m in made)


def _account(site: PaperSite, email: str) -> str:
    return str(site.ctx.users.by_email(email)["accountId"])


def _reopen(site: PaperSite, tmp_path: Path) -> Deps:
    """The agent started again on the same site with a new, empty state file."""
    values = sandbox_env(site.sandbox)
    values["AGENT_RULES"] = str(tmp_path / "rules")
    values["AGENT_STATE_URL"] = f"sqlite:///{tmp_path / 'state.db'}"
    settings = load_settings(values)
    deps = build_deps(settings, load_policies(settings.rules_path), Redactor(settings.secrets()))
    for loaded in deps.policies:
        declare_first_contact(deps.store, loaded.name, START)
    return deps


@pytest.fixture
def moving_site(sandbox: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    policy = POLICY.replace(
        "    due_days: {P1: 5}\n", "    due_days: {P1: 5}\n    transition: Done\n"
    ).replace(
        "rules:\n",
        'rules:\n  - rule: incident_log\n    space: PAP\n    pages: ["{project} Incident Log"]\n',
    )
    yield from open_site(sandbox, tmp_path, policy)


def _tick(site: PaperSite, task_id: str) -> None:
    """A person ticks the task on the page (Confluence saves it as ``complete``)."""
    opened = f"<ac:task-id>{task_id}</ac:task-id><ac:task-status>incomplete</ac:task-status>"
    body = site.body(TITLE)
    assert opened in body
    site.edit_page(TITLE, body.replace(opened, opened.replace("incomplete", "complete")))


def test_a_follow_up_made_in_jira_is_listed_and_tracked_and_a_tick_moves_an_issue(
    moving_site: PaperSite, tmp_path: Path
) -> None:
    site = moving_site
    key = _resolved_page(site)
    person = site.sandbox.jira(LEAD)
    made = person.create_issue(
        project="PAP",
        issuetype={"name": "Task"},
        summary="Load-test the checkout before Black Friday",
        labels=["follow-up"],
        duedate="2026-11-25",
        assignee={"accountId": _account(site, LEAD)},
    )
    person.create_issue_link("Relates", key, made.key, comment={"body": "Found in the review"})

    report = site.cycle(later(hours=2))
    assert report.ok, report.failures
    tasks = read_tasks(site.body(TITLE))
    assert [t.task_id for t in tasks] == ["1", "2", "3"]
    assert tasks[2].issue == made.key and tasks[2].text == made.fields.summary
    assert len(_followups(site)) == 3  # the two tasks' issues and the person's, no more
    assert site.cycle(later(hours=3)).ok  # the log row learns of all three
    assert "actions: 0 of 3 done" in site.body(LOG)
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=3, minutes=30)).ok
    assert site.writes() == []

    # ticking a task comments on its issue and, as the rule says, moves it to Done
    _tick(site, "1")
    assert site.cycle(later(hours=4)).ok
    alert = person.issue(tasks[0].issue)
    assert alert.fields.status.name == "Done" and alert.fields.resolution is not None
    comments = person.comments(alert.key)
    assert [c.body.split(":", 1)[0] for c in comments] == ["*Done on the page"]
    assert "It is moved to Done." in comments[0].body
    assert site.cycle(later(hours=5)).ok
    assert "actions: 1 of 3 done" in site.body(LOG)
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=5, minutes=30)).ok
    assert site.writes() == []  # moved once, said once

    # the person's follow-up, past its date, nudges its assignee like the others
    overdue = site.cycle(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert overdue.ok, overdue.failures
    chased = [
        r.key
        for r in site.deps.store.effects_for_issue(key)
        if r.rule == "followup_overdue" and r.status is EffectStatus.DONE
    ]
    assert chased and all(f":followup:{made.key}@" in k for k in chased)
    assert [k.rsplit("#", 1)[1] for k in chased] == [f"dm:{_account(site, LEAD)}"]

    # resolving it in Jira ticks its task on the page
    jira.transition(site.ctx, made.key, "Done", LEAD)
    assert site.cycle(datetime(2026, 11, 26, 10, 0, tzinfo=UTC)).ok
    assert {t.task_id: t.done for t in read_tasks(site.body(TITLE))} == {
        "1": True,
        "2": False,
        "3": True,
    }
    # the incident's log row says how many of its follow-ups are done, in one lozenge
    log = site.body(LOG)
    assert "actions: 2 of 3 done" in log and log.count("actions:") == 1

    # reopened, the count goes back to one it showed before: the row follows, once
    jira.transition(site.ctx, alert.key, "To Do", LEAD)
    assert site.cycle(datetime(2026, 11, 26, 11, 0, tzinfo=UTC)).ok
    log = site.body(LOG)
    assert "actions: 1 of 3 done" in log and log.count("actions:") == 1
    site.sandbox.clear_requests()
    assert site.cycle(datetime(2026, 11, 26, 11, 30, tzinfo=UTC)).ok
    assert site.writes() == []

    # a lost state file plans the row's edit again; the row shows it already: no write
    site.deps.close()
    (tmp_path / "state.db").unlink()
    site.deps = _reopen(site, tmp_path)
    site.sandbox.clear_requests()
    for minutes in (0, 30):  # the first finds the agent's pages again, the next its follow-ups
        assert site.cycle(datetime(2026, 11, 26, 12, minutes, tzinfo=UTC)).ok
    log_page = f"/wiki/rest/api/content/{site.page(LOG)['id']}"
    assert not [w for w in site.writes() if w["path"] == log_page]
    assert site.body(LOG) == log
    edits = [
        r.external_ref
        for r in site.deps.store.effects_for_issue(key)
        if r.kind == "confluence.log_actions" and r.status is EffectStatus.DONE
    ]
    assert edits and all(ref == {"page": site.page(LOG)["id"], "changed": False} for ref in edits)


def test_a_follow_up_reopened_in_jira_unticks_the_agents_tick_and_stays_open(
    moving_site: PaperSite,
) -> None:
    site = moving_site
    _resolved_page(site)
    assert site.cycle(later(hours=2)).ok
    alert = read_tasks(site.body(TITLE))[0].issue
    assert alert is not None
    person = site.sandbox.jira(LEAD)

    jira.transition(site.ctx, alert, "Done", LEAD)
    assert site.cycle(later(hours=3)).ok
    assert read_tasks(site.body(TITLE))[0].done  # the agent ticks it

    # a person reopens the issue: the agent's tick is taken back, the issue left open
    jira.transition(site.ctx, alert, "To Do", LEAD)
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=4)).ok
    assert [t.done for t in read_tasks(site.body(TITLE))] == [False, False]
    assert person.comments(alert) == []
    reopened = person.issue(alert)
    assert reopened.fields.status.name == "To Do" and reopened.fields.resolution is None
    # the issue's only write clears the agent's tick from its property
    jira_writes = [
        (w["method"], w["path"]) for w in site.writes() if f"/issue/{alert}" in w["path"]
    ]
    assert jira_writes == [("PUT", f"/rest/api/2/issue/{alert}/properties/{FOLLOWUP_PROPERTY}")]

    # later cycles do nothing more
    assert site.cycle(later(hours=5)).ok
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=6)).ok
    assert site.writes() == []
    assert person.comments(alert) == [] and person.issue(alert).fields.status.name == "To Do"


def test_after_a_lost_state_a_reopened_follow_up_still_has_the_agents_tick_taken_back(
    moving_site: PaperSite, tmp_path: Path
) -> None:
    site = moving_site
    _resolved_page(site)
    assert site.cycle(later(hours=2)).ok
    alert = read_tasks(site.body(TITLE))[0].issue
    assert alert is not None
    person = site.sandbox.jira(LEAD)

    jira.transition(site.ctx, alert, "Done", LEAD)
    assert site.cycle(later(hours=3)).ok
    assert read_tasks(site.body(TITLE))[0].done  # the agent ticks it, and says so on the issue
    assert person.issue_property(alert, FOLLOWUP_PROPERTY).raw["value"]["ticked"] == 0

    # the state file is lost; a person reopens the issue
    site.deps.close()
    (tmp_path / "state.db").unlink()
    site.deps = _reopen(site, tmp_path)
    jira.transition(site.ctx, alert, "To Do", LEAD)
    for hours in (4, 5):  # the first finds the agent's page again, the next its follow-ups
        report = site.cycle(later(hours=hours))
        assert report.ok, report.failures
    assert [t.done for t in read_tasks(site.body(TITLE))] == [False, False]
    assert person.comments(alert) == []
    reopened = person.issue(alert)
    assert reopened.fields.status.name == "To Do" and reopened.fields.resolution is None
    value = person.issue_property(alert, FOLLOWUP_PROPERTY).raw["value"]
    assert "ticked" not in value and value["task"] == "1"  # the tick is cleared, the rest kept

    # steady cycles write nothing more
    site.sandbox.clear_requests()
    assert site.cycle(later(hours=6)).ok
    assert site.writes() == []
    assert person.comments(alert) == [] and person.issue(alert).fields.status.name == "To Do"


@pytest.fixture
def dc_site(sandbox_dc: SandboxHandle, tmp_path: Path) -> Iterator[PaperSite]:
    yield from open_site(sandbox_dc, tmp_path, POLICY)


def test_a_data_center_mention_by_userkey_assigns_the_issue_by_username(
    dc_site: PaperSite,
) -> None:
    site = dc_site
    key = site.incident()
    site.resolve(key, later(hours=1))
    assert site.cycle(later(hours=1, minutes=1)).ok
    lead = site.ctx.users.by_email(LEAD)
    userkey = site.sandbox.confluence(LEAD).get("rest/api/user/current")["userKey"]
    mention = f'<ac:link><ri:user ri:userkey="{userkey}"/></ac:link>'
    tasks = f"<ac:task-list>{_task('1', f'Alert on checkout errors {mention}')}</ac:task-list>"
    site.edit_page(TITLE, site.body(TITLE) + tasks)
    report = site.cycle(later(hours=2))
    assert report.ok, report.failures
    (made,) = _followups(site)
    assert made["fields"]["assignee"]["name"] == lead["name"]  # Jira DC assigns by username
    assert read_tasks(site.body(TITLE))[0].issue == made["key"]
