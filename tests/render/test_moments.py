"""Moments for people: the policy's zone named, Slack date tokens with that as fallback."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agent.render.moments import NOT_SET, day_text, local_text, slack_date_token

AT = datetime(2026, 12, 4, 17, 40, tzinfo=UTC)


def test_local_text_is_in_the_zone_with_the_zone_named() -> None:
    assert local_text(AT, "Europe/Kyiv") == "Fri 4 Dec 2026, 19:40 EET"
    assert local_text("2026-12-04T17:40Z", "Europe/Berlin") == "Fri 4 Dec 2026, 18:40 CET"
    assert local_text("2026-07-04T17:40:00+00:00", "Europe/Malta") == "Sat 4 Jul 2026, 19:40 CEST"


def test_a_zone_without_a_lettered_abbreviation_is_named_in_full() -> None:
    assert local_text(AT, "Asia/Dubai") == "Fri 4 Dec 2026, 21:40 Asia/Dubai"


def test_what_is_not_a_moment_is_shown_as_it_is_and_nothing_is_not_none() -> None:
    assert local_text("next week", "UTC") == "next week"
    assert local_text(None) == NOT_SET == local_text("")


def test_slack_token_shows_each_reader_their_clock_with_the_policy_zone_as_fallback() -> None:
    token = slack_date_token(AT, "Europe/Kyiv")
    assert token == (
        f"<!date^{int(AT.timestamp())}^{{date_short_pretty}} {{time}}|Fri 4 Dec 2026, 19:40 EET>"
    )
    assert slack_date_token("soon", "UTC") == "soon"


def test_days() -> None:
    assert day_text("2026-11-30") == "30 Nov 2026"
    assert day_text(date(2026, 11, 30)) == "30 Nov 2026"
    assert day_text("2026-11-29T23:30:00+00:00", "Europe/Kyiv") == "30 Nov 2026"
