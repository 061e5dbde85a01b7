"""Demo tickets for the incident (INC, seed 000) and PS escalation (PS, seed 001) procedures.

Each ticket is chosen to show one thing the agent does: a resolved incident
with its log row, one resolved without Resolution Details, a fresh critical
incident without an estimate, a Sev1 with milestones, a Sev2 that becomes Sev1,
a Sev1 missing its setup, a closed escalation without customer sign-off.
"""

from __future__ import annotations

from agent.sandbox.demo.jira_setup import Comment, Edit, Move, TicketSpec
from agent.sandbox.demo.timeline import days, hours, minutes

INC_TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        key="INC-1",
        ago=days(5) + hours(2),
        summary="Inquiry form drops attachments larger than 5 MB",
        reporter="maria",
        issuetype="Bug",
        priority="Medium",
        assignee="iryna",
        fields={"Account Manager": "sophia"},
        description="Customers report that large PDFs never arrive with the inquiry form.",
        history=(
            Move(days(5), "iryna", "In Progress"),
            Comment(
                days(4) + hours(20), "iryna", "The upload proxy caps bodies at 5 MB; raising it."
            ),
            Move(days(4) + hours(18), "iryna", "Done"),
        ),
    ),
    TicketSpec(
        key="INC-2",
        ago=days(3) + hours(2),
        summary="Checkout returns 500 for card payments",
        reporter="maria",
        issuetype="Incident",
        priority="Highest",
        assignee="taras",
        estimate="4h",
        fields={"Account Manager": "alex"},
        description=(
            "Since 09:40 every card payment at checkout fails with HTTP 500. "
            "PayPal still works. Reported by the client's support desk."
        ),
        history=(
            Comment(
                days(3) + hours(1) + minutes(58),
                "agent",
                "Critical incident: Taras Bondar (developer), Oleh Petrenko (CTO) and "
                "Alex Morgan (Account Manager) were tagged in #inc-project.",
                agent_rule="escalation_alert",
            ),
            Move(days(3) + hours(1) + minutes(50), "taras", "In Progress"),
            Comment(
                days(3) + hours(1) + minutes(40),
                "taras",
                "Reproduced: the payment provider rotated its TLS chain and our HTTP client "
                "rejects the new intermediate certificate. Estimate 4h.",
            ),
            Comment(
                days(3) + hours(1) + minutes(10),
                "taras",
                "Pinned the new intermediate certificate; deploying to staging now.",
            ),
            Comment(
                days(3) + minutes(40),
                "taras",
                "Fix is live in production; card payments succeed again. Watching error rates.",
            ),
            Edit(
                days(3) + minutes(25),
                "taras",
                {
                    "Root Cause": "The payment provider rotated its TLS certificate chain; our "
                    "client trusted only the old intermediate certificate.",
                    "Resolution Details": "Added the new intermediate to the trust store and "
                    "redeployed the checkout service.",
                },
            ),
            Move(days(3) + minutes(20), "taras", "Done"),
        ),
    ),
    TicketSpec(
        key="INC-3",
        ago=days(2),
        summary="Login page down for EU customers",
        reporter="maria",
        issuetype="Incident",
        priority="Highest",
        assignee="iryna",
        fields={"Account Manager": "wendy"},
        description="The EU login page answers 502 from the load balancer.",
        history=(
            Move(days(2) - minutes(10), "iryna", "In Progress"),
            Comment(days(2) - minutes(15), "iryna", "EU load balancer health checks fail; on it."),
            Comment(days(2) - minutes(50), "iryna", "Restarted the auth pods; login works again."),
            Edit(
                days(2) - hours(1),
                "iryna",
                {"Root Cause": "An expired service certificate on the EU auth pods."},
            ),
            Move(days(2) - hours(1), "iryna", "Done"),
        ),
    ),
    TicketSpec(
        key="INC-4",
        ago=hours(6),
        summary="Search results slow on product pages",
        reporter="iryna",
        issuetype="Bug",
        priority="High",
        assignee="victor",
        fields={"Account Manager": "alex"},
        description="p95 search latency went from 300 ms to 2.1 s after the catalogue import.",
        history=(Comment(hours(5), "iryna", "Looks like the new catalogue has no search index."),),
    ),
    TicketSpec(
        key="INC-5",
        ago=minutes(50),
        summary="Customer data export shows other tenants' rows",
        reporter="maria",
        issuetype="Incident",
        priority="Highest",
        assignee="taras",
        labels=("security",),
        fields={"Account Manager": "sophia"},
        description=(
            "A customer downloaded their monthly export and found rows belonging to another "
            "tenant. Possible data leak: treat as critical."
        ),
        history=(
            Move(minutes(45), "taras", "In Progress"),
            Comment(
                minutes(40),
                "taras",
                "Looking at the export query: a tenant filter seems to be missing after "
                "yesterday's refactor.",
            ),
            Comment(
                minutes(35),
                "agent",
                "Taras Bondar, please set a resolution estimate on INC-5 (Original estimate or "
                "Due date) so the client and leads can be told when to expect a fix.",
                agent_rule="estimate_missing",
            ),
        ),
    ),
    TicketSpec(
        key="INC-6",
        ago=minutes(12),
        summary="Payment webhook retries flood the job queue",
        reporter="oleh",
        issuetype="Incident",
        priority="Highest",
        description="Queue depth is 40k and growing; order confirmations are delayed.",
    ),
)

PS_TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        key="PS-1",
        ago=days(20),
        summary="Hooli: customer asked for an executive sponsor",
        reporter="diane",
        assignee="priya",
        fields={"Escalation Sev": "Sev1", "Escalation Severity Level": "High", "DRI": "priya"},
        history=(
            Move(days(20) - hours(1), "priya", "In Progress"),
            Comment(days(10), "priya", "Executive sponsor (Diane) met Hooli's CIO."),
            Edit(
                days(2) + minutes(5),
                "priya",
                {"Root Cause": "No executive sponsor had been named at kickoff."},
            ),
            Move(days(2), "priya", "Done"),
        ),
    ),
    TicketSpec(
        key="PS-2",
        ago=days(9),
        summary="Initech: budget trending 12% over",
        reporter="kevin",
        assignee="tom",
        labels=("sev2",),
        fields={"DRI": "tom"},
        description="Phase 3 reports took twice the estimate; the budget forecast is 12% over.",
        history=(
            Move(days(9) - hours(1), "tom", "In Progress"),
            Comment(
                days(3),
                "tom",
                "Weekly update. Path to green: re-plan phase 3 with two fewer custom reports; "
                "change order sent to the customer for approval.",
            ),
        ),
    ),
    TicketSpec(
        key="PS-3",
        ago=days(6),
        summary="Acme Corp: go-live slipped three weeks",
        reporter="diane",
        priority="High",
        assignee="priya",
        labels=("sev1",),
        fields={
            "Escalation Sev": "Sev1",
            "Escalation Severity Level": "Critical",
            "DRI": "priya",
            "Customer Impact": "Yes",
        },
        description=(
            "Acme's sponsor escalated to the account manager: go-live moved three weeks because "
            "the integration engineer left. They threaten to withhold the next payment."
        ),
        history=(
            Move(days(6) - minutes(30), "priya", "In Progress"),
            Comment(
                days(5) + hours(20),
                "priya",
                "Escalation thread started in #ps-project-leadership and pinned. Milestones are "
                "the sub-tasks.",
            ),
            Comment(days(4) + hours(16), "priya", "Daily update: resourcing meeting held."),
            Comment(days(3) + hours(16), "priya", "Daily update: candidate engineer identified."),
            Comment(days(1) + hours(16), "priya", "Daily update: engineer starts Monday."),
        ),
    ),
    TicketSpec(
        key="PS-4",
        ago=days(5) + hours(22),
        summary="Milestone: meet resourcing team and engineering leader",
        reporter="priya",
        issuetype="Sub-task",
        assignee="priya",
        parent="PS-3",
        history=(Move(days(5), "priya", "Done"),),
    ),
    TicketSpec(
        key="PS-5",
        ago=days(5) + hours(22) - minutes(1),
        summary="Milestone: identify and assign a new team member",
        reporter="priya",
        issuetype="Sub-task",
        assignee="kevin",
        parent="PS-3",
        history=(Move(days(4), "kevin", "In Progress"),),
    ),
    TicketSpec(
        key="PS-6",
        ago=days(5) + hours(22) - minutes(2),
        summary="Milestone: introduce the new team member to the customer",
        reporter="priya",
        issuetype="Sub-task",
        assignee="priya",
        parent="PS-3",
    ),
    TicketSpec(
        key="PS-7",
        ago=days(2),
        summary="Globex: integration scope dispute",
        reporter="kevin",
        assignee="tom",
        fields={"Escalation Sev": "Sev2", "DRI": "tom", "Customer Impact": "No"},
        description="Globex reads the SOW as including the ERP connector; we do not.",
        history=(
            Move(days(2) - hours(2), "tom", "In Progress"),
            Edit(hours(3), "kevin", {"Customer Impact": "Yes"}),
            Comment(hours(3), "kevin", "Globex has paused their rollout: customer impact now."),
        ),
    ),
    TicketSpec(
        key="PS-8",
        ago=hours(30),
        summary="Umbrella: data migration must be redone",
        reporter="diane",
        priority="High",
        assignee="kevin",
        labels=("sev1",),
        fields={"Escalation Sev": "Sev1"},
        description="The customer found mapping errors in 8% of migrated records.",
    ),
)
