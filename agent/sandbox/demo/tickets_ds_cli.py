"""Demo tickets for DS escalations (DS, seed 003) and client communication (CLI, seed 004).

DS has more escalations than its limits allow (3 a day, 5 active, 1 per
assignee), one without a contact, one low-impact one to reject, and one with a
root cause but no summary of findings. CLI has tickets at every urgency, one
overdue hourly update, and closed tickets with and without their closure fields.
"""

from __future__ import annotations

from agent.sandbox.demo.jira_setup import Comment, Edit, Move, TicketSpec
from agent.sandbox.demo.timeline import days, hours, minutes

ESCALATION = "ESCALATION"

DS_TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        key="DS-1",
        ago=days(10),
        summary="Reporting API returns 502 for large billers",
        reporter="jack",
        issuetype="Bug",
        priority="Highest",
        assignee="eli",
        labels=(ESCALATION,),
        fields={
            "Escalation Reason": "Three billers cannot download month-end reports.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Crew Lead": "henry",
            "Impact Level": "High",
        },
        history=(
            Move(days(10) - hours(1), "eli", "In Progress"),
            Comment(
                days(10) - hours(1),
                "eli",
                "Channel: #ds-1-reporting-api-returns-502-for-large-billers",
            ),
            Edit(
                days(8),
                "eli",
                {"Root Cause": "Report generation exceeded the gateway's 60 s timeout."},
            ),
            Edit(
                days(8) - hours(2),
                "eli",
                {
                    "Summary of Findings": "Large reports now stream; the gateway timeout is "
                    "no longer hit. Follow-up: paginate the report API."
                },
            ),
            Move(days(7), "eli", "Done"),
        ),
    ),
    TicketSpec(
        key="DS-2",
        ago=days(4),
        summary="ACH returns not posted to payer accounts",
        reporter="jack",
        issuetype="Bug",
        priority="Highest",
        assignee="farah",
        labels=(ESCALATION,),
        fields={
            "Escalation Reason": "Payers are charged twice when a return is not posted.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Crew Lead": "grace",
            "Impact Level": "High",
        },
        history=(
            Move(days(4) - hours(2), "farah", "In Progress"),
            Comment(
                days(4) - hours(2),
                "farah",
                "Channel: #ds-2-ach-returns-not-posted-to-payer-accounts",
            ),
            Edit(
                hours(6),
                "farah",
                {"Root Cause": "The returns importer skips files with a BOM header."},
            ),
        ),
    ),
    TicketSpec(
        key="DS-3",
        ago=days(3),
        summary="Autopay not triggering for utility payers",
        reporter="jack",
        issuetype="Bug",
        priority="Highest",
        assignee="dana",
        labels=(ESCALATION,),
        fields={
            "Escalation Reason": "About 1,200 utility payers missed autopay; late fees start "
            "on Friday.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Crew Lead": "grace",
            "Impact Level": "High",
        },
        description="Autopay runs for utility billers finished with zero payments since Monday.",
        history=(
            Move(days(3) - minutes(40), "dana", "In Progress"),
            Comment(
                days(3) - minutes(35),
                "dana",
                "Channel: #ds-3-autopay-not-triggering-for-utility-payers",
            ),
            Comment(days(1), "dana", "Scheduler misses payers whose timezone field is empty."),
        ),
    ),
    TicketSpec(
        key="DS-4",
        ago=days(2),
        summary="Invoices duplicated for a municipality client",
        reporter="ines",
        issuetype="Bug",
        priority="Highest",
        assignee="eli",
        labels=(ESCALATION,),
        fields={
            "Escalation Reason": "The city council is about to send 30,000 duplicate bills.",
            "Escalation Contact": "victor",
            "Initiator": "ines",
            "Crew Lead": "henry",
            "Impact Level": "High",
        },
        history=(Move(days(2) - hours(1), "eli", "In Progress"),),
    ),
    TicketSpec(
        key="DS-5",
        ago=days(1),
        summary="Update the SDK sample for refunds",
        reporter="farah",
        priority="Low",
        assignee="farah",
    ),
    TicketSpec(
        key="DS-6",
        ago=hours(5),
        summary="Payer notifications delayed by hours",
        reporter="jack",
        issuetype="Bug",
        priority="High",
        assignee="dana",
        fields={
            "Escalation Reason": "Payers get payment confirmations 4 hours late and call support.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Crew Lead": "grace",
            "Impact Level": "Medium",
        },
    ),
    TicketSpec(
        key="DS-7",
        ago=hours(4),
        summary="Refund batch failed for two billers",
        reporter="jack",
        issuetype="Bug",
        fields={
            "Escalation Reason": "Refunds owed since last week; both billers threaten to leave.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Crew Lead": "henry",
            "Impact Level": "High",
        },
    ),
    TicketSpec(
        key="DS-8",
        ago=hours(3),
        summary="Biller dashboard export times out",
        reporter="ines",
        fields={
            "Escalation Reason": "Finance teams of 40 billers cannot reconcile.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Impact Level": "Medium",
        },
    ),
    TicketSpec(
        key="DS-9",
        ago=hours(2),
        summary="Card payments declined for one issuing bank",
        reporter="ines",
        issuetype="Bug",
        fields={
            "Escalation Reason": "All cards of one regional bank are declined since 08:00.",
            "Initiator": "ines",
            "Impact Level": "High",
        },
    ),
    TicketSpec(
        key="DS-10",
        ago=minutes(90),
        summary="One payer did not receive a notification",
        reporter="jack",
        fields={
            "Escalation Reason": "The payer is upset and asked for a manager.",
            "Escalation Contact": "jack",
            "Initiator": "ines",
            "Impact Level": "Low",
        },
    ),
)

CLI_TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        key="CLI-1",
        ago=days(8),
        summary="Password reset e-mails not sent",
        reporter="maria",
        issuetype="Incident",
        priority="Highest",
        assignee="taras",
        fields={"Project Manager": "maria"},
        history=(
            Comment(days(8) - minutes(5), "taras", "On it. Next update within the hour."),
            Move(days(8) - minutes(5), "taras", "In Progress"),
            Edit(
                days(7),
                "taras",
                {
                    "Root Cause": "The mail provider's API key expired.",
                    "Resolution Details": "Rotated the key and re-sent the queued e-mails.",
                    "Prevention": "Key expiry added to the monitoring checklist.",
                    "Impact": "About 300 users could not reset passwords for 5 hours.",
                },
            ),
            Move(days(7), "taras", "Done"),
        ),
    ),
    TicketSpec(
        key="CLI-2",
        ago=days(5),
        summary="Invoice PDF is missing the client's logo",
        reporter="maria",
        assignee="iryna",
        fields={"Project Manager": "maria"},
        history=(
            Comment(days(5) - hours(1), "iryna", "Found it; I will update you at 16:30."),
            Edit(
                days(3),
                "iryna",
                {
                    "Root Cause": "The logo URL moved to the new CDN.",
                    "Resolution Details": "Template now reads the logo from the CDN.",
                },
            ),
            Move(days(3), "iryna", "Done"),
        ),
    ),
    TicketSpec(
        key="CLI-3",
        ago=days(4),
        summary="Export button label says 'Exprot'",
        reporter="wendy",
        priority="Low",
        assignee="iryna",
        fields={"Project Manager": "wendy"},
    ),
    TicketSpec(
        key="CLI-4",
        ago=days(2),
        summary="Dashboard charts load slowly",
        reporter="maria",
        assignee="victor",
        fields={"Project Manager": "maria"},
    ),
    TicketSpec(
        key="CLI-5",
        ago=days(1),
        summary="Monthly report totals are off by one day",
        reporter="maria",
        issuetype="Bug",
        priority="High",
        assignee="taras",
        fields={"Project Manager": "maria"},
        history=(
            Move(days(1) - minutes(20), "taras", "In Progress"),
            Comment(
                days(1) - minutes(20),
                "taras",
                "On it: totals use UTC midnight instead of the client's timezone. "
                "I will update you at 16:30.",
            ),
            Comment(hours(20), "taras", "Fix in review. Next update tomorrow at 09:30."),
        ),
    ),
    TicketSpec(
        key="CLI-6",
        ago=hours(3),
        summary="Client portal: users blocked at SSO login",
        reporter="maria",
        issuetype="Incident",
        priority="Highest",
        assignee="iryna",
        fields={"Project Manager": "maria"},
        description="Every user of the client's portal gets 'invalid SAML response' at login.",
        history=(
            Move(hours(3) - minutes(5), "iryna", "In Progress"),
            Comment(
                hours(3) - minutes(5),
                "iryna",
                "On it. Reproduced with a test account; next update within the hour.",
            ),
            Comment(
                hours(2) + minutes(20),
                "iryna",
                "The identity provider rotated its signing certificate. Waiting for the new "
                "metadata from the client's IT. Next update in an hour.",
            ),
        ),
    ),
)
