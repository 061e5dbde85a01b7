"""The demo's Slack conversations: the channels the packs post to (support's shared
#operator-support among them) and the DS escalation channels, with threads, mentions,
a pin and an archived channel."""

from __future__ import annotations

from agent.sandbox.demo.slack_script import BOT, SlackScript, escalation_channel
from agent.sandbox.demo.timeline import days, hours, minutes

INC = "inc-project"
PS = "ps-project-leadership"
SRE = "sre-escalations"
CLI = "cli-status"
DS1 = escalation_channel("ds", "DS-1", "Reporting API returns 502 for large billers")
DS2 = escalation_channel("ds", "DS-2", "ACH returns not posted to payer accounts")
DS3 = escalation_channel("ds", "DS-3", "Autopay not triggering for utility payers")
# The channel support and the operator agreed on (procedure 002): reports and incident threads.
SUP = "operator-support"


def script_slack(s: SlackScript) -> None:
    """Schedule every channel and message of the demo workspace."""
    _channels(s)
    _incidents(s)
    _ps(s)
    _ds(s)
    _support(s)
    _client(s)


def _channels(s: SlackScript) -> None:
    s.channel(
        days(30),
        INC,
        "maria",
        ("taras", "iryna", "oleh", "alex", "sophia", BOT),
        "Internal channel of the client web project: incidents and releases.",
    )
    s.channel(
        days(30),
        PS,
        "diane",
        ("kevin", "priya", "tom", "pmo", BOT),
        "PS escalation threads (Sev1 pinned) and daily updates.",
    )
    s.channel(
        days(30),
        SRE,
        "grace",
        ("henry", "dana", "eli", "farah", "ines", "jack", "ds-always-1", BOT),
        "Post DS tickets to escalate here, with the reason and the contact.",
    )
    s.channel(
        days(30),
        CLI,
        "maria",
        ("taras", "iryna", "alex", BOT),
        "Client tickets: status and the PM's weekly digest.",
    )


def _incidents(s: SlackScript) -> None:
    s.post(
        days(3) + hours(1) + minutes(58),
        INC,
        BOT,
        "*Critical incident INC-2*: Checkout returns 500 for card payments\n"
        "Developer @@taras, CTO @@oleh, Account Manager @@alex: please join.",
        label="inc2",
    )
    s.post(days(3) + hours(1) + minutes(41), INC, "taras", "On it, estimate 4h.", reply_to="inc2")
    s.post(
        days(3) + hours(1) + minutes(30),
        INC,
        "oleh",
        "Thanks. Updates every 30 minutes here please.",
        reply_to="inc2",
    )
    s.post(days(3) + minutes(39), INC, "taras", "*Fixed* in production.", reply_to="inc2")
    s.post(
        minutes(49),
        INC,
        BOT,
        "*Critical incident INC-5*: Customer data export shows other "
        "tenants' rows\nDeveloper @@taras, CTO @@oleh, Account Manager @@sophia: please join.",
        label="inc5",
    )
    s.post(minutes(44), INC, "taras", "Looking at it now.", reply_to="inc5")
    s.post(
        minutes(30),
        INC,
        "sophia",
        "I'll hold the customer call until we know the scope.",
        reply_to="inc5",
    )


def _ps(s: SlackScript) -> None:
    s.post(
        days(5) + hours(20),
        PS,
        "priya",
        "*Sev1 escalation PS-3*: Acme Corp go-live slipped three weeks.\n"
        "DRI: @@priya. Milestones are the sub-tasks of PS-3. Daily updates in this thread.",
        label="ps3",
    )
    s.pin(days(5) + hours(20) - minutes(1), "ps3", "priya")
    s.post(days(4) + hours(16), PS, "priya", "Resourcing meeting held.", reply_to="ps3")
    s.post(days(3) + hours(16), PS, "priya", "Candidate engineer identified.", reply_to="ps3")
    s.post(
        days(3) + hours(15), PS, "diane", "Good. Keep Acme's sponsor in the loop.", reply_to="ps3"
    )
    s.post(days(1) + hours(16), PS, "priya", "New engineer starts Monday.", reply_to="ps3")
    s.post(
        hours(2) + minutes(30),
        PS,
        "kevin",
        "Heads-up: Globex (PS-7) paused their rollout, so it has customer impact now.",
    )


def _ds(s: SlackScript) -> None:
    s.post(
        days(10) - minutes(5),
        SRE,
        "ines",
        "Escalating DS-1 (Reporting API returns 502 for large billers). Reason: three billers "
        "cannot download month-end reports. Contact: @@jack",
        label="ds1",
    )
    s.post(days(10) - minutes(30), SRE, "henry", "Ack, @@eli takes it.", reply_to="ds1")
    s.channel(
        days(10) - hours(1), DS1, "eli", ("jack", "ines", "henry", "ds-always-1", "ds-always-2")
    )
    s.post(days(8) - hours(2), DS1, "eli", "Reports now stream; closing after the billers confirm.")
    s.archive(days(7), DS1, "eli")
    s.post(
        days(4) - minutes(5),
        SRE,
        "ines",
        "Escalating DS-2 (ACH returns not posted). Payers are charged twice. Contact: @@jack",
    )
    s.channel(
        days(4) - hours(2), DS2, "farah", ("jack", "ines", "grace", "ds-always-1", "ds-always-2")
    )
    s.post(
        hours(6), DS2, "farah", "Root cause: the returns importer skips files with a BOM header."
    )
    s.post(
        days(3) - minutes(10),
        SRE,
        "ines",
        "Escalating DS-3 (Autopay not triggering for utility payers). About 1,200 payers "
        "missed autopay. Contact: @@jack",
        label="ds3",
    )
    s.post(days(3) - minutes(30), SRE, "grace", "Ack, @@dana is on it.", reply_to="ds3")
    s.channel(
        days(3) - minutes(33),
        DS3,
        "dana",
        ("jack", "ines", "grace", "ds-always-1", "ds-always-2"),
        "DS-3 escalation: all communication about the autopay issue here.",
    )
    s.post(
        days(3) - minutes(34),
        DS3,
        "dana",
        "Hi all, this is the single channel for DS-3. First findings within 2 hours.",
        label="ds3-kickoff",
    )
    s.post(
        days(3) - minutes(50),
        DS3,
        "jack",
        "Thanks Dana, I'm available all day.",
        reply_to="ds3-kickoff",
    )
    s.post(
        days(1),
        DS3,
        "dana",
        "*Finding*: the scheduler skips payers whose timezone field is empty. Fix in review.",
    )
    for ago, key, what in (
        (hours(5), "DS-6", "Payer notifications delayed by hours"),
        (hours(4), "DS-7", "Refund batch failed for two billers"),
        (hours(3), "DS-8", "Biller dashboard export times out"),
        (hours(2), "DS-9", "Card payments declined for one issuing bank"),
    ):
        s.post(ago - minutes(2), SRE, "ines", f"Escalating {key} ({what}). Contact: @@jack")


def _support(s: SlackScript) -> None:
    s.channel(
        days(30),
        SUP,
        "support-lead",
        ("nina@bundlebet.example", "lena", "marco", BOT),
        "Pre-agreed with BundleBet: report issues here; support acknowledges and updates "
        "in each incident's thread.",
    )
    # Nothing was reported here yet: SUP-4's report and updates are on the ticket (a report
    # posted here before the day would have been the agent's ticket already: it has run for
    # a month). The agent opens each open ticket's thread in its first cycle.


def _client(s: SlackScript) -> None:
    s.post(
        days(2) + hours(3),
        CLI,
        BOT,
        "*Weekly status* (open client tickets): CLI-3 Export button label, "
        "CLI-4 Dashboard charts load slowly. PM: @@maria",
    )
    s.post(hours(2) + minutes(55), CLI, "maria", "CLI-6 SSO login outage: @@iryna is on it.")
