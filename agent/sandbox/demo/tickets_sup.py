"""Demo tickets for operator support (SUP, seed 002): complete reports with evidence,
an incomplete one, a P1 with overdue updates, an unacknowledged report, and P1/P2
tickets resolved with and without their post-mortem fields.
"""

from __future__ import annotations

from agent.sandbox.demo.jira_setup import Attach, Comment, Edit, Move, TicketSpec
from agent.sandbox.demo.timeline import days, hours, minutes

SUP_TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        key="SUP-1",
        ago=days(6),
        summary="Settlement API times out for accumulator bets",
        reporter="nina@bundlebet.example",
        issuetype="Incident",
        priority="Highest",
        assignee="lena",
        fields={
            "Severity": "P1",
            "Product Impacted": "Settlement API",
            "Impact": "Accumulator bets stay unsettled; customers cannot cash out.",
            "Time of Occurrence": days(6) + minutes(15),
        },
        history=(
            Attach(
                days(6) - minutes(1),
                "nina@bundlebet.example",
                "settlement-timeouts.log",
                9_812,
                "text/plain",
            ),
            Comment(
                days(6) - minutes(8), "lena", "Acknowledged; looking at the settlement workers."
            ),
            Move(days(6) - minutes(8), "lena", "In Progress"),
            Edit(
                days(5) + hours(20),
                "lena",
                {
                    "Root Cause": "A slow query on the legs table after the odds archive grew.",
                    "Service Credits": "Two days of settlement fees credited.",
                },
            ),
            Move(days(5) + hours(20), "lena", "Done"),
        ),
    ),
    TicketSpec(
        key="SUP-2",
        ago=days(3),
        summary="Odds widget shows stale prices",
        reporter="nina@bundlebet.example",
        issuetype="Bug",
        priority="High",
        assignee="marco",
        fields={
            "Severity": "P2",
            "Product Impacted": "Odds widget",
            "Impact": "Prices lag the feed by up to 90 seconds on the operator's homepage.",
            "Time of Occurrence": days(3) + minutes(20),
        },
        history=(
            Attach(days(3) - minutes(2), "nina@bundlebet.example", "stale-odds.png"),
            Comment(days(3) - minutes(10), "marco", "Acknowledged, checking the widget cache."),
            Move(days(3) - minutes(10), "marco", "In Progress"),
            Comment(days(3) - minutes(40), "marco", "Cache TTL was 120 s instead of 5 s; fixed."),
            Edit(days(1) + hours(12), "marco", {"Root Cause": "A cache TTL typo in a release."}),
            Move(days(1) + hours(12), "marco", "Done"),
        ),
    ),
    TicketSpec(
        key="SUP-3",
        ago=hours(5),
        summary="Team name misspelled in Bundesliga feed",
        reporter="nina@bundlebet.example",
        priority="Low",
        assignee="marco",
        fields={"Severity": "P4"},
        history=(Comment(hours(4) + minutes(50), "marco", "Thanks Nina, we will fix the name."),),
    ),
    TicketSpec(
        key="SUP-4",
        ago=hours(2),
        summary="Scheduled feed for Bundesliga stopped updating",
        reporter="nina@bundlebet.example",
        issuetype="Incident",
        priority="Highest",
        assignee="lena",
        fields={
            "Severity": "P1",
            "Product Impacted": "Scheduled Feed for Bundesliga",
            "Impact": "Pre-match odds for 9 fixtures are frozen; trading suspended the markets.",
            "Time of Occurrence": hours(2) + minutes(10),
        },
        description="No feed updates since 10:05 CET for any Bundesliga fixture.",
        history=(
            Attach(hours(2) - minutes(1), "nina@bundlebet.example", "feed-monitor.png"),
            Comment(hours(1) + minutes(52), "lena", "Acknowledged, looking at the feed worker."),
            Move(hours(1) + minutes(52), "lena", "In Progress"),
            Comment(
                hours(1) + minutes(20),
                "lena",
                "The upstream provider changed fixture IDs overnight; remapping now.",
            ),
            Comment(
                minutes(50),
                "marco",
                "Remap deployed for 6 of 9 fixtures. Next update in 30 minutes.",
            ),
        ),
    ),
    TicketSpec(
        key="SUP-5",
        ago=hours(1),
        summary="Player stats page blank in Safari",
        reporter="nina@bundlebet.example",
        issuetype="Bug",
        fields={"Product Impacted": "Player stats widget"},
        description="Blank page on Safari 17; Chrome is fine.",
    ),
    TicketSpec(
        key="SUP-6",
        ago=minutes(20),
        summary="Live scores delayed by about two minutes",
        reporter="nina@bundlebet.example",
        issuetype="Incident",
        priority="Medium",
        description="Goal and card events reach the live-scores widget about two minutes late.",
        fields={
            "Severity": "P3",
            "Product Impacted": "Live scores",
            "Impact": "In-play markets settle late; a few customer complaints.",
            "Time of Occurrence": minutes(35),
        },
        history=(
            Attach(
                minutes(19), "nina@bundlebet.example", "scores-delay.mp4", 2_400_000, "video/mp4"
            ),
        ),
    ),
)
