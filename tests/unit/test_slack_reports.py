"""Reading a report made in Slack (procedure 002's items) and the label tying it to a ticket."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from agent.core.model import ChatMessage
from agent.core.slack_reports import (
    REPORT_ITEMS,
    SlackThread,
    is_report,
    plain_text,
    read_report,
    report_label,
    report_thread,
    reported_at,
)
from tests.unit.factories import ticket, utc

FULL = """Odds feed for Bundesliga stopped updating
Product Impacted: Scheduled Feed for Bundliga
Description: no odds changes since the kick-off of the 15:30 games
Impact: *all* in-play markets are suspended
Severity: P1
Timestamp: 15:32 CET
Logs: <https://logs.example/abc|trace>"""


def test_a_complete_report_lacks_nothing() -> None:
    report = read_report(FULL)
    assert report.summary == "Odds feed for Bundesliga stopped updating"
    assert report.severity == "P1"
    assert report.missing == ()
    assert "Impact: *all* in-play markets are suspended" in report.description
    assert "trace (https://logs.example/abc)" in report.description


def test_a_one_liner_lacks_everything_but_its_title() -> None:
    report = read_report("Feed is down!!")
    assert report.summary == "Feed is down!!"
    assert report.description == "" and report.severity is None
    assert report.missing == tuple(item for item in REPORT_ITEMS if item != "title")


def test_free_text_counts_as_description_and_a_clock_time_as_the_time() -> None:
    text = "Login fails\nSince 09:10 nobody can log in, looks like P2"
    report = read_report(text, has_files=True)
    assert report.severity == "P2"
    assert report.missing == ("product impacted", "impact")


def test_policy_levels_are_recognised_and_the_first_named_wins() -> None:
    assert read_report("x\nthis is a sev2, maybe sev1", levels=["Sev1", "Sev2"]).severity == "Sev2"
    assert read_report("x\nP3 not P1").severity == "P3"
    assert read_report("x\nSP1 and P12 are not severities").severity is None


def test_a_title_label_on_the_first_line_is_dropped_and_long_titles_cut() -> None:
    assert read_report("*Title:* Payments slow").summary == "Payments slow"
    assert len(read_report("A" * 400).summary) == 255


def test_wanted_items_limit_what_is_asked() -> None:
    assert read_report("x", wanted=["impact", "severity"]).missing == ("impact", "severity")


def test_slack_markup_becomes_plain_text() -> None:
    text = "<@U123> &lt;b&gt; &amp; <#C9|ops> <!here> <https://a.example|a> <https://b.example>"
    assert plain_text(text) == "@U123 <b> & #ops @here a (https://a.example) https://b.example"


def message(**extra: object) -> ChatMessage:
    base = ChatMessage("C0OPS", "1772445600.000100", "U1", "Feed down", utc(2026, 3, 2, 10))
    return replace(base, **extra)  # type: ignore[arg-type]


def test_only_top_level_messages_of_people_are_reports() -> None:
    assert is_report(message(), "UBOT")
    assert is_report(message(thread_ts="1772445600.000100"), "UBOT")  # a parent names itself
    assert not is_report(message(thread_ts="1772445000.000001"), "UBOT")  # a reply
    assert not is_report(message(user_slack_id="UBOT"), "UBOT")
    assert not is_report(message(user_slack_id=None), "UBOT")
    assert not is_report(message(text="  "), "UBOT")
    assert is_report(message(text="", has_files=True), "UBOT")


def test_the_label_ties_a_ticket_to_its_message_and_time() -> None:
    thread = SlackThread("C0OPS", "1772445600.000100")
    label = report_label(thread)
    assert label == "slack-report-C0OPS-1772445600.000100"
    made = ticket(created=utc(2026, 3, 2, 10, 1), labels=frozenset({"x", label}))
    assert report_thread(made) == thread
    assert reported_at(made) == utc(2026, 3, 2, 10) + timedelta(microseconds=100)
    plain = ticket(created=utc(2026, 3, 2, 10, 1))
    assert report_thread(plain) is None and reported_at(plain) == plain.created
    assert report_thread(ticket(labels=frozenset({"slack-report-bad"}))) is None


def test_a_label_needs_a_channel_id_and_a_ts() -> None:
    with pytest.raises(ValueError, match="not a Slack channel id"):
        report_label(SlackThread("#ops", "1.1"))
