"""What each built-in template says: the facts people need, in the shape the procedure asks for."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agent.core.actions import PlannedAction
from agent.core.templates import all_templates
from agent.render.environment import Renderer
from agent.render.storage_xml import NAMESPACES, parse_storage, storage_text
from tests.render.test_templates_scenarios import (
    example_context,
    planned_actions,
    with_executor_keys,
)

AC = "{" + NAMESPACES["ac"] + "}"


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def planned(template: str, issue: str | None = None, rule: str | None = None) -> PlannedAction:
    return next(
        a
        for a in planned_actions()
        if a.template == template and (issue is None or a.issue == issue)
        if rule is None or a.rule == rule
    )


def render(renderer: Renderer, name: str, context: Mapping[str, Any]) -> str:
    return renderer.render(name, context)


def headings(page: str) -> list[str]:
    root = parse_storage(page)
    return ["".join(h.itertext()) for h in root.iter("h2")]


def macro_parameter(page: str, macro: str, parameter: str) -> list[str]:
    root = parse_storage(page)
    found = []
    for element in root.iter(f"{AC}structured-macro"):
        if element.get(f"{AC}name") == macro:
            for param in element.iter(f"{AC}parameter"):
                if param.get(f"{AC}name") == parameter:
                    found.append(param.text or "")
    return found


# --- Jira comments --------------------------------------------------------------------------


def test_ds_intake_asks_the_initiator_for_the_named_fields(renderer: Renderer) -> None:
    action = planned("jira/ask_fields.j2", issue="DS-5")
    text = render(renderer, "jira/ask_fields.j2", with_executor_keys(action))
    first = text.splitlines()[0]
    assert first == (
        "Ivan Initiator: *Escalation Reason* and *Escalation Contact* are required by the "
        "procedure. Please fill them in on this ticket."
    )
    assert "Due: Mon 2 Mar 2026, 09:00 EST" in text  # the DS pack works in New York


def test_closure_fields_say_why_and_use_the_singular_for_one_field(renderer: Renderer) -> None:
    action = planned("jira/ask_fields.j2", rule="closure_missing_fields", issue="PS-3")
    text = render(renderer, "jira/ask_fields.j2", with_executor_keys(action))
    assert "*Customer Sign-off* is required now that the ticket is resolved" in text
    assert "Please fill it in" in text


def test_three_fields_are_listed_with_commas_and_a_final_and(renderer: Renderer) -> None:
    context = {**example_context("jira/ask_fields.j2"), "missing": ["A", "B", "C"]}
    text = render(renderer, "jira/ask_fields.j2", context)
    assert "*A*, *B* and *C* are required" in text


def test_held_comment_names_the_limit_and_the_label(renderer: Renderer) -> None:
    text = render(renderer, "jira/held.j2", example_context("jira/held.j2"))
    assert "the procedure allows no more than 1 escalation per assignee" in text
    assert "labelled escalation-held" in text


def test_channel_announce_posts_the_channel_name(renderer: Renderer) -> None:
    action = planned("jira/channel_announce.j2", issue="DS-100")
    text = render(renderer, "jira/channel_announce.j2", with_executor_keys(action))
    assert "#ds-100-payments-stuck-in-batch-0" in text


def test_jira_names_people_as_text_never_as_mentions(renderer: Renderer) -> None:
    context = {**example_context("jira/nudge.j2"), "people": ["[~admin]", "Zoë O'Brien"]}
    text = render(renderer, "jira/nudge.j2", context)
    assert text.startswith("\\[\\~admin\\], Zoë O'Brien: ")


# --- Slack messages -------------------------------------------------------------------------


def test_nudge_says_what_since_when_who_where_and_next_check(renderer: Renderer) -> None:
    context = {**example_context("slack/nudge.j2"), "next_check": "2026-03-02T10:45Z"}
    text = render(renderer, "slack/nudge.j2", context)
    lines = text.splitlines()
    assert lines[0].startswith("<@U0ALICE01>, gamnify-support: ")
    assert "*SUP-12 was not acknowledged within 15m of reporting.*" in lines[0]
    # a date token each reader sees in their own zone; the fallback in the policy's (Malta)
    token = "<!date^1772446500^{date_short_pretty} {time}|Mon 2 Mar 2026, 11:15 CET>"
    assert f"Due since {token} — reminder 1" in lines[1]
    assert lines[2].startswith("<https://jira.example/browse/SUP-12|SUP-12> Scheduled feed")
    assert lines[3] == (
        "Next check: <!date^1772448300^{date_short_pretty} {time}|Mon 2 Mar 2026, 11:45 CET>."
    )


def test_without_executor_keys_nobody_is_mentioned_and_the_message_still_reads(
    renderer: Renderer,
) -> None:
    context = dict(planned("slack/nudge.j2").context)
    assert "mentions" not in context
    text = render(renderer, "slack/nudge.j2", context)
    assert text.startswith(":hourglass: *")
    assert "<@" not in text


def test_a_bad_slack_id_fails_loudly_instead_of_pinging(renderer: Renderer) -> None:
    context = {**example_context("slack/alert.j2"), "mentions": ["<!channel>"]}
    with pytest.raises(ValueError, match="not a Slack user id"):
        render(renderer, "slack/alert.j2", context)


def test_thread_done_is_one_line(renderer: Renderer) -> None:
    for name in ("slack/thread_done.j2", "jira/thread_done.j2"):
        text = render(renderer, name, example_context(name))
        assert "\n" not in text and "Done" in text


def test_update_due_variants_say_what_is_expected(renderer: Renderer) -> None:
    interval = render(renderer, "slack/update_due.j2", example_context("slack/update_due.j2"))
    assert "the last one was at <!date^1772438400^" in interval
    assert "|Mon 2 Mar 2026, 10:00 EET>" in interval  # the incident pack works in Kyiv
    assert "one every 30m" in interval
    slotted = planned("slack/update_due.j2", rule="eod_update_overdue")
    text = render(renderer, "slack/update_due.j2", with_executor_keys(slotted))
    assert "needs its end-of-day (16:30) update" in text
    weekly = planned("jira/update_due.j2", rule="sev2_weekly_update")
    text = render(renderer, "jira/update_due.j2", with_executor_keys(weekly))
    assert "weekly status update with a path to green" in text


def test_stakeholder_summary_lists_milestones_and_updates(renderer: Renderer) -> None:
    text = render(
        renderer, "slack/stakeholder_summary.j2", example_context("slack/stakeholder_summary.j2")
    )
    assert "Milestones: 50% done" in text
    assert "• :white_check_mark: PS-31" in text
    assert "• :white_square: PS-32" in text
    assert "Pam PM: Met the customer; plan agreed." in text


def test_weekly_digest_lists_every_ticket(renderer: Renderer) -> None:
    context = dict(example_context("slack/weekly_digest.j2"))
    context.pop("page", None)  # the listing alone, as for a rule without a digest page
    context["tickets"] = [*context["tickets"], {**context["tickets"][0], "issue": "CLI-2"}]
    listed = len(context["tickets"])
    text = render(renderer, "slack/weekly_digest.j2", context)
    assert f"{listed} open" in text.splitlines()[0]
    assert text.count("\n• ") == listed
    table = render(renderer, "jira/weekly_digest.j2", context)
    assert table.count("\n|CLI-2|") == 1 and table.count("\n|") == listed + 1


# --- Confluence pages -----------------------------------------------------------------------


def test_log_row_is_one_row_with_the_nine_columns(renderer: Renderer) -> None:
    page = render(
        renderer,
        "confluence/incident_log_row.xml.j2",
        example_context("confluence/incident_log_row.xml.j2"),
    )
    root = parse_storage(page)
    rows = list(root)
    assert [r.tag for r in rows] == ["tr"]
    cells = ["".join(td.itertext()) for td in rows[0].iter("td")]
    assert len(cells) == 9
    assert cells[0] == "2026-03-02 10:00 EET"  # the pack's time zone, Europe/Kyiv
    assert macro_parameter(page, "jira", "key") == ["INC-7"]
    assert cells[2:4] == ["Checkout returns HTTP 502 for card payments", "critical"]
    assert cells[4] == "20m"  # the first human update, 20 minutes after it was reported
    assert cells[5:8] == ["2h", "Alice Assignee", "Expired TLS certificate on the gateway"]


def test_log_row_uses_optional_keys_when_the_executor_has_them(renderer: Renderer) -> None:
    context = {
        **example_context("confluence/incident_log_row.xml.j2"),
        "created": datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        "timezone": "Europe/Kyiv",
        "time_to_acknowledge": timedelta(minutes=12),
        "summary_page_title": "Incident summary INC-7: Checkout returns HTTP 502",
    }
    page = render(renderer, "confluence/incident_log_row.xml.j2", context)
    cells = ["".join(td.itertext()) for td in parse_storage(page).iter("td")]
    assert cells[0] == "2026-03-02 10:00 EET"
    assert cells[4] == "12 min"
    link = parse_storage(page).find(f".//{{{NAMESPACES['ri']}}}page")
    assert link is not None
    assert link.get(f"{{{NAMESPACES['ri']}}}content-title") == context["summary_page_title"]


def test_incident_summary_has_the_seed_sections(renderer: Renderer) -> None:
    name = "confluence/incident_summary.xml.j2"
    page = render(renderer, name, example_context(name))
    assert headings(page) == [
        "Overview",
        "What happened",
        "How the issue was identified",
        "Root cause",
        "Steps taken",
        "Key takeaways and recommendations",
        "Actions",  # the pack tracks follow-ups: people add tasks here
    ]
    text = storage_text(page)
    assert "Rita Reporter 2026-03-02 08:03 UTC" not in text  # time and who are separate cells
    assert "Customers report failed card payments." in text
    assert "Rolled back the gateway config." in text
    assert "Expired TLS certificate on the gateway" in text


def test_response_report_has_the_seed_sections(renderer: Renderer) -> None:
    name = "confluence/response_report.xml.j2"
    page = render(renderer, name, example_context(name))
    assert headings(page) == [
        "Incident",
        "What happened",
        "Timeline of the response",
        "Exposure and impacts",
        "Suspected root cause",
        "Resolution",
        "Mitigation and prevention",
        "Actions",
    ]
    text = storage_text(page)
    assert "Date of incident 2026-03-02 09:00 GMT" in text  # the pack's zone, Europe/London
    assert "Reporter Rita Reporter" in text
    assert "Rounding in the tax service" in text
    # what happened (no description), impact, resolution, prevention
    assert text.count("To be completed by the assignee.") == 4


def test_postmortem_status_reads_back_as_draft_and_shows_totals(renderer: Renderer) -> None:
    name = "confluence/postmortem.xml.j2"
    page = render(renderer, name, example_context(name))
    assert macro_parameter(page, "status", "title") == ["DRAFT"]
    text = storage_text(page)
    assert "Total resolution time 3h" in text
    # the generic page shows the rule's fields as facts; nothing of one procedure's own
    assert "Service Credits To be completed by the assignee." in text
    assert "Post-mortem meeting due 2026-03-04 14:00 CET" in text  # 48 h, the pack's zone
    assert "operator" not in text
    filled = {**example_context(name), "fields": {"Service Credits": 250, "Root Cause": "API"}}
    assert "Service Credits 250" in storage_text(render(renderer, name, filled))


def test_the_support_packs_postmortem_adds_its_own_sections(renderer: Renderer) -> None:
    name = "confluence/postmortem_support.xml.j2"
    assert planned(name).rule == "postmortem_due"  # the support pack names it
    page = render(renderer, name, example_context(name))
    generic = render(renderer, "confluence/postmortem.xml.j2", example_context(name))
    assert headings(page) == [*headings(generic), "Service credits", "Shared with the operator"]
    assert macro_parameter(page, "status", "title") == ["DRAFT"]
    text = storage_text(page)
    assert "Service Credits To be completed" not in text  # its own section, not a fact row
    assert "total resolution time 3h" in text
    assert "To be completed by the support lead." in text
    filled = {
        **example_context(name),
        "fields": {"Service Credits": "EUR 250", "Root Cause": "API"},
    }
    assert "EUR 250" in storage_text(render(renderer, name, filled))


def test_lessons_learned_has_the_closure_sections(renderer: Renderer) -> None:
    name = "confluence/lessons_learned.xml.j2"
    page = render(renderer, name, example_context(name))
    assert headings(page) == [
        "Escalation",
        "Final resolution",
        "Root cause",
        "What happened, week by week",
        "Lessons learned",
        "Process improvements",
        "Actions",
        "Financial impact",
    ]
    text = storage_text(page)
    assert "Customer sign-off To be completed by the DRI." in text
    assert "Milestones done 50%" in text


def test_multi_line_comments_become_paragraphs(renderer: Renderer) -> None:
    name = "confluence/response_report.xml.j2"
    context = dict(example_context(name))
    context["timeline"] = [{"at": "2026-03-02T10:00Z", "who": "Alice", "text": "one\n\ntwo\nthree"}]
    root = parse_storage(render(renderer, name, context))
    cell = root.findall(".//table")[1].findall(".//td")[2]
    assert [(p.tag, p.text) for p in cell] == [("p", "one"), ("p", "two"), ("p", "three")]


def test_list_and_empty_field_values(renderer: Renderer) -> None:
    name = "confluence/response_report.xml.j2"
    context = dict(example_context(name))
    context["fields"] = {"Impact": ["EU payers", "US payers"], "Root Cause": "", "Prevention": []}
    context["description"] = "Card payments failed."
    text = storage_text(render(renderer, name, context))
    assert "EU payers, US payers" in text
    assert text.count("To be completed by the assignee.") == 3


def test_every_built_in_template_compiles_and_every_engine_name_exists(renderer: Renderer) -> None:
    assert renderer.validate() == []
    names = set(renderer.names())
    assert all_templates() <= names
    partials = {n for n in names - all_templates() if n.rsplit("/", 1)[1].startswith("_")}
    assert names - all_templates() == partials  # only shared partials beyond the contract


def test_a_nudge_says_reply_in_this_thread_only_where_replies_count(renderer: Renderer) -> None:
    base = dict(example_context("slack/nudge.j2"))
    counted = {"comment": True, "status": False, "channel": "sup-12-feed"}
    in_channel = render(renderer, "slack/nudge.j2", {**base, "answer": counted})
    assert "To answer, reply in this thread or comment on the ticket." in in_channel
    elsewhere = {**base, "answer": counted, "reply_in_thread": False}
    text = render(renderer, "slack/nudge.j2", elsewhere)
    assert "reply in this thread" not in text
    assert "To answer, comment on the ticket or post in #sup-12-feed." in text
    no_chat = {**base, "answer": {"comment": True, "status": True, "channel": None}}
    text = render(renderer, "slack/nudge.j2", {**no_chat, "reply_in_thread": False})
    assert "To answer, comment on the ticket." in text
    jira = render(renderer, "jira/nudge.j2", {**example_context("jira/nudge.j2"), **no_chat})
    assert "To answer, comment on this ticket." in jira and "#" not in jira.split("answer")[1]


def test_a_message_elsewhere_names_the_incident_thread_where_replies_count(
    renderer: Renderer,
) -> None:
    base = {**example_context("slack/nudge.j2"), "reply_in_thread": False}
    shared = {"comment": True, "status": False, "channel": None, "thread": "operator-support"}
    text = render(renderer, "slack/nudge.j2", {**base, "answer": shared})
    assert "To answer, comment on the ticket or reply in its thread in #operator-support." in text
    only_thread = {**shared, "comment": False}
    text = render(renderer, "slack/nudge.j2", {**base, "answer": only_thread})
    assert "To answer, reply in the ticket's thread in #operator-support." in text
    jira = render(renderer, "jira/nudge.j2", {**example_context("jira/nudge.j2"), "answer": shared})
    assert "comment on this ticket or reply in its thread in #operator-support." in jira
