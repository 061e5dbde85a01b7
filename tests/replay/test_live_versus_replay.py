"""Trust: on a window the live agent ran through, a replay plans the same action keys.

The live agent (real adapters and store, in process) runs a cycle every ten
minutes through a morning of two packs' tickets while people acknowledge,
update, reply in the incident's Slack thread, report in Slack and resolve; a replay
of that window, read back from the same site, must plan exactly the keys the agent
carried out.
The agent's own comments, labels and priorities are on the site by then, and
the replay leaves them out and plans its own: that it still arrives at the same
keys is the point.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from agent.core.slack_reports import thread_in_labels
from agent.replay.source import Window
from agent.sandbox.confluence import content as confluence
from agent.sandbox.jira import seeding as jira
from agent.sandbox.slack import workspace as slack
from tests.replay.support import LiveDay, agent_deps, pack, replayed
from tests.scenarios.support import build_site
from tests.support.sandbox import SandboxHandle

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Malta
END = START + timedelta(hours=3, minutes=30)
EVERY = timedelta(minutes=15)
ALICE = "alice@sandbox.example"
LEAD = "support-lead@sandbox.example"
REPORTER = "rita@sandbox.example"


def _incident(site_ctx: object, summary: str, priority: str, severity: str, alice: str) -> str:
    doc = jira.create_issue(
        site_ctx,  # type: ignore[arg-type]
        {
            "project": {"key": "SUP"},
            "summary": summary,
            "description": "Players cannot place bets.",
            "issuetype": {"name": "Incident"},
            "priority": {"name": priority},
            "assignee": {"accountId": alice},
            "Severity": {"value": severity},
            "Product Impacted": "Sportsbook",
            "Impact": "No bets for EU players",
            "Time of Occurrence": "2026-11-23T07:00:00.000+0000",
        },
        REPORTER,
    )
    return str(doc["key"])


def test_support_pack_replay_plans_the_keys_the_live_agent_carried_out(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    site = build_site(sandbox, tmp_path, START - timedelta(minutes=40), ["SUP"])
    alice = site.person("Alice Assignee", ALICE)
    site.person("Rita Reporter", REPORTER)
    site.person("Sam Lead", LEAD)
    confluence.create_space(site.ctx, "SUP", "Support")
    slack.create_usergroup(site.ctx, "gamnify-support", "Support", [site.slack_id(ALICE)])
    slack.create_channel(site.ctx, "operator-support", site.slack_id(LEAD))
    # SUP-1 was raised before the window: its acknowledgement is already late at the start
    _incident(site.ctx, "Bets are not settled", "Highest", "P1", alice)
    rules = pack("support-p1-p4.yaml")
    deps = agent_deps(sandbox, tmp_path, rules)
    day = LiveDay(sandbox, deps, START, END, EVERY)
    day.at(
        START + timedelta(minutes=25), lambda: jira.add_comment(site.ctx, "SUP-1", "On it", ALICE)
    )
    day.at(
        START + timedelta(minutes=50),
        lambda: jira.add_comment(site.ctx, "SUP-1", "Found it", ALICE),
    )
    day.at(
        START + timedelta(minutes=62),
        lambda: _incident(site.ctx, "Cash-out button missing", "Medium", "P3", alice),
    )
    day.at(
        START + timedelta(minutes=110), lambda: jira.add_comment(site.ctx, "SUP-2", "Looking", LEAD)
    )

    def channel_update() -> None:
        """Alice's update in SUP-2's thread in #operator-support (its label names it)."""
        labels = jira.get_issue(site.ctx, "SUP-2")["fields"]["labels"]
        thread = thread_in_labels(labels)
        assert thread is not None, labels
        slack.post_message(
            site.ctx, thread.channel, "Deploying the fix", site.slack_id(ALICE), thread.ts
        )

    day.at(START + timedelta(minutes=125), channel_update)
    day.at(
        START + timedelta(minutes=130),
        lambda: jira.add_comment(site.ctx, "SUP-1", "Fix deployed", ALICE),
    )
    day.at(
        START + timedelta(minutes=150), lambda: jira.transition(site.ctx, "SUP-1", "Done", ALICE)
    )
    day.at(
        START + timedelta(minutes=180),
        lambda: _incident(site.ctx, "Odds feed <script>alert(1)</script>", "Low", "P4", alice),
    )
    day.at(START + timedelta(minutes=195), lambda: jira.transition(site.ctx, "SUP-4", "Done", LEAD))

    def report() -> None:
        """Rita reports in #operator-support: the agent makes it a ticket (SUP-3)."""
        channel = site.channel("operator-support")
        text = "Cash-out fails for accumulators\nImpact: no cash-out on 40 bets\nSeverity: P2"
        slack.post_message(site.ctx, channel["id"], text, site.slack_id(REPORTER))

    day.at(START + timedelta(minutes=95), report)
    day.run()
    live = day.keys(["SUP-1", "SUP-2", "SUP-3", "SUP-4"])  # and the policy-level ones
    assert any(k.startswith("slack_intake:") and k.endswith(":ticket") for k in live)
    assert any(k.startswith("ack_overdue:SUP-3:") for k in live)  # the report's ticket
    assert any(":repeat@" in k for k in live) and any(":step1" in k for k in live)
    assert any("postmortem" in k for k in live)
    assert any(k.startswith("slack_intake:SUP-2:thread#") for k in live)
    assert any("#thread:" in k for k in live)  # nudges in the incident threads

    sandbox.clear_requests()
    outcome = replayed(deps, rules, Window(START, END), EVERY)
    planned = {f.key for f in outcome.fired}
    assert planned == live, (sorted(live - planned), sorted(planned - live))
    assert not [e for e in sandbox.requests_log() if e.get("write")]
    # planning every ticket at every step, as the live agent does, gives the same
    exact = replayed(deps, rules, Window(START, END), EVERY, exact=True)
    assert [(f.key, f.at) for f in exact.fired] == [(f.key, f.at) for f in outcome.fired]
    assert outcome.ticket_plans < exact.ticket_plans
    deps.close()


DS_START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
DS_PEOPLE = {
    "Rita Reporter": REPORTER,
    "Ivan Initiator": "ivan@sandbox.example",
    "Connie Contact": "connie@sandbox.example",
    "Carl Crew": "carl@sandbox.example",
    "Always One": "ds-always-1@sandbox.example",
    "Always Two": "ds-always-2@sandbox.example",
    "Alice Assignee": ALICE,
    "Bob Builder": "bob@sandbox.example",
    "Carol Coder": "carol@sandbox.example",
}


def test_ds_pack_with_limits_labels_and_priority_replays_the_same_keys(
    sandbox: SandboxHandle, tmp_path: Path
) -> None:
    """The DS pack labels and raises the priority of every escalation itself, holds the
    second one of an assignee until the first is resolved, asks the initiator for a
    missing contact and turns down a Low impact: the replay sees none of the agent's
    own labels, priorities and comments, and plans them again at the same moments."""
    site = build_site(sandbox, tmp_path, DS_START, ["DS"])
    ids = {email: site.person(name, email) for name, email in DS_PEOPLE.items()}
    slack.create_channel(site.ctx, "sre-escalations")

    def escalation(owner: str, *, contact: bool = True, impact: str = "High") -> None:
        fields: dict[str, object] = {
            "project": {"key": "DS"},
            "summary": f"Payments stuck for {owner.split('@', maxsplit=1)[0]}",
            "issuetype": {"name": "Task"},
            "priority": {"name": "Medium"},
            "assignee": {"accountId": ids[owner]},
            "Escalation Reason": "Key client cannot settle invoices",
            "Initiator": {"accountId": ids["ivan@sandbox.example"]},
            "Crew Lead": {"accountId": ids["carl@sandbox.example"]},
            "Impact Level": {"value": impact},
        }
        if contact:
            fields["Escalation Contact"] = {"accountId": ids["connie@sandbox.example"]}
        jira.create_issue(site.ctx, fields, REPORTER)

    rules = pack("ds-ticket-escalation.yaml")
    deps = agent_deps(sandbox, tmp_path, rules)
    end = DS_START + timedelta(hours=3)
    every = timedelta(minutes=15)
    day = LiveDay(sandbox, deps, DS_START, end, every)
    day.at(DS_START + timedelta(minutes=5), lambda: escalation(ALICE))
    day.at(DS_START + timedelta(minutes=20), lambda: escalation(ALICE))  # held: one per assignee
    day.at(
        DS_START + timedelta(minutes=35),
        lambda: escalation("bob@sandbox.example", contact=False),
    )
    day.at(
        DS_START + timedelta(minutes=70),
        lambda: jira.edit_issue(site.ctx, "DS-1", {"Root Cause": "A stuck batch"}, ALICE),
    )
    day.at(
        DS_START + timedelta(minutes=110), lambda: jira.transition(site.ctx, "DS-1", "Done", ALICE)
    )
    day.at(
        DS_START + timedelta(minutes=125),
        lambda: jira.edit_issue(
            site.ctx,
            "DS-3",
            {"Escalation Contact": {"accountId": ids["connie@sandbox.example"]}},
            "ivan@sandbox.example",
        ),
    )
    day.at(
        DS_START + timedelta(minutes=140),
        lambda: escalation("carol@sandbox.example", impact="Low"),
    )
    day.run()
    live = day.keys(["DS-1", "DS-2", "DS-3", "DS-4"])
    assert any(":hold@" in k for k in live) and any(":release@" in k for k in live)
    assert any(k.startswith("clerical_label:DS-2") for k in live)
    assert any(k.startswith("intake_rejected:DS-4") for k in live)

    outcome = replayed(deps, rules, Window(DS_START, end), every)
    planned = {f.key for f in outcome.fired}
    assert planned == live, (sorted(live - planned), sorted(planned - live))
    assert outcome.kept_changes >= 3  # DS-1..3 labels and priorities, made by the agent
    exact = replayed(deps, rules, Window(DS_START, end), every, exact=True)
    assert sorted((f.key, f.at) for f in exact.fired) == sorted(
        (f.key, f.at) for f in outcome.fired
    )
    deps.close()
