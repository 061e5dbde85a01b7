"""Channel names from a template: a corpus of hostile summaries, each checked against Slack's rules.

Every generated name is also checked with the sandbox's own validator (the
rules Slack applies to ``conversations.create``), so "valid" means the same
thing here and in the service.
"""

from __future__ import annotations

import pytest

from agent.adapters.slack_names import (
    MAX_CHANNEL_NAME,
    RESERVED_NAMES,
    channel_name,
    cut_at_word,
    is_usable,
    slugify,
    with_suffix,
)
from agent.sandbox.api_errors import SlackError
from agent.sandbox.slack.naming import validate_channel_name

TEMPLATE = "ds-{number}-{summary}"

# (summary, expected name) for ds-{number}-{summary} with number 1234
CORPUS = [
    ("Checkout fails for EU payers", "ds-1234-checkout-fails-for-eu-payers"),
    ("Café “Zürich” — Straße kaputt!", "ds-1234-cafe-zurich-strasse-kaputt"),
    ("Ünïcödé ÆØ łódź", "ds-1234-unicode-aeo-lodz"),
    ("🔥🔥 prod down 🚨", "ds-1234-prod-down"),
    ("👨‍👩‍👧 family plan ❤️ broken", "ds-1234-family-plan-broken"),
    ("!!!...???", "ds-1234"),
    ("", "ds-1234"),
    ("   ", "ds-1234"),
    ("<!channel> deploy now <@U123>", "ds-1234-channel-deploy-now-u123"),
    ("API 500s (v2.1) & timeouts", "ds-1234-api-500s-v2-1-timeouts"),
    ("a__b--c  _ d", "ds-1234-a_b-c-d"),
    ("snake_case_name", "ds-1234-snake_case_name"),
    ("customer's card", "ds-1234-customers-card"),
    ("İstanbul DNS", "ds-1234-istanbul-dns"),
    ("Ｆｕｌｌｗｉｄｔｈ ２０２４", "ds-1234-fullwidth-2024"),
    ("Tab\tand\nnewline", "ds-1234-tab-and-newline"),
    ("\u200fRTL mark\u200e inside", "ds-1234-rtl-mark-inside"),
    ("فشل الدفع للعملاء", "ds-1234-فشل-الدفع-للعملاء"),
    ("כשל בתשלום", "ds-1234-כשל-בתשלום"),
    ("支付失败", "ds-1234-支付失败"),
    ("ガギグ カード", "ds-1234-ガギグ-カード"),
    ("결제 실패", "ds-1234-결제-실패"),
    ("Привет Мир", "ds-1234-привет-мир"),
    ("Ошибка оплаты й", "ds-1234-ошибка-оплаты-й"),
    ("Число ٣ and ३", "ds-1234-число-3-and-3"),
]


@pytest.mark.parametrize(("summary", "expected"), CORPUS)
def test_corpus(summary: str, expected: str) -> None:
    name = channel_name(TEMPLATE, {"number": 1234, "summary": summary})
    assert name == expected
    assert validate_channel_name(name) == name  # Slack (the sandbox) accepts it


LONG_CASES = [
    "x" * 200,  # one unbreakable word
    "word " * 60,  # many short words
    "支付失败" * 60,  # a script without spaces
    "Checkout fails for EU payers when the 3-D Secure challenge times out " * 3,
    "🔥" * 100 + " ok",
    "a-" * 150,
]


@pytest.mark.parametrize("summary", LONG_CASES)
def test_long_summaries_fit_and_keep_the_fixed_part(summary: str) -> None:
    name = channel_name(TEMPLATE, {"number": 1234, "summary": summary})
    assert len(name) <= MAX_CHANNEL_NAME
    assert name.startswith("ds-1234")
    assert not name.endswith(("-", "_"))
    assert validate_channel_name(name) == name


def test_long_summary_is_cut_at_a_word_boundary() -> None:
    summary = "checkout fails for eu payers when the secure challenge times out " * 3
    name = channel_name(TEMPLATE, {"number": 1234, "summary": summary})
    words = set(slugify(summary).split("-"))
    assert len(name) <= MAX_CHANNEL_NAME
    assert len(name) > MAX_CHANNEL_NAME - 12  # it used the room, not just the prefix
    assert all(word in words for word in name.removeprefix("ds-1234-").split("-"))


def test_a_long_unbreakable_word_is_cut_to_fill_the_room() -> None:
    name = channel_name(TEMPLATE, {"number": 1234, "summary": "x" * 200})
    assert name == "ds-1234-" + "x" * (MAX_CHANNEL_NAME - len("ds-1234-"))


def test_summary_before_the_number_is_cut_not_the_number() -> None:
    name = channel_name("{summary}-{number}", {"summary": "long " * 40, "number": 99})
    assert name.endswith("-99")
    assert len(name) <= MAX_CHANNEL_NAME
    assert name.startswith("long-long")


def test_every_placeholder_is_cleaned() -> None:
    values = {"number": 7, "key": "OPS-7", "project": "Ops Team", "summary": "Down"}
    name = channel_name("{project}_{key}-{summary}", values)
    assert name == "ops-team_ops-7-down"


def test_template_text_is_cleaned_too() -> None:
    assert channel_name("INC {number} ({summary})", {"number": 5, "summary": "x"}) == "inc-5-x"


@pytest.mark.parametrize("summary", ["here", "channel", "everyone", "!!!", ""])
def test_reserved_or_empty_names_fall_back_to_prefix_and_number(summary: str) -> None:
    assert channel_name("{summary}", {"summary": summary, "number": 42}) == "42"


def test_a_reserved_word_inside_a_longer_name_is_fine() -> None:
    assert channel_name("sup-{summary}", {"summary": "here"}) == "sup-here"
    assert channel_name("sup-{summary}", {"summary": "!!!"}) == "sup"


def test_with_nothing_usable_the_name_is_never_empty() -> None:
    name = channel_name("{summary}", {"summary": "🔥"})
    assert name == "escalation"
    assert is_usable(name)


def test_missing_placeholder_value_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="summary"):
        channel_name(TEMPLATE, {"number": 1})


@pytest.mark.parametrize("template", ["ds-{number:>5}", "ds-{number!r}", "ds-{0}", "ds-{"])
def test_malformed_templates_are_refused(template: str) -> None:
    with pytest.raises(ValueError, match=r"template|placeholder|Single"):
        channel_name(template, {"number": 1, "0": "x"})


def test_suffixes_keep_within_80_characters() -> None:
    base = channel_name(TEMPLATE, {"number": 1234, "summary": "word " * 60})
    for number in (2, 9, 10, 123):
        named = with_suffix(base, number)
        assert named.endswith(f"-{number}")
        assert len(named) <= MAX_CHANNEL_NAME
        assert validate_channel_name(named) == named
    assert with_suffix("ds-1", 2) == "ds-1-2"
    with pytest.raises(ValueError, match="start at 2"):
        with_suffix("ds-1", 1)


def test_cut_at_word_prefers_separators() -> None:
    assert cut_at_word("abc-def-ghi", 9) == "abc-def"
    assert cut_at_word("abc-def-ghi", 7) == "abc-def"
    assert cut_at_word("abcdefghi", 4) == "abcd"
    assert cut_at_word("short", 80) == "short"


@pytest.mark.parametrize("word", sorted(RESERVED_NAMES))
def test_usable_agrees_with_slack_on_reserved_words(word: str) -> None:
    assert not is_usable(word)
    with pytest.raises(SlackError):
        validate_channel_name(word)


@pytest.mark.parametrize("name", ["Upper", "has space", "dot.name", "-", "x" * 81, ""])
def test_usable_refuses_what_slack_refuses(name: str) -> None:
    assert not is_usable(name)
    with pytest.raises(SlackError):
        validate_channel_name(name)
