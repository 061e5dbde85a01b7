"""What a policy names on the sites (for ``check``), and the traps it falls into."""

from __future__ import annotations

from agent.policy.named import ParentPage, named_in
from agent.policy.traps import policy_traps
from tests.unit.factories import policy

NAMING = """
roles:
  lead: [email:Lead@X.example, group:@sre-leads]
channels: {project: "#ops"}
after_hours: {contacts: [lead], notify: ["#night-desk"]}
chains:
  up: [{after: 1h, to: [lead], notify: ["group:@managers"]}]
rules:
  - rule: ack_overdue
    within: 15m
    notify: [project_channel, "#ops-leads"]
    chain: [{after: 30m, to: [lead], notify: ["#ops-leads"]}]
  - rule: clerical_channel
    always_include: [email:desk@x.example]
    announce_in: ["#announce"]
  - rule: incident_summary
    space: OPS
    title: "Summary {key}"
    parent: Summaries
  - rule: weekly_digest
    weekday: fri
    at: "14:00"
    parent: Digests
"""


def test_every_channel_group_person_and_parent_page_is_found_with_where() -> None:
    named = named_in([policy(NAMING)])
    assert set(named.channels) == {"#ops", "#ops-leads", "#night-desk", "#announce"}
    assert named.channels["#ops"] == ["test: channels.project", "test: ack_overdue notify"]
    assert named.channels["#ops-leads"] == [
        "test: ack_overdue notify",
        "test: ack_overdue chain[0] notify",
    ]
    assert set(named.groups) == {"sre-leads", "managers"}
    assert named.groups["managers"] == ["test: chains.up[0] notify"]
    assert set(named.emails) == {"lead@x.example", "desk@x.example"}  # lower-case
    assert named.parents == {
        ParentPage("OPS", "Summaries"): ["test: incident_summary parent"],
        ParentPage(None, "Digests"): ["test: weekly_digest parent"],
    }


def test_channel_messages_without_an_escalation_channel_are_a_trap() -> None:
    counted = (
        "updates: {sources: [jira_comment, channel_message]}\nrules:\n  - {rule: pmo_notify}\n"
    )
    (trap,) = policy_traps([policy(counted)])
    assert "no channels.escalation" in trap.message
    fine = counted.replace("updates:", 'channels: {escalation: "t-{number}"}\nupdates:')
    assert policy_traps([policy(fine)]) == []


QUIET = """
rules:
  - {rule: ack_overdue, within: 15m, urgent: true}
  - {rule: update_overdue, every: 30m}
  - {rule: update_overdue, name: business_updates, every: 30m, clock: business}
  - {rule: eod_update_overdue, at: "16:30"}
"""


def test_a_non_urgent_clock_rule_silent_at_night_is_a_trap_where_the_policy_acts_at_night() -> None:
    (trap,) = policy_traps([policy(QUIET)])
    assert trap.message.startswith("update_overdue is not urgent")
    assert "09:00-17:00 UTC" in trap.message and "ack_overdue is urgent" in trap.message
    day_only = QUIET.replace(", urgent: true", "")
    assert policy_traps([policy(day_only)]) == []  # nothing acts at night: nothing expected
