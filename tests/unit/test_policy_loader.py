"""Policy files: every problem names file, line and key and says what is allowed."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from agent.config import load_settings
from agent.policy import Policy, PolicyErrors, load_policies, load_policy_text
from agent.policy.rule_models import RULE_NAMES
from agent.setup_checks import policy_checks
from agent.timekeeping.durations import format_duration, parse_duration, parse_local_time

SITE = {
    "JIRA_URL": "https://acme.atlassian.net",
    "JIRA_EMAIL": "bot@acme.io",
    "JIRA_API_TOKEN": "jira-token",
    "CONFLUENCE_URL": "https://acme.atlassian.net/wiki",
    "CONFLUENCE_EMAIL": "bot@acme.io",
    "CONFLUENCE_API_TOKEN": "wiki-token",
    "CONFLUENCE_SPACE": "OPS",
    "SLACK_BOT_TOKEN": "xoxb-token",
}
HEADER = """\
name: demo
description: demo
select: {projects: [DS]}
"""


def errors_of(text: str, file: str = "rules/ds.yaml") -> list[str]:
    with pytest.raises(PolicyErrors) as caught:
        load_policy_text(text, file)
    return [str(e) for e in caught.value.errors]


def test_bad_duration_names_file_line_key_and_the_allowed_form() -> None:
    text = HEADER + "rules:\n  - rule: ack_overdue\n    within: 15 minutes\n"
    assert errors_of(text) == [
        "rules/ds.yaml:6: rules[0].within: '15 minutes' is not a duration; "
        "use e.g. 15m, 2h, 1d, 1h30m"
    ]


def test_unknown_rule_lists_the_known_rules() -> None:
    text = HEADER + "rules:\n  - rule: ack_overdue\n    within: 15m\n  - rule: nag_forever\n"
    (message,) = errors_of(text)
    assert message.startswith("rules/ds.yaml:7: rules[1]: unknown rule 'nag_forever'; known rules:")
    for name in ("ack_overdue", "limit_daily", "weekly_digest", "update_next_missing"):
        assert name in message


def test_rule_without_rule_key_is_reported() -> None:
    (message,) = errors_of(HEADER + "rules:\n  - within: 15m\n")
    assert "rules[0]: each rule needs a rule: key" in message


def test_all_errors_of_a_file_are_reported_at_once() -> None:
    text = HEADER + (
        "business_hours: {start: '25:00', end: '09:00'}\n"
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: soon\n"
        "    surprise: 1\n"
        "  - rule: limit_daily\n"
        "    max: three\n"
    )
    found = errors_of(text)
    assert len(found) == 4
    assert [e.split(":")[1] for e in found] == ["4", "7", "8", "10"]  # in file order
    assert any(":4: business_hours.start: '25:00' is an impossible time" in e for e in found)
    assert any(":7: rules[0].within: 'soon' is not a duration" in e for e in found)
    assert any(
        ":8: rules[0].surprise: unknown key; allowed keys:" in e and "within" in e for e in found
    )
    assert any(":10: rules[1].max:" in e and "integer" in e for e in found)


def test_shape_and_reference_errors_are_reported_together() -> None:
    text = HEADER + (
        "timezone: Mars/Olympus\n"
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: 15 minutes\n"
        "  - rule: ack_overdue\n"
        "    name: second\n"
        "    within: 15m\n"
        "    to: [ghost]\n"
    )
    found = errors_of(text)
    assert len(found) == 3
    assert found[0].startswith("rules/ds.yaml:4: timezone: 'Mars/Olympus' is not a known time zone")
    assert found[1].startswith("rules/ds.yaml:7: rules[0].within: '15 minutes' is not a duration")
    assert found[2].startswith("rules/ds.yaml:11: rules[1].to[0]: unknown role 'ghost'")


def test_a_broken_section_does_not_cause_follow_up_errors() -> None:
    text = HEADER + (
        "roles: {lead: 7}\nrules:\n  - rule: ack_overdue\n    within: 15m\n    to: [lead]\n"
    )
    (message,) = errors_of(text)
    assert "roles.lead" in message


def test_impossible_minutes_and_wrong_types() -> None:
    text = HEADER + (
        "rules:\n"
        "  - rule: eod_update_overdue\n"
        "    at: '16:75'\n"
        "  - rule: ack_overdue\n"
        "    within: 15m\n"
        "    urgent: sometimes\n"
    )
    found = errors_of(text)
    assert any("rules[0].at: '16:75' is an impossible time" in e for e in found)
    assert any("rules[1].urgent:" in e and "boolean" in e for e in found)


def test_literal_choices_are_listed() -> None:
    text = HEADER + "rules:\n  - rule: update_overdue\n    every: 1h\n    clock: lunar\n"
    (message,) = errors_of(text)
    assert "rules[0].clock:" in message and "'wall'" in message and "'business'" in message


def test_end_before_start_unknown_zone_and_holiday_country() -> None:
    text = HEADER + (
        "timezone: Europe/Atlantis\n"
        "business_hours: {start: '17:00', end: '09:00'}\n"
        "holidays: {country: ZZ}\n"
        "rules:\n  - rule: pmo_notify\n"
    )
    found = errors_of(text)
    assert "rules/ds.yaml:4: timezone: 'Europe/Atlantis' is not a known time zone" in found[0]
    assert any(
        ":5: business_hours.end: ends at 09:00, not after its start 17:00" in e for e in found
    )
    assert any(":6: holidays.country: 'ZZ' is not a holiday country" in e for e in found)


def test_unknown_holiday_subdivision() -> None:
    text = HEADER + "holidays: {country: GB, subdivision: XYZ}\nrules:\n  - rule: pmo_notify\n"
    (message,) = errors_of(text)
    assert "holidays.subdivision: 'XYZ' is not a subdivision of GB" in message


def test_unknown_role_lists_known_roles() -> None:
    text = HEADER + (
        "roles: {crew_lead: 'field:Crew Lead'}\n"
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: 15m\n"
        "    to: [crew_leader]\n"
    )
    (message,) = errors_of(text)
    assert message == (
        "rules/ds.yaml:8: rules[0].to[0]: unknown role 'crew_leader'; known roles: "
        "assignee, crew_lead, reporter (declare it under roles:)"
    )


def test_bad_role_source() -> None:
    text = HEADER + "roles: {cto: oleh}\nrules:\n  - rule: pmo_notify\n"
    (message,) = errors_of(text)
    assert "roles.cto[0]: 'oleh' is not a role source" in message
    assert "email:<address>" in message


def test_chain_cycle_is_an_error() -> None:
    text = HEADER + (
        "chains:\n"
        "  first: [{after: 30m, to: [assignee], then: second}]\n"
        "  second: [{after: 1h, to: [reporter], then: first}]\n"
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: 15m\n"
        "    chain_ref: first\n"
    )
    (message,) = errors_of(text)
    assert "chains.first: escalation chain cycle: first -> second -> first" in message
    assert message.startswith("rules/ds.yaml:5:")


def test_unknown_chain_and_unordered_steps() -> None:
    text = HEADER + (
        "rules:\n"
        "  - rule: ack_overdue\n"
        "    within: 15m\n"
        "    chain_ref: nowhere\n"
        "    chain:\n"
        "      - {after: 1h, to: [assignee]}\n"
        "      - {after: 30m, to: [reporter]}\n"
    )
    found = errors_of(text)
    assert any("rules[0].chain[1].after: chain steps must come later" in e for e in found)
    assert any("rules[0].chain_ref: unknown chain 'nowhere'" in e for e in found)


def test_unknown_severity_level_and_missing_severity_section() -> None:
    text = HEADER + (
        "severity: {levels: [P1, P2], priority: {Highest: P0}}\n"
        "rules:\n  - rule: ack_overdue\n    within: 15m\n    severities: [P3]\n"
    )
    found = errors_of(text)
    assert any(
        "severity.priority.Highest: 'P0' is not a severity level; use one of P1, P2" in e
        for e in found
    )
    assert any("rules[0].severities[0]: 'P3' is not a severity level" in e for e in found)
    no_section = HEADER + "rules:\n  - rule: ack_overdue\n    within: 15m\n    severities: [P1]\n"
    assert any("needs a severity: section" in e for e in errors_of(no_section))


def test_duplicate_rule_needs_a_name_and_update_overdue_needs_one_cadence() -> None:
    text = HEADER + (
        "rules:\n"
        "  - rule: update_overdue\n    every: 1h\n"
        "  - rule: update_overdue\n    every: 2h\n"
        "  - rule: update_overdue\n    name: neither\n"
    )
    found = errors_of(text)
    assert any("rules[1].name: rule 'update_overdue' appears twice" in e for e in found)
    assert any("rules[2]: update_overdue needs exactly one of every: or at:" in e for e in found)


def test_channel_template_placeholders_and_targets() -> None:
    text = HEADER + (
        "channels: {escalation: 'ds-{number}-{title}'}\n"
        "rules:\n  - rule: ack_overdue\n    within: 15m\n    notify: [project_channel]\n"
    )
    found = errors_of(text)
    assert any("channels.escalation: unknown placeholder(s) ['title']" in e for e in found)
    assert any("rules[0].notify: project_channel needs channels.project" in e for e in found)
    bad_target = HEADER + "rules:\n  - rule: pmo_notify\n    notify: ['#Bad Name']\n"
    (message,) = errors_of(bad_target)
    assert "rules[0].notify[0]: '#Bad Name' is not a notify target" in message


def test_yaml_syntax_error_has_a_line() -> None:
    (message,) = errors_of(HEADER + "rules: [\n  - oops: {\n")
    assert message.startswith("rules/ds.yaml:") and "not valid YAML" in message


def test_top_level_must_be_a_mapping_and_policy_name_is_checked() -> None:
    assert "must be a YAML mapping" in errors_of("- just\n- a list\n")[0]
    bad_name = HEADER.replace("name: demo", "name: Demo Policy") + "rules:\n  - rule: pmo_notify\n"
    assert any(e.startswith("rules/ds.yaml:1: name:") for e in errors_of(bad_name))


def test_load_folder_reports_every_file_and_duplicate_names(tmp_path: Path) -> None:
    good = HEADER + "rules:\n  - rule: pmo_notify\n"
    (tmp_path / "a.yaml").write_text(good)
    (tmp_path / "b.yaml").write_text(good)
    (tmp_path / "c.yaml").write_text(HEADER + "rules:\n  - rule: bogus\n")
    with pytest.raises(PolicyErrors) as caught:
        load_policies(tmp_path)
    text = str(caught.value)
    assert "b.yaml: name: 'demo' is also in" in text
    assert "c.yaml:5: rules[0]: unknown rule 'bogus'" in text


def test_load_single_file_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(HEADER + "rules:\n  - rule: pmo_notify\n")
    assert [p.name for p in load_policies(path)] == ["demo"]
    with pytest.raises(PolicyErrors, match="no such file"):
        load_policies(tmp_path / "missing.yaml")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PolicyErrors, match=r"no \*\.yaml policy files"):
        load_policies(empty)


def test_required_fields_lists_custom_fields_only() -> None:
    text = HEADER + (
        "roles: {lead: 'field:Crew Lead', cto: 'email:cto@x.example'}\n"
        "rules:\n"
        "  - rule: intake_missing_fields\n    fields: [Summary, Escalation Reason, evidence]\n"
        "  - rule: closure_missing_fields\n    fields: [Summary of Findings]\n"
        "    after_field: Root Cause\n"
    )
    policy = load_policy_text(text)
    assert policy.required_fields() == [
        "Crew Lead",
        "Escalation Reason",
        "Root Cause",
        "Summary of Findings",
    ]


def test_rule_names_are_the_contract() -> None:
    contract = {
        "intake_missing_fields",
        "intake_rejected",
        "clerical_priority",
        "clerical_label",
        "clerical_channel",
        "limit_daily",
        "limit_active",
        "limit_assignee",
        "ack_overdue",
        "estimate_missing",
        "progress_overdue",
        "call_needed",
        "after_hours_page",
        "update_overdue",
        "update_next_missing",
        "eod_update_overdue",
        "sev1_setup_missing",
        "sev1_daily_update",
        "sev2_weekly_update",
        "closure_missing_fields",
        "postmortem_due",
        "weekly_digest",
    }
    assert contract <= set(RULE_NAMES)


@pytest.mark.parametrize(
    ("text", "minutes"), [("15m", 15), ("2h", 120), ("1d", 1440), ("1h30m", 90), ("1d2h", 1560)]
)
def test_durations(text: str, minutes: int) -> None:
    value = parse_duration(text)
    assert value.total_seconds() == minutes * 60
    assert parse_duration(format_duration(value)) == value


@pytest.mark.parametrize("text", ["15 minutes", "0m", "", "m", "-5m", "1w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["25:00", "12:60", "7", "noon", "24:00"])
def test_bad_local_times(text: str) -> None:
    with pytest.raises(ValueError, match="time"):
        parse_local_time(text)


def test_good_local_time() -> None:
    assert parse_local_time("16:30").isoformat() == "16:30:00"
    assert parse_local_time("7:05").isoformat() == "07:05:00"


def test_a_policy_without_a_zone_gets_the_default_zone_at_load(tmp_path: Path) -> None:
    """README: ``AGENT_TIMEZONE`` is the zone of policies without one; one that names its
    own keeps it."""
    rule = "rules:\n  - rule: pmo_notify\n"
    (tmp_path / "a.yaml").write_text(HEADER + rule)
    (tmp_path / "b.yaml").write_text(
        HEADER.replace("demo\n", "other\n", 1) + "timezone: Europe/Malta\n" + rule
    )
    without, own = load_policies(tmp_path, "America/New_York")
    assert (without.timezone, without.zone) == ("America/New_York", ZoneInfo("America/New_York"))
    assert (own.timezone, own.zone) == ("Europe/Malta", ZoneInfo("Europe/Malta"))
    assert load_policy_text(HEADER + rule).zone == ZoneInfo("UTC")


def test_agent_timezone_reaches_the_policies_the_commands_load(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEADER + "rules:\n  - rule: pmo_notify\n")
    settings = load_settings(
        {**SITE, "AGENT_RULES": str(tmp_path), "AGENT_TIMEZONE": "Asia/Kolkata"}
    )
    loaded: list[Policy] = []
    results = list(policy_checks(settings, loaded))
    assert [r.ok for r in results] == [True]
    assert [p.zone for p in loaded] == [ZoneInfo("Asia/Kolkata")]
