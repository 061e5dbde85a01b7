"""The simulated day: Friday 4 December 2026 in five teams, and the next morning.

Times are UTC (Kyiv is +2, Malta and CET +1, London +0, New York -5). The
demo seed is laid down at :data:`START`; the agent then runs every
:data:`STEP` and, between cycles, people act: they comment, resolve tickets
with their root causes, raise an incident after hours, give a Sev2 customer
impact, finish DS escalations so held ones can be released. Lena writes an
action on SUP-4's post-mortem for Marco, due that day: the agent makes it a Jira
issue, chases Marco the next morning, and ticks the task once he finishes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from agent.demo.acts import People
from agent.sandbox.demo.timeline import minutes

START = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)  # Friday 09:00 in Kyiv
DAY_END = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # after New York's 17:00 update slot
NEXT_MORNING = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)  # Saturday: the weekend in Kyiv
END = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
STEP = timedelta(minutes=15)


@dataclass(frozen=True)
class Act:
    """Something a person does at ``at`` (UTC), told in ``story``."""

    at: datetime
    story: str
    do: Callable[[People], object]


def at(hour: int, minute: int = 0, *, day: int = 4) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def ticks() -> Iterator[datetime]:
    """When the agent runs: every STEP through the day, then through the next morning."""
    for first, last in ((START, DAY_END), (NEXT_MORNING, END)):
        moment = first
        while moment <= last:
            yield moment
            moment += STEP


def _incidents() -> list[Act]:
    return [
        Act(
            at(7, 5),
            "Oleh assigns INC-6 to Iryna, Alex as account manager",
            lambda p: p.edit("INC-6", "oleh", {"assignee": "iryna", "Account Manager": "alex"}),
        ),
        Act(
            at(7, 35),
            "Taras reports progress on INC-5",
            lambda p: p.comment(
                "INC-5", "taras", "Found it: the tenant filter was dropped in the refactor."
            ),
        ),
        Act(
            at(7, 50),
            "Iryna starts on INC-6",
            lambda p: p.comment("INC-6", "iryna", "Pausing the webhook retries, draining."),
        ),
        Act(
            at(8, 20),
            "Taras reports progress on INC-5",
            lambda p: p.comment("INC-5", "taras", "Fix ready; exports regenerated for 3 tenants."),
        ),
        Act(
            at(9, 40),
            "Taras resolves INC-5 with its root cause",
            lambda p: p.resolve(
                "INC-5",
                "taras",
                {
                    "Root Cause": "A refactor dropped the tenant filter from the export query.",
                    "Resolution Details": "Restored the filter, added a test, regenerated the "
                    "affected exports and told the customer.",
                },
            ),
        ),
        Act(
            at(11, 10),
            "Iryna resolves INC-6 without resolution details",
            lambda p: p.resolve(
                "INC-6", "iryna", {"Root Cause": "Webhook retries had no backoff."}
            ),
        ),
        Act(
            at(12, 5),
            "Iryna adds the resolution details to INC-6",
            lambda p: p.edit(
                "INC-6",
                "iryna",
                {"Resolution Details": "Exponential backoff and a dead-letter queue."},
            ),
        ),
        Act(
            at(17, 10),
            "Maria raises a critical incident in the evening (INC-7)",
            lambda p: p.raise_ticket(
                "INC",
                "maria",
                "Mobile app crashes at launch for Android 15",
                {"assignee": "taras", "Account Manager": "sophia"},
                issuetype="Incident",
                priority="Highest",
                description="Crash reports spiked after this evening's release.",
            ),
        ),
        Act(
            at(17, 40),
            "Taras reports progress on INC-7",
            lambda p: p.comment("INC-7", "taras", "Rolling back the release in the store."),
        ),
        Act(
            at(19, 5),
            "Taras resolves INC-7 with its root cause",
            lambda p: p.resolve(
                "INC-7",
                "taras",
                {
                    "Root Cause": "A new permission prompt crashed on Android 15.",
                    "Resolution Details": "Rolled back to the previous release; fix next week.",
                },
            ),
        ),
    ]


def _take_sup6(p: People) -> None:
    p.edit("SUP-6", "support-lead", {"assignee": "marco"})
    p.comment("SUP-6", "marco", "Acknowledged, checking the scores pipeline.")


def _complete_sup5(p: People) -> None:
    p.edit(
        "SUP-5",
        "nina@bundlebet.example",
        {
            "Severity": "P3",
            "Impact": "Safari users (12%) see no player stats.",
            "Time of Occurrence": minutes(180),
        },
    )
    p.edit("SUP-5", "support-lead", {"assignee": "lena"})
    p.comment("SUP-5", "lena", "Acknowledged. Screenshot: https://files.example/s5.png")


def _take_sup8(p: People) -> None:
    p.edit("SUP-8", "support-lead", {"assignee": "marco"})
    p.reply_in_thread("SUP-8", "marco", "Acknowledged, P2 agreed; checking the scores provider.")


def _support() -> list[Act]:
    return [
        Act(
            at(7, 10),
            "Sam assigns SUP-6 to Marco, who acknowledges",
            _take_sup6,
        ),
        Act(
            at(7, 25),
            "Lena updates SUP-4 in its thread in #operator-support",
            lambda p: p.reply_in_thread(
                "SUP-4", "lena", "Remapped 8 of 9 fixtures; the last one needs the provider."
            ),
        ),
        Act(
            at(8, 5),
            "Nina completes SUP-5; Lena takes it",
            _complete_sup5,
        ),
        Act(
            at(8, 40),
            "Marco fixes the team name (SUP-3)",
            lambda p: p.resolve("SUP-3", "marco"),
        ),
        Act(
            at(9, 20),
            "Lena resolves the P1 SUP-4 with root cause and credits",
            lambda p: p.resolve(
                "SUP-4",
                "lena",
                {
                    "Root Cause": "The provider renumbered fixtures without notice.",
                    "Service Credits": "One day of feed fees.",
                },
            ),
        ),
        Act(
            at(10, 5),
            "Lena adds an action for Marco, due today, to SUP-4's post-mortem",
            lambda p: p.add_task(
                "SUP-4",
                "lena",
                "Ask the provider to announce fixture renumbering a day ahead",
                "marco",
                date(2026, 12, 4),
            ),
        ),
        Act(
            at(7, 20, day=5),
            "Marco finishes SUP-4's follow-up with the provider",
            lambda p: p.finish_followup("SUP-4", "marco"),
        ),
        Act(
            at(10, 30),
            "Marco resolves SUP-6",
            lambda p: p.resolve("SUP-6", "marco"),
        ),
        Act(
            at(12, 10),
            "Nina reports live scores delayed in #operator-support (it becomes SUP-8)",
            lambda p: p.say(
                "operator-support",
                "nina@bundlebet.example",
                "Live scores for Serie A delayed by 3 minutes\n"
                "Product Impacted: Live scores feed\n"
                "Impact: in-play markets priced on stale scores\n"
                "Severity: P2",
            ),
        ),
        Act(
            at(12, 35),
            "Sam assigns SUP-8 to Marco, who acknowledges in its thread, late",
            _take_sup8,
        ),
        Act(
            at(13, 30),
            "Marco resolves SUP-8 with root cause and credits",
            lambda p: p.resolve(
                "SUP-8",
                "marco",
                {
                    "Root Cause": "The scores provider throttled our account after a key rotation.",
                    "Service Credits": "Half a day of live-scores fees.",
                },
            ),
        ),
        Act(
            at(11, 40),
            "Lena resolves SUP-5 (a Safari-only CSS bug)",
            lambda p: p.resolve("SUP-5", "lena"),
        ),
    ]


def _ps() -> list[Act]:
    return [
        Act(
            at(14, 30),
            "Kevin sets Customer Impact = Yes on the Sev2 PS-2",
            lambda p: p.edit("PS-2", "kevin", {"Customer Impact": "Yes"}),
        ),
        Act(
            at(15, 20),
            "Diane names a DRI and a severity level for PS-8",
            lambda p: p.edit(
                "PS-8", "diane", {"DRI": "kevin", "Escalation Severity Level": "High"}
            ),
        ),
        Act(
            at(21, 40),
            "Priya posts the daily update on PS-3",
            lambda p: p.comment("PS-3", "priya", "Daily update: new engineer onboarded."),
        ),
    ]


def _ds() -> list[Act]:
    return [
        Act(
            at(14, 10),
            "Ines names a contact for DS-9",
            lambda p: p.edit("DS-9", "ines", {"Escalation Contact": "jack"}),
        ),
        Act(
            at(14, 40),
            "Farah writes DS-2's findings and resolves it",
            lambda p: p.resolve(
                "DS-2",
                "farah",
                {"Summary of Findings": "BOM-prefixed files are now parsed; 212 returns posted."},
            ),
        ),
        Act(
            at(16, 15),
            "Dana resolves DS-3",
            lambda p: p.resolve(
                "DS-3",
                "dana",
                {
                    "Root Cause": "Payers without a timezone were skipped by the scheduler.",
                    "Summary of Findings": "Defaulted the timezone; autopay re-run for 1,214.",
                },
            ),
        ),
    ]


def _client() -> list[Act]:
    return [
        Act(
            at(8, 0),
            "Iryna updates CLI-6",
            lambda p: p.comment(
                "CLI-6", "iryna", "New metadata received; testing. Next update at 09:00."
            ),
        ),
        Act(
            at(13, 20),
            "Iryna resolves CLI-6 with cause, resolution and prevention",
            lambda p: p.resolve(
                "CLI-6",
                "iryna",
                {
                    "Root Cause": "The identity provider rotated its signing certificate.",
                    "Resolution Details": "Loaded the new metadata; logins work again.",
                    "Prevention": "Subscribe to the IdP's certificate rotation notices.",
                    "Impact": "No user of the portal could log in for about 6 hours.",
                },
            ),
        ),
    ]


def day_script() -> list[Act]:
    """Every act of the day, in time order."""
    acts = [*_incidents(), *_support(), *_ps(), *_ds(), *_client()]
    return sorted(acts, key=lambda act: act.at)
