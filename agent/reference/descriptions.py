"""Words for the policy reference where the schema has none.

The pydantic models carry types, defaults and constraints but few docstrings and
no field descriptions, so the prose lives here, next to the generator. A
``Field(description=...)`` or a docstring added to a model takes precedence over
the text below (see ``introspect.describe_field``). What each rule kind does,
and its own parameters' meaning, is declared with the kind in the catalogue
(``agent.core.rules.catalogue``).
"""

from __future__ import annotations

# Sections of a policy file, by model name and field.
FIELDS: dict[tuple[str, str], str] = {
    ("Policy", "name"): "Identifier of the policy; appears in action keys, logs and the "
    "`policy` label of the metrics. Unique across the loaded files.",
    ("Policy", "description"): "One line saying which procedure this policy enforces.",
    ("Policy", "select"): "Which tickets the policy governs.",
    ("Policy", "severity"): "Severity levels and where a ticket's level comes from; "
    "needed by any rule that uses `severities:`.",
    ("Policy", "roles"): "Role names mapped to one or more role sources. `assignee` and "
    "`reporter` exist without being declared.",
    ("Policy", "timezone"): "IANA time zone of the business calendar and of every local "
    "time (`at:`) in the rules. Left out: `AGENT_TIMEZONE` (itself `UTC` unless set).",
    ("Policy", "business_hours"): "When the procedure's people work. Outside business hours "
    "only `urgent` rules speak (or the `after_hours` contacts are used).",
    ("Policy", "holidays"): "Public holidays that are not business days.",
    ("Policy", "channels"): "The Slack channels the rules can post to.",
    ("Policy", "updates"): "What counts as a human update of a ticket, and by whom.",
    ("Policy", "after_hours"): "Who gets overdue items and alerts outside business hours, "
    "instead of the usual audience.",
    ("Policy", "fallback"): "The fallback chain: when nobody plays any role a rule's "
    "message is for (`to:`, a chain step's `to:`, a call's `participants`), the first of "
    "these roles somebody plays on the ticket is told instead, e.g. `[reporter, assignee]` "
    "after an empty `initiator`; the empty role is still reported. `[]`: no stand-in (a "
    "Jira comment is still posted, addressed to nobody; a DM waits for someone to be "
    "named). The `after_hours` contacts never fall back.",
    ("Policy", "chains"): "Named escalation chains, used by rules through `chain_ref:` "
    "or by a step's `then:`.",
    ("Policy", "rules"): "The rules to enforce; each names its identifier in `rule:`.",
    ("Select", "projects"): "Jira project keys.",
    ("Select", "issue_types"): "Issue type names; empty: any type.",
    ("Select", "priorities"): "Priority names; empty: any priority.",
    ("Select", "labels"): "The ticket carries one of these labels (or one of "
    "`fields_set` is filled).",
    ("Select", "fields_set"): "One of these Jira fields is filled (or one of `labels` is present).",
    ("Select", "jql"): "An extra JQL condition ANDed into the search.",
    ("SeveritySpec", "levels"): "Level names, most severe first.",
    ("SeveritySpec", "field"): "A Jira field whose value maps to a level (tried first).",
    ("SeveritySpec", "labels"): "Label → level (tried second).",
    ("SeveritySpec", "priority"): "Jira priority → level (tried third).",
    ("SeveritySpec", "default"): "The level when no source gives one.",
    ("FieldSeverity", "name"): "The Jira field's name.",
    ("FieldSeverity", "map"): "Field value → level.",
    ("BusinessHoursSpec", "start"): "Start of the working day (local time).",
    ("BusinessHoursSpec", "end"): "End of the working day (local time, after `start`).",
    ("BusinessHoursSpec", "weekdays"): "Working days.",
    ("HolidaySpec", "country"): "ISO 3166 alpha-2 country code known to the `holidays` "
    "library, e.g. `US`, `GB`, `DE`, `UA`.",
    ("HolidaySpec", "subdivision"): "A state or region of that country.",
    ("HolidaySpec", "extra"): "More non-working dates, `YYYY-MM-DD`.",
    ("ChannelsSpec", "escalation"): "Name template of the per-ticket escalation channel; "
    "placeholders `{number}`, `{key}`, `{project}`, `{summary}`.",
    ("ChannelsSpec", "project"): "The project's standing channel, e.g. `#ops-escalations`.",
    ("UpdatesSpec", "sources"): "Where updates are found: Jira comments, messages in the "
    "escalation channel, status changes.",
    ("UpdatesSpec", "by"): "Roles whose updates count (`any`: anyone).",
    ("AfterHoursSpec", "contacts"): "Roles contacted outside business hours.",
    ("AfterHoursSpec", "notify"): "How they are contacted.",
    ("ChainStep", "after"): "How long after the item fell due this step fires.",
    ("ChainStep", "to"): "Roles to escalate to.",
    ("ChainStep", "notify"): "Where (default `dm`).",
    ("ChainStep", "then"): "A named chain that continues after this step (its times "
    "count from this step).",
}

# Parameters every rule accepts (RuleBase) and those of repeating rules.
COMMON: dict[str, str] = {
    "name": "Distinct name for a second rule of the same kind in one policy; used in "
    "action keys instead of the identifier.",
    "to": "Roles to address; each rule has its own default (below).",
    "notify": "Where to say it; each rule has its own default (below).",
    "severities": "Apply only to tickets of these severity levels (needs `severity:`).",
    "urgent": "Speak outside business hours too (otherwise messages wait for business "
    "hours, or go to the `after_hours` contacts).",
    "template": "Use this message or page template instead of the rule's default.",
    "repeat": "While the item stays overdue, repeat the nudge in its thread this often.",
    "chain": "Escalation steps for an item that stays overdue.",
    "chain_ref": "Name of one of the policy's `chains` to append to `chain`.",
    "warn_before": "A heads-up this long before each deadline, to the audience and places "
    'the overdue nudge would have ("5m left to acknowledge SUP-12"): once per deadline, '
    "never after it, only while the item is unmet, and like a nudge only in business "
    "hours unless the rule is `urgent` (a heads-up does not wait for the morning: give "
    "an evening deadline a `warn_before` that reaches into business hours). Slack "
    "heads-ups carry the event type `escalation_agent_due_soon`.",
}

# Rule parameters: by name, unless a rule needs its own words (RULE_PARAMS).
PARAMS: dict[str, str] = {
    "fields": "Jira field names that must be filled; `evidence` means an attachment or "
    "a link, `estimate` an original estimate or a due date.",
    "within": "How long after the start (see above) the item falls due.",
    "by": "Roles whose updates count; empty: the policy's `updates.by`.",
    "at": "Local time of day, in the policy's time zone.",
    "grace": "How long after the slot the update may still come before it is overdue.",
    "window": "Only updates in this long before each slot count for it (e.g. `2h`: an "
    "end-of-day update at 16:30 is one made from 14:30); unset: any update since the "
    "slot before. An update after the slot (a late one) still meets it.",
    "weekday": "Day of the week.",
    "visibility": "`public`: only Jira comments the customer sees count as updates (on a "
    "Jira Service Management ticket, a public reply, not an internal note: JSM's "
    "`sd.public.comment` comment property, or `jsdPublic`); channel messages and status "
    "changes do not. `any`: every update of `updates.sources`.",
    "pattern": "Regular expression the update's text must match.",
    "space": "Confluence space key.",
    "title": "Page title; placeholders `{key}`, `{summary}`, `{project}`.",
    "parent": "Title of the page to create it under.",
    "max": "The limit.",
    "hold_label": "Label put on a held ticket (removed on release).",
    "field": "Jira field name.",
}

VALUE_TYPES: tuple[tuple[str, str], ...] = (
    ("duration", "`15m`, `2h`, `1d`, `1h30m` (days, hours, minutes; positive)."),
    ("time", "24-hour local time `HH:MM`, in the policy's `timezone`, e.g. `09:00`, `16:30`."),
    ("weekday", "`mon`, `tue`, `wed`, `thu`, `fri`, `sat`, `sun`."),
    (
        "role source",
        "`assignee`, `reporter`, `field:<Jira user field>`, `email:<address>` or "
        "`group:@<Slack user group>`; one source or a list.",
    ),
    (
        "role",
        "`assignee`, `reporter` or a name declared under `roles:` (`by:` also takes `any`).",
    ),
    (
        "notify target",
        "`jira` (a comment), `dm` (Slack direct message), `escalation_channel`, "
        "`project_channel`, `incident_thread` (the ticket's thread in the `slack_intake` "
        "channel: its report's, or the one the agent opened for a ticket made in Jira), a "
        "`#channel-name`, or `group:@<Slack user group>` (a direct "
        "message to each member; nobody gets the same message twice when `dm` or another "
        "group of the list already reaches them). A user group among the people of `dm` is "
        "messaged the same way.",
    ),
    ("regex", "A Python regular expression; `(?i)` makes it case-insensitive."),
)
