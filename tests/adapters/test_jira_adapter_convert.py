"""Jira JSON -> domain model, from hand-written shapes as Jira Cloud and Data Center send them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agent.adapters.jira_convert import TicketConverter, UnusableIssue, agent_marker
from agent.adapters.jira_fields import AmbiguousFieldError, FieldCatalogue, convert_value
from agent.adapters.jira_port import FieldInfo, UnknownFieldError
from agent.adapters.jira_values import (
    ValueProblem,
    adf_to_text,
    parse_jira_datetime,
    person_from_json,
)
from agent.core.model import Person

PREFIX = "com.atlassian.jira.plugin.system.customfieldtypes:"

FIELD_JSON: list[dict[str, Any]] = [
    {"id": "summary", "name": "Summary", "custom": False, "schema": {"type": "string"}},
    {"id": "description", "name": "Description", "custom": False, "schema": {"type": "string"}},
    {
        "id": "customfield_10001",
        "name": "Crew Lead",
        "custom": True,
        "schema": {"type": "user", "custom": PREFIX + "userpicker", "customId": 10001},
    },
    {
        "id": "customfield_10002",
        "name": "Impact Level",
        "custom": True,
        "schema": {"type": "option", "custom": PREFIX + "select", "customId": 10002},
    },
    {
        "id": "customfield_10003",
        "name": "Time of Occurrence",
        "custom": True,
        "schema": {"type": "datetime", "custom": PREFIX + "datetime", "customId": 10003},
    },
    {
        "id": "customfield_10004",
        "name": "Escalation Reason",
        "custom": True,
        "schema": {"type": "string", "custom": PREFIX + "textarea", "customId": 10004},
    },
    {
        "id": "customfield_10005",
        "name": "Responders",
        "custom": True,
        "schema": {
            "type": "array",
            "items": "user",
            "custom": PREFIX + "multiuserpicker",
            "customId": 10005,
        },
    },
    {
        "id": "customfield_10006",
        "name": "Story Points",
        "custom": True,
        "schema": {"type": "number", "custom": PREFIX + "float", "customId": 10006},
    },
]

CLOUD_USER = {
    "self": "https://x.atlassian.net/rest/api/2/user?accountId=5b10ac8d82e05b22cc7d4ef5",
    "accountId": "5b10ac8d82e05b22cc7d4ef5",
    "emailAddress": "mia@example.com",
    "displayName": "Mia Krystof",
    "active": True,
    "timeZone": "Australia/Sydney",
    "accountType": "atlassian",
}
CLOUD_USER_HIDDEN_EMAIL = {
    "accountId": "5b10a2844c20165700ede21g",
    "displayName": "Ana Privacy",
    "active": True,
}
DELETED_USER = {
    "accountId": "5b10a0effa615349cb016cd8",
    "displayName": "Former user",
    "active": False,
}
DC_USER = {
    "self": "https://jira.corp/rest/api/2/user?username=jsmith",
    "name": "jsmith",
    "key": "JIRAUSER10100",
    "emailAddress": "jsmith@corp.example",
    "displayName": "John Smith",
    "active": True,
}


def catalogue() -> FieldCatalogue:
    return FieldCatalogue.from_json(FIELD_JSON)


def converter() -> TicketConverter:
    cat = catalogue()
    names = ["Crew Lead", "Impact Level", "Time of Occurrence", "Escalation Reason", "Responders"]
    return TicketConverter({n: cat.resolve(n) for n in names}, "https://x.atlassian.net/")


def issue_json(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "summary": "Checkout down for EU customers",
        "status": {
            "name": "In Progress",
            "id": "3",
            "statusCategory": {"id": 4, "key": "indeterminate", "name": "In Progress"},
        },
        "issuetype": {"id": "10005", "name": "Incident", "subtask": False},
        "priority": {"id": "2", "name": "High"},
        "labels": ["escalation", "eu"],
        "assignee": CLOUD_USER,
        "reporter": CLOUD_USER_HIDDEN_EMAIL,
        "created": "2026-11-20T09:15:00.000+0100",
        "updated": "2026-11-21T17:00:30.123+0000",
        "resolution": None,
        "resolutiondate": None,
        "duedate": "2026-11-30",
        "timetracking": {"originalEstimate": "1d", "originalEstimateSeconds": 28800},
        "project": {"id": "10000", "key": "INC", "name": "Incidents"},
        "subtasks": [
            {
                "id": "10101",
                "key": "INC-8",
                "fields": {
                    "summary": "Notify customers",
                    "status": {"name": "Done", "statusCategory": {"key": "done"}},
                },
            }
        ],
        "attachment": [{"id": "1"}, {"id": "2"}],
        "issuelinks": [],
        "customfield_10001": DC_USER,
        "customfield_10002": {"self": "x", "value": "High", "id": "10011"},
        "customfield_10003": "2026-11-20T08:00:00.000-0500",
        "customfield_10004": "Customer threatened to churn",
        "customfield_10005": [CLOUD_USER, DELETED_USER],
    }
    fields.update(overrides)
    return {
        "id": "10042",
        "key": "INC-7",
        "self": "https://x/rest/api/2/issue/10042",
        "fields": fields,
    }


def test_a_full_issue_converts_every_field() -> None:
    conv = converter()
    ticket = conv.ticket(issue_json())
    assert conv.problems == []
    assert (ticket.key, ticket.id, ticket.project) == ("INC-7", "10042", "INC")
    assert ticket.summary == "Checkout down for EU customers"
    assert (ticket.status, ticket.status_category, ticket.issue_type) == (
        "In Progress",
        "indeterminate",
        "Incident",
    )
    assert ticket.created == datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
    assert ticket.updated == datetime(2026, 11, 21, 17, 0, 30, 123000, tzinfo=UTC)
    assert ticket.priority == "High"
    assert ticket.labels == frozenset({"escalation", "eu"})
    assert ticket.assignee == Person("5b10ac8d82e05b22cc7d4ef5", "Mia Krystof", "mia@example.com")
    assert ticket.reporter is not None and ticket.reporter.email is None
    assert ticket.due_date == datetime(2026, 11, 30, tzinfo=UTC)
    assert ticket.original_estimate_seconds == 28800
    assert ticket.subtasks[0].key == "INC-8" and ticket.subtasks[0].status_category == "done"
    assert (ticket.attachment_count, ticket.link_count) == (2, 0)
    assert ticket.url == "https://x.atlassian.net/browse/INC-7"
    assert ticket.fields["Crew Lead"] == Person(
        "jsmith", "John Smith", "jsmith@corp.example", active=True
    )
    assert ticket.fields["Impact Level"] == "High"
    assert ticket.fields["Time of Occurrence"] == datetime(2026, 11, 20, 13, 0, tzinfo=UTC)
    assert ticket.fields["Escalation Reason"] == "Customer threatened to churn"
    responders = ticket.fields["Responders"]
    assert [p.display_name for p in responders] == ["Mia Krystof", "Former user"]
    assert responders[1].active is False
    assert ticket.field_value("Escalation Contact") is None


def test_null_fields_become_none_without_problems() -> None:
    conv = converter()
    cleared = [
        "priority",
        "assignee",
        "reporter",
        "duedate",
        "timetracking",
        "labels",
        "subtasks",
        "attachment",
        "issuelinks",
        *(f"customfield_1000{n}" for n in range(1, 6)),
    ]
    empty = dict.fromkeys(cleared)
    ticket = conv.ticket(issue_json(**empty))
    assert conv.problems == []
    assert ticket.priority is None and ticket.assignee is None and ticket.due_date is None
    assert ticket.labels == frozenset() and ticket.subtasks == ()
    assert all(value is None for value in ticket.fields.values())


def test_odd_values_become_none_with_a_problem_note_per_field() -> None:
    conv = converter()
    ticket = conv.ticket(
        issue_json(
            priority={"id": "99"},  # a priority Jira could not name (deleted scheme entry)
            assignee={"displayName": "no id at all"},
            customfield_10002=["High"],  # a select whose type changed to multi-select
            customfield_10003="last tuesday",
            status={"name": "Limbo", "statusCategory": {"key": "undefined"}},
        )
    )
    assert ticket.priority is None
    assert ticket.assignee is None
    assert ticket.fields["Impact Level"] is None
    assert ticket.fields["Time of Occurrence"] is None
    assert ticket.status_category == "indeterminate"
    flagged = {(p.issue_key, p.field) for p in conv.problems}
    assert flagged == {
        ("INC-7", "priority"),
        ("INC-7", "assignee"),
        ("INC-7", "Impact Level"),
        ("INC-7", "Time of Occurrence"),
        ("INC-7", "status"),
    }
    assert "last tuesday" in str(next(p for p in conv.problems if p.field == "Time of Occurrence"))


def test_missing_timestamps_fall_back_or_make_the_issue_unusable() -> None:
    conv = converter()
    ticket = conv.ticket(issue_json(created=None))
    assert ticket.created == ticket.updated
    with pytest.raises(UnusableIssue, match="INC-7"):
        conv.ticket(issue_json(created=None, updated=None))
    with pytest.raises(UnusableIssue):
        conv.ticket({"id": "1", "fields": {}})


def test_v3_adf_text_fields_flatten_to_plain_text() -> None:
    doc = {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "Root cause:"}]},
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "DNS "},
                    {"type": "mention", "attrs": {"id": "abc", "text": "@Mia"}},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "expired", "marks": [{"type": "strong"}]},
                ],
            },
        ],
    }
    assert adf_to_text(doc) == "Root cause:\nDNS @Mia\nexpired"
    conv = converter()
    ticket = conv.ticket(issue_json(customfield_10004=doc))
    assert ticket.fields["Escalation Reason"] == "Root cause:\nDNS @Mia\nexpired"


def test_people_from_cloud_datacenter_and_deleted_accounts() -> None:
    assert person_from_json(CLOUD_USER).account_id == "5b10ac8d82e05b22cc7d4ef5"
    assert person_from_json(CLOUD_USER_HIDDEN_EMAIL).email is None
    assert person_from_json(DC_USER).account_id == "jsmith"
    both = {**DC_USER, "accountId": "JIRAUSER10100"}  # newer Data Center sends both
    assert person_from_json(both, datacenter=True).account_id == "jsmith"
    assert person_from_json(both).account_id == "JIRAUSER10100"
    assert person_from_json({"key": "JIRAUSER1"}).display_name == "JIRAUSER1"
    gone = person_from_json(DELETED_USER)
    assert gone.active is False and gone.display_name == "Former user"
    with pytest.raises(ValueProblem):
        person_from_json("mia@example.com")


def test_values_by_schema_type() -> None:
    cat = catalogue()
    assert convert_value(cat.resolve("Story Points"), 3) == 3.0
    assert isinstance(convert_value(cat.resolve("Story Points"), 3), float)
    with pytest.raises(ValueProblem):
        convert_value(cat.resolve("Story Points"), "three")
    with pytest.raises(ValueProblem):
        convert_value(cat.resolve("Story Points"), True)
    labels = FieldInfo("customfield_9", "Tags", True, "array", "string", PREFIX + "labels")
    assert convert_value(labels, ["a", "b"]) == ("a", "b")
    checkboxes = FieldInfo("customfield_8", "Regions", True, "array", "option")
    assert convert_value(checkboxes, [{"value": "EU"}, {"value": "US"}]) == ("EU", "US")
    unknown = FieldInfo("customfield_7", "Team", True, "team")
    assert convert_value(unknown, {"id": "t1"}) == {"id": "t1"}


def test_jira_timestamps_in_every_offset_form() -> None:
    expected = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parse_jira_datetime("2026-03-29T03:30:00.000+0200") == expected
    assert parse_jira_datetime("2026-03-29T01:30:00Z") == expected
    assert parse_jira_datetime("2026-03-29T01:30:00.000+00:00") == expected
    with pytest.raises(ValueProblem):
        parse_jira_datetime("")


def test_comments_with_the_agent_property_are_recognised() -> None:
    conv = converter()
    raw = {
        "id": "10200",
        "author": CLOUD_USER,
        "body": "Reminder: please add the root cause.",
        "created": "2026-11-21T10:00:00.000+0000",
        "properties": [
            {"key": "sd.public.comment", "value": {"internal": False}},
            {"key": "escalation-agent", "value": {"rule": "root-cause", "key": "INC-7:rc:1"}},
        ],
    }
    comment = conv.comment("INC-7", raw)
    assert comment is not None and comment.by_agent
    assert (comment.agent_rule, comment.agent_key) == ("root-cause", "INC-7:rc:1")
    human = conv.comment("INC-7", {**raw, "properties": []})
    assert human is not None and not human.by_agent
    assert agent_marker({"properties": [{"key": "escalation-agent", "value": "junk"}]}) == {}
    assert conv.comment("INC-7", {"id": "1", "created": None}) is None
    assert conv.problems[-1].field == "comment"


def test_changelog_entries_keep_field_names_and_display_strings() -> None:
    conv = converter()
    change = conv.change(
        "INC-7",
        {
            "id": "1",
            "author": DELETED_USER,
            "created": "2026-11-21T10:00:00.000+0000",
            "items": [
                {"field": "status", "fieldtype": "jira", "fromString": "To Do", "toString": "Done"},
                {
                    "field": "Crew Lead",
                    "fieldtype": "custom",
                    "fromString": None,
                    "toString": "Mia",
                },
            ],
        },
    )
    assert change is not None
    assert change.author is not None and change.author.active is False
    assert [(i.field, i.from_value, i.to_value) for i in change.items] == [
        ("status", "To Do", "Done"),
        ("Crew Lead", None, "Mia"),
    ]


def test_catalogue_resolves_names_case_insensitively_and_by_id() -> None:
    cat = catalogue()
    assert cat.resolve("crew lead").id == "customfield_10001"
    assert cat.resolve("customfield_10002").name == "Impact Level"
    assert cat.resolve("Description").custom is False


def test_unknown_field_names_are_all_listed_with_close_matches() -> None:
    cat = catalogue()
    with pytest.raises(UnknownFieldError) as caught:
        cat.resolve_all(["Crew Lead", "Crew Leed", "Impact Levle", "Zebra"])
    error = caught.value
    assert set(error.missing) == {"Crew Leed", "Impact Levle", "Zebra"}
    assert error.missing["Crew Leed"] == ("Crew Lead",)
    assert error.missing["Zebra"] == ()
    assert "did you mean: 'Impact Level'" in str(error)


def test_two_fields_with_one_name_are_ambiguous() -> None:
    duplicated = [*FIELD_JSON, {**FIELD_JSON[2], "id": "customfield_20001"}]
    cat = FieldCatalogue.from_json(duplicated)
    with pytest.raises(AmbiguousFieldError, match="customfield_10001, customfield_20001"):
        cat.resolve("Crew Lead")
    assert cat.resolve("customfield_20001").name == "Crew Lead"


def test_a_jsm_internal_note_is_not_public() -> None:
    from agent.adapters.jira_convert import is_public_comment

    internal = {"key": "sd.public.comment", "value": {"internal": True}}
    assert not is_public_comment({"id": "1", "properties": [internal]})
    assert not is_public_comment({"id": "1", "jsdPublic": False})
    assert is_public_comment({"id": "1", "jsdPublic": True, "properties": []})
    assert is_public_comment({"id": "1"})  # not a service project: every comment is public
