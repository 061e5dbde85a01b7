"""Words for the rule reference where the schema has none.

The pydantic models carry types, defaults and constraints but few docstrings and
no field descriptions, so the prose lives here, next to the generator. A
``Field(description=...)`` or a docstring added to a model takes precedence over
the text below (see ``introspect.describe_field``). The default audiences and
channels restate what the handlers in ``agent/core/rules`` do when a rule names
no ``to:`` / ``notify:``.
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
    "time (`at:`) in the rules.",
    ("Policy", "business_hours"): "When the procedure's people work. Outside business hours "
    "only `urgent` rules speak (or the `after_hours` contacts are used).",
    ("Policy", "holidays"): "Public holidays that are not business days.",
    ("Policy", "channels"): "The Slack channels the rules can post to.",
    ("Policy", "updates"): "What counts as a human update of a ticket, and by whom.",
    ("Policy", "after_hours"): "Who gets overdue items and alerts outside business hours, "
    "instead of the usual audience.",
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
}

# Rule parameters: by name, unless a rule needs its own words (RULE_PARAMS).
PARAMS: dict[str, str] = {
    "fields": "Jira field names that must be filled; `evidence` means an attachment or "
    "a link, `estimate` an original estimate or a due date.",
    "within": "How long after the start (see above) the item falls due.",
    "by": "Roles whose updates count; empty: the policy's `updates.by`.",
    "at": "Local time of day, in the policy's time zone.",
    "grace": "How long after the slot the update may still come before it is overdue.",
    "weekday": "Day of the week.",
    "pattern": "Regular expression the update's text must match.",
    "space": "Confluence space key.",
    "title": "Page title; placeholders `{key}`, `{summary}`, `{project}`.",
    "parent": "Title of the page to create it under.",
    "max": "The limit.",
    "hold_label": "Label put on a held ticket (removed on release).",
    "field": "Jira field name.",
}

RULE_PARAMS: dict[tuple[str, str], str] = {
    ("intake_missing_fields", "within"): "Time after creation to fill them; unset: at once.",
    ("intake_rejected", "values"): "Values of `field` that are not acceptable.",
    ("intake_rejected", "remove_label"): "Label to remove from a rejected ticket (e.g. "
    "the one that made it an escalation).",
    ("clerical_priority", "priority"): "The priority escalations must have.",
    ("clerical_label", "label"): "The label escalations must carry.",
    ("clerical_channel", "invite"): "Roles invited to the channel.",
    ("clerical_channel", "always_include"): "People or user groups invited to every "
    "escalation channel (`email:` or `group:` sources).",
    ("clerical_channel", "announce_on_ticket"): "Post the channel on the Jira ticket.",
    ("clerical_channel", "announce_in"): "Also announce the new channel here.",
    ("clerical_channel", "archived"): "When the ticket's channel is archived (Slack removes "
    "everyone from it, the bot too): `replace` it with a successor under the next free "
    "suffix (`-2`, `-3`...) with the same people invited, linked on the ticket, and a line "
    "saying which channel it replaces; `unarchive` first asks Slack to unarchive it, which "
    "a bot token cannot do, then does the same.",
    ("limit_daily", "max"): "New escalations admitted per local day.",
    ("limit_active", "max"): "Open escalations admitted at once.",
    ("limit_assignee", "max"): "Open escalations admitted per assignee.",
    ("ack_overdue", "within"): "Time after creation to acknowledge.",
    ("ack_overdue", "by"): "Roles whose update counts as the acknowledgement; empty: the "
    "policy's `updates.by`.",
    ("estimate_missing", "within"): "Time after creation to give an estimate; unset: at once.",
    ("progress_overdue", "within"): "Longest time without progress.",
    ("call_needed", "after"): "Time without progress after which a call is needed.",
    ("call_needed", "by"): "Roles whose updates count as progress.",
    ("call_needed", "participants"): "Roles invited to the call (tagged in the message).",
    ("escalation_alert", "mention"): "Roles tagged in the alert; empty: the assignee.",
    ("escalation_alert", "pin"): "Pin the alert in the channel; unpinned on resolution.",
    ("update_overdue", "every"): "Interval between updates (give `every` or `at`).",
    ("update_overdue", "at"): "Local times at which an update is due each business day.",
    ("update_overdue", "grace"): "With `at`: how long after each time the update may come.",
    ("update_overdue", "clock"): "With `every`: count wall-clock time or business time only.",
    ("update_next_missing", "pattern"): "Regular expression that finds the promise of "
    "the next update in the latest update's text.",
    ("sev1_setup_missing", "within"): "Time after the ticket reached its severity.",
    ("sev1_setup_missing", "milestones"): "Also require at least one sub-task (milestone).",
    ("sev2_weekly_update", "pattern"): "Regular expression the weekly update must match "
    "(e.g. a path to green); unset: any update.",
    ("severity_upgrade", "field"): "Jira field to look at.",
    ("severity_upgrade", "equals"): "Value of `field` that triggers the upgrade.",
    ("severity_upgrade", "from_level"): "The level being upgraded.",
    ("severity_upgrade", "to_level"): "The level it becomes.",
    ("severity_upgrade", "set_field"): "Jira field set to `to_level` (e.g. the severity field).",
    ("severity_upgrade", "add_label"): "Label added to the upgraded ticket.",
    ("closure_missing_fields", "after_field"): "Require the fields once this field is "
    "filled (e.g. Root Cause) instead of at resolution.",
    ("closure_missing_fields", "within"): "Time after the trigger to fill them; unset: at once.",
    ("postmortem_due", "within"): "Time after resolution to complete the post-mortem.",
    ("postmortem_due", "fields"): "Fields shown on the page and required by `within`.",
    ("postmortem_due", "space"): "Confluence space of the post-mortem page.",
    ("incident_log", "space"): "Confluence space of the log pages.",
    ("incident_log", "pages"): "Titles of the log pages; `{project}` is replaced.",
    ("incident_log", "fields"): "Jira fields copied into the row.",
    ("incident_log", "columns"): "Header row of a new log page's table, one title per "
    "cell of the row template (change it with `template:`). Existing tables keep theirs.",
    ("postmortem_due", "done_status"): "Titles of the page's status lozenge that mean the "
    "post-mortem is done (e.g. DONE, COMPLETE, APPROVED; any case); the obligation is "
    "met when the page says so or the `fields` are filled.",
    ("postmortem_due", "title"): "Page title; placeholders `{key}`, `{summary}`.",
    ("weekly_digest", "space"): "Confluence space of the weekly digest page; unset: no page, "
    "only the message listing the open tickets.",
    ("weekly_digest", "title"): "Digest page title; placeholders `{policy}` and `{week}` (the "
    "ISO week, e.g. `2026-W47`), so each week's page has its own stable title.",
    ("weekly_digest", "parent"): "Title of the page to create the digest pages under; "
    "unset: the space's home page.",
    ("incident_summary", "fields"): "Jira fields shown on the page.",
    ("response_report", "fields"): "Jira fields shown on the page.",
    ("lessons_learned", "fields"): "Jira fields shown on the page.",
    ("pm_watcher", "role"): "The role (e.g. the project manager) added as a watcher.",
    ("followups", "page"): "The page rule whose page holds the Actions task list; unset: "
    "the policy's first page rule (post-mortem, summary, lessons learned, response report).",
    ("followups", "project"): "Jira project of the follow-up issues; unset: the escalation's.",
    ("followups", "issue_type"): "Issue type of the follow-up issues.",
    ("followups", "labels"): "Labels on every follow-up issue.",
    ("followups", "link_type"): "Issue link type from each follow-up to the escalation.",
    ("followups", "due_days"): "Business days after resolution a task without a date is due, "
    "per severity (e.g. `{P1: 5, P2: 10}`).",
    ("followups", "default_due_days"): "Business days for severities `due_days` does not name.",
    ("followup_overdue", "warn_before"): "A heads-up this long before a follow-up is due; "
    "unset: none.",
    ("slack_intake", "channel"): "The Slack channel the parties agreed on, `#name`; the bot "
    "must be in it (a public one it joins).",
    ("slack_intake", "project"): "The Jira project the tickets are made in.",
    ("slack_intake", "issue_type"): "The issue type of the tickets.",
    ("slack_intake", "labels"): "Labels put on every ticket made from a report (besides the "
    "report's own `slack-report-<channel id>-<ts>`, which finds it again).",
    ("slack_intake", "ask_for"): "The report items asked for in the thread when the "
    "report lacks them: `title`, `product impacted`, `description`, `impact`, `severity`, "
    "`time`, `evidence` (procedure 002's list).",
    ("slack_intake", "lookback"): "How far back each cycle reads the channel for reports "
    "(never before the policy's first contact).",
    ("slack_intake", "copy_replies"): "Copy each reply in a report's thread to its ticket, "
    "once, as a comment marked as a copy.",
}

# What each rule enforces and, when it names no to:/notify:, whom it tells and where.
RULES: dict[str, str] = {
    "slack_intake": "Operators report in one shared Slack channel. A top-level message a "
    "person (not the bot) posts there becomes a ticket in `project`: summary from its first "
    "line, description from the rest, reporter matched by email or `AGENT_USER_MAP` (else "
    "the agent), the severity field (or priority) set when the text names a level or "
    "P1-P4. The ticket's key and link are replied in the message's thread, with the report "
    "items still missing. The message's time is the report's time (`ack_overdue`, "
    "`update_overdue` count from it), the thread is the incident's (`incident_thread`; its "
    "replies are messages of the ticket), and each reply is copied to the ticket once. "
    "Replies, joins and the bot's own messages are no reports; messages from before the "
    "policy's first contact are history. A ticket carries the label "
    "`slack-report-<channel id>-<ts>`, searched for by JQL before creating, so neither a "
    "crash nor a lost state makes a second one (JQL cannot search issue properties an app "
    "does not index). Each cycle reads the channel's history once and only the threads "
    "with replies (Tier 3 methods).",
    "intake_missing_fields": "A new escalation must carry the fields the procedure needs. "
    "While any is empty after `within`, the reporter is asked for the missing ones "
    "(default: reporter, on the Jira ticket).",
    "intake_rejected": "Some field values make a ticket unacceptable as an escalation. "
    "The reporter is told once why (default: reporter, on the Jira ticket), an optional "
    "label is removed, and no per-ticket rule other than the intake rules acts on it.",
    "clerical_priority": "Escalations have the priority the procedure names: the agent "
    "sets it on open tickets that differ.",
    "clerical_label": "Escalations carry the procedure's label: the agent adds it.",
    "clerical_channel": "Each escalation gets its own public Slack channel, named by "
    "`channels.escalation`: the agent creates it, posts and pins the ticket (link, "
    "summary, severity, assignee) in it, invites the roles and fixed members (a user "
    "group as its members; whoever has no Slack account is named once in the channel), "
    "and announces it on the ticket as a comment and a link (and optionally elsewhere).",
    "limit_daily": "At most `max` new escalations are admitted per local day; later ones "
    "are held (labelled and told on the ticket) and released in arrival order.",
    "limit_active": "At most `max` escalations are open at once; the rest are held and "
    "released in arrival order as others close.",
    "limit_assignee": "At most `max` open escalations per assignee; more are held until "
    "that assignee has room.",
    "ack_overdue": "An escalation is acknowledged within `within` of being raised: an "
    "update by the `by` roles. Otherwise the assignee is nudged (default: assignee, in "
    "the escalation channel).",
    "estimate_missing": "An escalation gets a resolution estimate (original estimate or due "
    "date) within `within` (default: assignee, on Jira and by DM).",
    "progress_overdue": "Progress at least every `within`: an update by `by`, or a "
    "(re)assignment (default: assignee, in the project channel and by DM).",
    "call_needed": "After `after` without progress, a call with the `participants` is "
    "asked for, once per stall (default channel: the project channel).",
    "after_hours_page": "A ticket raised outside business hours pages the `after_hours` "
    "contacts at once (or `to:`), by their `after_hours.notify` (default DM).",
    "escalation_alert": "When a ticket becomes an escalation, the people the procedure "
    "names are tagged (default: the assignee, in the project channel); optionally pinned.",
    "update_overdue": "Updates come every `every` (wall-clock or business time) or at the "
    "local times `at` each business day (default: assignee, in the escalation channel).",
    "update_next_missing": "The latest update says when the next one comes (matches "
    "`pattern`); if not, the assignee is asked to say it (default: assignee, by DM).",
    "eod_update_overdue": "An end-of-day update by `at` (plus `grace`) each business day "
    "(default: assignee, in the escalation channel).",
    "sev1_setup_missing": "Within `within` of reaching its severity, a ticket has the "
    "`fields` and, with `milestones`, sub-tasks (default: assignee, on Jira and by DM).",
    "sev1_daily_update": "A daily status update by `at` (plus `grace`) each business day "
    "(default: assignee, in the escalation channel).",
    "sev2_weekly_update": "A weekly status update by `weekday` `at`, matching `pattern` "
    "when given (default: assignee, in the escalation channel).",
    "severity_upgrade": "A ticket at `from_level` whose `field` equals `equals` becomes "
    "`to_level`: the agent sets `set_field` / adds `add_label` and tells the assignee "
    "(default: on the Jira ticket).",
    "closure_missing_fields": "Fields required at resolution, or once `after_field` is "
    "filled, within `within` (default: assignee, on Jira and by DM). Items stay open "
    "after the ticket closes.",
    "postmortem_due": "On resolution the agent drafts a post-mortem page in `space` with "
    "the resolution time and links it from the ticket; within `within` its `fields` must "
    "be filled or its status lozenge set to a `done_status` (default: assignee, on Jira "
    "and by DM).",
    "incident_summary": "On resolution the agent writes an incident summary page in `space` "
    "and links it from the ticket; it refreshes the page when `fields` change later, "
    "unless a person edited it.",
    "response_report": "On resolution the agent writes an incident response report page "
    "in `space` and links it from the ticket; it refreshes the page when `fields` change "
    "later, unless a person edited it.",
    "lessons_learned": "On resolution the agent writes a lessons-learned page in `space` "
    "and links it from the ticket; it refreshes the page when `fields` change later, "
    "unless a person edited it.",
    "incident_log": "On resolution the agent adds one row per resolved incident to each "
    "log page in `pages` (a missing page is created with a `columns` header row). A log "
    "rolls over: incidents resolved in a later year than the page was created go to "
    "`<title> <year>`, and a page that would pass 1,000 rows or Confluence's 5 MB request "
    "limit continues on `<title> (2)`; each new page is linked from the one before it.",
    "pmo_notify": "On resolution the `to` roles are told to put the ticket on the PM "
    "call's agenda (default: by DM).",
    "pm_watcher": "The `role` (e.g. the project manager) watches every ticket: the agent "
    "adds them as a Jira watcher.",
    "stakeholder_summary": "Each week at `weekday` `at`, while open, a stakeholder summary "
    "with the week's updates and milestone progress (default: in the escalation channel).",
    "followups": "Each task a person adds to the Actions task list of the escalation's "
    "post-incident page becomes one Jira issue (in `project`, of `issue_type`, with `labels`, "
    "linked to the escalation by `link_type`), assigned to the person the task mentions "
    "(else the escalation's assignee) and due on the task's date (else `due_days` business "
    "days after resolution); the task then shows the issue. Resolving the issue completes "
    "the task; ticking the task comments on the issue. A deleted task leaves its issue "
    "alone and says so once on it. Each issue carries the page and task in its "
    "`escalation-agent-followup` property, so no task makes two issues. A task as a person "
    "pastes it in the page's storage format (Cloud mentions by `ri:account-id`, Data Center "
    "by `ri:userkey`): `<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>"
    "incomplete</ac:task-status><ac:task-body>Add an alert on queue depth <ac:link><ri:user "
    'ri:account-id="5b10ac8d82e05b22cc7d4ef5"/></ac:link> <time datetime="2026-03-20"/>'
    "</ac:task-body></ac:task></ac:task-list>`.",
    "followup_overdue": "A follow-up past its due date nudges its assignee (default: by DM), "
    "repeating and climbing the chain in business time; `warn_before` adds a heads-up.",
    "weekly_digest": "Each week at `weekday` `at`, one digest of all open tickets of the "
    "policy (default: in the project channel). With `space`, also a Confluence page for "
    "the week: escalations opened, open and closed per project and severity, SLA breaches "
    "by rule, mean time to acknowledge and to resolve per severity, and a chart of the "
    "last 12 weeks; the message then announces the page with the week's counts.",
}

# Families of rules, in the order the reference lists them.
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("intake", "Intake", "Is the report complete and acceptable?"),
    ("slack_intake", "Intake from Slack", "Reports in a shared channel become tickets."),
    ("clerical", "Clerical steps", "Priority, label, channel and watchers."),
    ("limits", "Escalation limits", "How many escalations are admitted; the rest are held."),
    ("clocks", "Getting started", "Alert, acknowledge, estimate, progress, call, page."),
    ("updates", "Update cadences", "Updates on time, and saying when the next comes."),
    ("closure", "Setup, severity and closure", "Checklists, upgrades and post-mortems."),
    ("paperwork", "Paperwork", "Pages, logs and notices on resolution; weekly summaries."),
    ("digest", "Digest", "The weekly overview of a policy's open tickets."),
    ("followups", "Follow-ups", "Action items from the pages, tracked as Jira issues."),
)

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
        "`project_channel`, `incident_thread` (the thread of the report the ticket was made "
        "from in the `slack_intake` channel; for a ticket made in Jira, that channel), a "
        "`#channel-name`, or `group:@<Slack user group>` (a direct "
        "message to each member; nobody gets the same message twice when `dm` or another "
        "group of the list already reaches them). A user group among the people of `dm` is "
        "messaged the same way.",
    ),
    ("regex", "A Python regular expression; `(?i)` makes it case-insensitive."),
)
