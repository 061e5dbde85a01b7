"""The demo's parts without a sandbox: the day's schedule, effects into lines, the tally,
and the plain output a pipe gets."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import cast

import pytest

from agent.demo.journal import Effect, changed_nothing, effects_done_at, happenings
from agent.demo.output import DemoOutput, short_error
from agent.demo.runner import DemoError, run_day
from agent.demo.script import (
    DAY_END,
    END,
    NEXT_MORNING,
    START,
    STEP,
    Act,
    day_script,
    ticks,
)
from agent.demo.summary import Tally
from agent.demo.world import DemoSite
from agent.runtime.report import ActionFailure
from agent.store import MemoryStateStore
from agent.ui import make_console

NOW = datetime(2026, 12, 4, 9, 15, tzinfo=UTC)


def effect(
    key: str, kind: str, *, family: str | None = None, issue: str = "DS-6", page: str | None = None
) -> Effect:
    name = key.split(":", 1)[0]
    return Effect(NOW, "ds-ticket-escalation", family or name, name, issue, kind, key, page)


def test_the_day_is_a_friday_and_ends_the_next_morning() -> None:
    moments = list(ticks())
    assert START.strftime("%A") == "Friday" and moments[0] == START
    assert moments[-1] == END and END.date() == START.date() + timedelta(days=1)
    assert all(b - a == STEP for a, b in pairwise(moments) if b <= DAY_END)
    assert NEXT_MORNING in moments and not any(DAY_END < m < NEXT_MORNING for m in moments)
    # the evening slots the packs use are inside the day: digest 15:00, NY 17:00 = 22:00 UTC
    assert datetime(2026, 12, 4, 15, 0, tzinfo=UTC) in moments
    assert datetime(2026, 12, 4, 22, 0, tzinfo=UTC) in moments


def test_every_act_happens_between_two_cycles_in_time_order() -> None:
    acts = day_script()
    assert [a.at for a in acts] == sorted(a.at for a in acts)
    assert all(START < a.at <= DAY_END or NEXT_MORNING < a.at <= END for a in acts)
    stories = " ".join(a.story for a in acts)
    needs = ("resolves INC-5", "Customer Impact = Yes", "resolves DS-3", "evening", "follow-up")
    for needed in needs:
        assert needed in stories


def test_effects_of_one_rule_on_one_ticket_are_one_line() -> None:
    base = "clerical_channel:DS-6"
    lines = happenings(
        [
            effect(f"{base}:channel", "slack.create_channel"),
            effect(f"{base}:invite:a", "slack.invite"),
            effect(f"{base}:invite:b", "slack.invite"),
            effect(f"{base}:announce##sre-escalations", "slack.post"),
            effect("limit_daily:DS-6:release-label@x", "jira.remove_label"),
            effect("limit_daily:DS-6:release@x#jira", "jira.comment"),
        ]
    )
    assert len(lines) == 2
    channel, release = lines
    assert channel.what == "opened the escalation channel"
    assert channel.made == "1 Slack channel, 2 invites, 1 Slack message"
    assert release.released and release.what.startswith("released from the hold")


def test_repeats_and_answered_reminders_are_worded_apart() -> None:
    repeat, answered = happenings(
        [
            effect("ack_overdue:SUP-5:ack@a:repeat@b#x", "slack.post", issue="SUP-5"),
            effect("update_overdue:SUP-4:update@a#done", "slack.thread_done", issue="SUP-4"),
        ]
    )
    assert repeat.repeat and repeat.what == "nudged: not acknowledged again"
    assert not answered.repeat and answered.what.startswith("answered")


def test_tally_counts_the_headline_numbers() -> None:
    tally = Tally()
    tally.add(
        [
            effect("limit_daily:DS-7:hold-label@t", "jira.add_label"),
            effect("limit_daily:DS-7:hold@t#jira", "jira.comment", issue="DS-7"),
            effect("limit_daily:DS-7:release@t#jira", "jira.comment", issue="DS-7"),
            effect("progress_overdue:INC-5:p#dm:a", "slack.post", issue="INC-5"),
            effect("call_needed:INC-5:c#dm:a", "slack.post", issue="INC-5"),
            effect("incident_log:INC-5:row#A", "confluence.log_row", issue="INC-5", page="7"),
            effect("incident_log:INC-6:row#A", "confluence.log_row", issue="INC-6", page="7"),
            effect("incident_summary:INC-5:page", "confluence.page", issue="INC-5", page="9"),
            effect("weekly_digest:w", "slack.post", issue="policy:client-communication"),
            effect("clerical_channel:DS-6:channel", "slack.create_channel"),
        ]
    )
    counts = dict(tally.headline())
    assert counts["escalations held by a limit"] == 2  # DS-6 (label) and DS-7 (comment)
    assert counts["held escalations released"] == 1
    assert counts["nudges and reminders"] == 1
    assert counts["call requests"] == 1
    assert counts["incident-log rows"] == 2
    assert counts["pages written"] == 1
    assert tally.logs_updated == ["7"] and tally.pages_written == ["9"]
    assert counts["weekly digests"] == 1
    assert counts["escalation channels created"] == 1
    assert tally.by_kind["slack.post"] == 3
    assert tally.by_rule[("ds-ticket-escalation", "limit_daily")] == 3


FAILURE = ActionFailure(
    "severity_upgrade:PS-2:upgrade",
    "severity_upgrade",
    "jira.set_field",
    "PS-2",
    "ActionError: severity_upgrade:PS-2:upgrade: cannot set 'Escalation Sev' on PS-2",
)


def _a_day_of_output(*, verbose: bool) -> str:
    stream = io.StringIO()
    console = make_console(no_color=True, stream=stream)
    tally = Tally(cycles=1)
    tally.failed[FAILURE.key] = FAILURE
    effects = [
        effect("ack_overdue:SUP-5:ack@a:repeat@b#x", "slack.post", issue="SUP-5"),
        effect("clerical_channel:DS-6:channel", "slack.create_channel"),
    ]
    tally.add(effects)
    with DemoOutput(console, total_cycles=3, verbose=verbose) as out:
        out.clock(NOW)
        out.act(NOW, "Taras reports progress on INC-5")
        out.happened(happenings(effects))
        out.failed(NOW, FAILURE)
        out.advance()
    out.summary(tally)
    return stream.getvalue()


def test_plain_output_has_no_progress_bar_and_hides_repeats() -> None:
    text = _a_day_of_output(verbose=True)
    assert "\x1b[" not in text  # no colours, no cursor movement
    assert "Fri 09:15  people  Taras reports progress on INC-5" in text
    assert "DS-6    ds-ticket-escalation/clerical_channel: opened the escalation channel" in text
    assert "SUP-5 " not in text.split("Timeline")[1]  # a repeated reminder: counted, not listed
    assert "PS-2    failed: severity_upgrade jira.set_field: cannot set" in text
    assert "  cycles run: 1" in text
    assert short_error(FAILURE) == "cannot set 'Escalation Sev' on PS-2"


def test_the_summary_comes_first_and_the_timeline_only_with_verbose() -> None:
    """A PM reads what happened first; rule identifiers and the timeline are for --verbose."""
    verbose = _a_day_of_output(verbose=True)
    summary, timeline = verbose.index("Summary"), verbose.index("Timeline")
    assert summary < timeline
    assert summary < verbose.index("Actions by pack and rule") < timeline
    assert timeline < verbose.index("people  Taras reports progress on INC-5")
    assert timeline < verbose.index("DS-6    ds-ticket-escalation/clerical_channel")
    assert timeline < verbose.rindex("PS-2    failed: severity_upgrade")
    brief = _a_day_of_output(verbose=False)
    assert "  escalation channels created: 1" in brief and "  cycles run: 1" in brief
    assert "Still failing" in brief  # what needs a person stays in the summary
    assert "Taras reports progress" not in brief and "clerical_channel" not in brief
    assert "Actions by pack and rule" not in brief
    assert "is shown with --verbose" in brief


class _NoSite:
    """Just enough of a DemoSite for acts that fail before the first cycle."""

    ctx = None

    def set_clock(self, now: datetime) -> None:
        self.now = now


def test_an_act_that_cannot_happen_stops_the_demo_naming_it() -> None:
    def refuse(_people: object) -> None:
        raise LookupError("the demo has no Slack channel #nowhere")

    act = Act(START, "Lena posts in #nowhere", refuse)
    out = DemoOutput(make_console(no_color=True, stream=io.StringIO()), total_cycles=1)
    with pytest.raises(DemoError, match="'Lena posts in #nowhere' could not happen: the demo"):
        run_day(cast(DemoSite, _NoSite()), [act], [START], out)


def test_effects_that_changed_nothing_are_left_out_of_the_timeline() -> None:
    store = MemoryStateStore()
    refs: dict[str, dict[str, object]] = {
        "dm:DS-6:a#dm:x": {"skipped": ["victor@example.com"], "warning": "no Slack"},
        "unpin:DS-6:b": {"message": "k", "unpinned": False},
        "invite:DS-6:c": {"channel": "C1", "invited": [], "skipped": ["x@example.com"]},
        "invite:DS-6:d": {"channel": "C1", "invited": ["U1"], "skipped": ["x@example.com"]},
        "post:DS-6:e": {"channel": "C1", "ts": "1.2"},
    }
    for key, ref in refs.items():
        store.begin_effect(
            key,
            policy="p",
            rule=key.split(":", 1)[0],
            issue="DS-6",
            kind="slack.post",
            owner="me",
            now=NOW,
            claim_for=timedelta(minutes=5),
        )
        store.finish_effect(key, "me", ref, NOW)
    found = {e.key for e in effects_done_at(store, ["DS-6"], NOW)}
    assert found == {"invite:DS-6:d", "post:DS-6:e"}
    assert changed_nothing({"unpinned": False})
    assert not changed_nothing(None)
